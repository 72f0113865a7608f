"""Articles: created with their first revision, their metadata and mentions changed,
deleted while they hold no passages. Revising the body re-anchors passages, so it is
`annotations.actions.revisions.article_revise`."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from annotations.models import Annotation
from articles.actions.slugs import unique_slug, unique_slugs
from articles.mentions import MentionFinder, Named
from articles.models import Article, ArticleRevision, Organization, Outlet
from audit import services as audit
from cms.sentinels import UNSET
from echoes.index import index_bodies
from publishing.hooks import corpus_write


def mention_finder() -> MentionFinder:
    """A matcher over every organization's name and aliases (one query)."""
    rows = Organization.objects.values_list("id", "name", "aliases", "kind")
    return MentionFinder(
        Named(id=pk, names=(name, *aliases), kind=kind) for pk, name, aliases, kind in rows
    )


def detect_mentions(*, article: Article, finder: MentionFinder | None = None) -> set[int]:
    """Step: add the organizations named in the title or body to `article.organizations`.

    Only adds: a mention an editor set by hand is never taken away by detection.
    """
    finder = finder or mention_finder()
    found = finder.find(f"{article.title}\n{article.body}")
    with corpus_write(*([article.pk] if found else [])):
        if found:
            article.organizations.add(*found)
    return found


@transaction.atomic(durable=True)
def article_detect_mentions(*, article: Article, finder: MentionFinder | None = None) -> set[int]:
    """Add the organizations the text names to the article's mentions."""
    return detect_mentions(article=article, finder=finder)


def set_organizations(*, article: Article, organizations: Iterable[Organization]) -> None:
    """Step: the mentioned organizations as set by hand, plus any the text names."""
    with corpus_write(article.pk):
        article.organizations.set(organizations)
        detect_mentions(article=article)


@transaction.atomic(durable=True)
def article_set_organizations(
    *,
    article: Article,
    organizations: Iterable[Organization],
    actor=None,
    via: str = audit.Via.OTHER,
) -> None:
    """Set the mentioned organizations by hand, then add any the text names."""
    before = audit.snapshot(article)
    set_organizations(article=article, organizations=organizations)
    audit.record(article, action=audit.Action.UPDATE, actor=actor, via=via, before=before)


def check_body(body: str) -> None:
    if not body or not body.strip():
        raise ValidationError("The article body is empty.", code="empty_body")


def create_article(
    *,
    title: str,
    body: str,
    outlet: Outlet,
    url: str = "",
    published: date | None = None,
    author: str = "",
    status: str = Article.Status.PUBLISHED,
    editor=None,
    source_sha256: str = "",
    organizations: Iterable[Organization] = (),
    finder: MentionFinder | None = None,
    via: str = audit.Via.OTHER,
) -> Article:
    """Step of `article_create`, for actions that compose it (an import)."""
    check_body(body)
    title = " ".join(title.split())
    article = Article(
        title=title,
        slug=unique_slug(Article, title, fallback="article"),
        outlet=outlet,
        url=url.strip(),
        published=published,
        author=author.strip(),
        body=body,
        status=status,
        source_sha256=source_sha256,
    )
    article.full_clean()
    with corpus_write() as write:
        article.save()
        write.recount(article.pk, created=True)
        index_bodies([(article.pk, body)], fresh=True)
        ArticleRevision.objects.create(
            article=article,
            number=1,
            body=body,
            editor=editor,
            reason=ArticleRevision.Reason.IMPORT,
        )
        if organizations:
            article.organizations.add(*organizations)
        detect_mentions(article=article, finder=finder)
        audit.record(article, action=audit.Action.CREATE, actor=editor, via=via)
    return article


BATCH = 500


def create_articles(
    articles: list[Article],
    *,
    editor=None,
    finder: MentionFinder | None = None,
    via: str = audit.Via.OTHER,
) -> list[Article]:
    """Step: `create_article` for many new articles at once (an import), in a few queries
    per BATCH rather than a dozen per article: the same rows (unique slugs, the first
    revision, the detected mentions, one history record each, the facet counts).

    `articles` are unsaved, with their fields set but `slug`; they come back saved.
    """
    if not articles:
        return []
    finder = finder or mention_finder()
    for article in articles:
        check_body(article.body)
        article.title = " ".join(article.title.split())
        article.url, article.author = article.url.strip(), article.author.strip()
    for article, slug in zip(
        articles, unique_slugs(Article, [a.title for a in articles], fallback="article"),
        strict=True,
    ):  # fmt: skip
        article.slug = slug
        # The slug is unique by construction, the outlet is the caller's, the URL is found
        # new by the caller (an import looks every URL up first), the body checked above.
        article.full_clean(exclude=["outlet"], validate_unique=False, validate_constraints=False)
    organizations = {o.pk: o for o in Organization.objects.all()}
    through = Article.organizations.through
    with corpus_write() as write:
        Article.objects.bulk_create(articles, batch_size=BATCH)
        write.recount(*(a.pk for a in articles), created=True)
        index_bodies(((a.pk, a.body) for a in articles), fresh=True)
        ArticleRevision.objects.bulk_create(
            (
                ArticleRevision(
                    article=a, number=1, body=a.body, editor=editor,
                    reason=ArticleRevision.Reason.IMPORT,
                )
                for a in articles
            ),
            batch_size=BATCH,
        )  # fmt: skip
        mentions = []
        for article in articles:
            found = sorted(finder.find(f"{article.title}\n{article.body}"))
            mentions += [through(article_id=article.pk, organization_id=pk) for pk in found]
            _cache_organizations(article, [organizations[pk] for pk in found])
        through.objects.bulk_create(mentions, batch_size=BATCH)
        audit.record_many(articles, action=audit.Action.CREATE, actor=editor, via=via)
    return articles


def _cache_organizations(article: Article, organizations: list[Organization]) -> None:
    """Give `article.organizations.all()` the rows just written, as a prefetch would (the
    history snapshot reads them)."""
    queryset = Organization.objects.all()
    queryset._result_cache = organizations
    queryset._prefetch_done = True
    article._prefetched_objects_cache = {"organizations": queryset}


@transaction.atomic(durable=True)
def article_create(
    *,
    title: str,
    body: str,
    outlet: Outlet,
    url: str = "",
    published: date | None = None,
    author: str = "",
    status: str = Article.Status.PUBLISHED,
    editor=None,
    source_sha256: str = "",
    organizations: Iterable[Organization] = (),
    finder: MentionFinder | None = None,
    via: str = audit.Via.OTHER,
) -> Article:
    """Create an article with its first revision and its detected mentions."""
    return create_article(
        title=title,
        body=body,
        outlet=outlet,
        url=url,
        published=published,
        author=author,
        status=status,
        editor=editor,
        source_sha256=source_sha256,
        organizations=organizations,
        finder=finder,
        via=via,
    )


def change_metadata(
    article: Article,
    *,
    title=UNSET,
    slug=UNSET,
    outlet=UNSET,
    url=UNSET,
    published=UNSET,
    author=UNSET,
    status=UNSET,
    source_sha256=UNSET,
) -> None:
    """Step: set the given fields on `article` (not saved); `UNSET` leaves a field alone,
    `None` clears the publication date."""
    if title is not UNSET:
        article.title = " ".join(title.split())
    if slug is not UNSET:
        article.slug = slug
    if outlet is not UNSET:
        article.outlet = outlet
    if url is not UNSET:
        article.url = url.strip()
    if published is not UNSET:
        article.published = published
    if author is not UNSET:
        article.author = author.strip()
    if status is not UNSET:
        article.status = status
    if source_sha256 is not UNSET:
        article.source_sha256 = source_sha256


def update_article(
    *, article: Article, actor=None, via: str = audit.Via.OTHER, **fields
) -> Article:
    """Step of `article_update` (same arguments), for actions that compose it."""
    with corpus_write(article.pk):
        stored = Article.objects.filter(pk=article.pk).first()
        before = audit.snapshot(stored) if stored else None
        change_metadata(article, **fields)
        article.full_clean()
        article.save()
        audit.record(article, action=audit.Action.UPDATE, actor=actor, via=via, before=before)
    return article


@transaction.atomic(durable=True)
def article_update(
    *,
    article: Article,
    title: str = UNSET,
    slug: str = UNSET,
    outlet: Outlet = UNSET,
    url: str = UNSET,
    published: date | None = UNSET,
    author: str = UNSET,
    status: str = UNSET,
    source_sha256: str = UNSET,
    actor=None,
    via: str = audit.Via.OTHER,
) -> Article:
    """Change an article's metadata (never its body: that is `article_revise`). Fields
    not given stay as they are; `published=None` clears the date."""
    return update_article(
        article=article,
        title=title,
        slug=slug,
        outlet=outlet,
        url=url,
        published=published,
        author=author,
        status=status,
        source_sha256=source_sha256,
        actor=actor,
        via=via,
    )


def delete_article(*, article: Article, actor=None, via: str = audit.Via.OTHER) -> None:
    """Step of `article_delete`, for a bulk delete (the admin's) in one transaction."""
    with corpus_write(article.pk):
        if Annotation.objects.filter(article=article).exists():
            raise ValidationError(
                "This article still has passages: delete or move them first.",
                code="article_has_passages",
            )
        audit.record(article, action=audit.Action.DELETE, actor=actor, via=via)
        article.delete()


@transaction.atomic(durable=True)
def article_delete(*, article: Article, actor=None, via: str = audit.Via.OTHER) -> None:
    """Delete an article and its revisions; refused while it holds passages."""
    delete_article(article=article, actor=actor, via=via)


@transaction.atomic(durable=True)
def articles_delete(*, articles: Iterable[Article], actor=None, via: str = audit.Via.OTHER) -> None:
    """Delete several articles at once (all or none)."""
    for article in articles:
        delete_article(article=article, actor=actor, via=via)
