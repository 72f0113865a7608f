"""Plain helpers that make rows for tests, through the same services the app uses."""

import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from annotations.actions.passages import annotation_create
from annotations.models import Annotation, Tag
from articles.actions.articles import article_create
from articles.actions.organizations import organization_upsert
from articles.actions.outlets import outlet_get_or_create
from articles.models import Article, Organization, Outlet

_counter = itertools.count(1)


def make_user(username: str | None = None, *, group: str | None = "annotators", **fields):
    """A staff user in `group` (annotators, editors, or None for no group)."""
    User = get_user_model()
    username = username or f"user{next(_counter)}"
    user = User.objects.create_user(
        username=username, password=fields.pop("password", "pw"), is_staff=True, **fields
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return User.objects.get(pk=user.pk)  # fresh instance: no stale permission cache


def make_annotator(username: str | None = None, **fields):
    return make_user(username, group="annotators", **fields)


def make_editor(username: str | None = None, **fields):
    return make_user(username, group="editors", **fields)


def make_outlet(name: str | None = None, domain: str = "") -> Outlet:
    n = next(_counter)
    return outlet_get_or_create(name=name or f"Outlet {n}", domain=domain or f"outlet{n}.example")[
        0
    ]


def make_organization(
    name: str | None = None, *, kind: str = "advocacy", aliases=()
) -> Organization:
    return organization_upsert(
        name=name or f"Organization {next(_counter)}", kind=kind, aliases=aliases
    )[0]


def make_tag(name: str | None = None, *, colour: str = "#ff0000", description: str = "") -> Tag:
    name = name or f"tag {next(_counter)}"
    return Tag.objects.create(name=name, colour=colour, description=description)


def make_article(
    body: str = "The quick brown fox jumps over the lazy dog.",
    *,
    title: str | None = None,
    outlet: Outlet | None = None,
    status: str = Article.Status.PUBLISHED,
    **fields,
) -> Article:
    return article_create(
        title=title or f"Article {next(_counter)}",
        body=body,
        outlet=outlet or make_outlet(),
        status=status,
        **fields,
    )


def make_annotation(
    article: Article | None = None,
    *,
    exact: str | None = None,
    start: int | None = None,
    end: int | None = None,
    annotator=None,
    tags=(),
    occurrence: int = 0,
    **fields,
) -> Annotation:
    """A passage: either `start`/`end`, or the `occurrence`-th appearance of `exact`."""
    article = article or make_article()
    if start is None:
        exact = exact or article.body.split()[0]
        start = -1
        for _ in range(occurrence + 1):
            start = article.body.index(exact, start + 1)
        end = start + len(exact)
    elif exact is None:
        exact = article.body[start:end]
    return annotation_create(
        article=article,
        start=start,
        end=end,
        exact=exact,
        tags=tags,
        annotator=annotator or make_annotator(),
        **fields,
    )
