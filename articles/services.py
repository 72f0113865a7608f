"""Every write to outlets, organizations and articles goes through these functions."""

from collections.abc import Iterable, Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from articles.mentions import MentionFinder, Named
from articles.models import Article, ArticleRevision, Organization, Outlet
from audit import services as audit
from publishing.counts import facet_counts_recounted
from publishing.version import corpus_changed

SLUG_MAX = 200


def unique_slug(model, text: str, *, exclude_pk: int | None = None, fallback: str = "item") -> str:
    """A slug for `text` that no other row of `model` uses (`-2`, `-3`... on collision)."""
    base = (slugify(text) or fallback)[: SLUG_MAX - 8].strip("-") or fallback
    taken = set(
        model.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def outlet_get_or_create(
    *, name: str, domain: str = "", actor=None, via: str = audit.Via.OTHER
) -> tuple[Outlet, bool]:
    """The outlet with this domain (or, without a domain, this name); created if missing."""
    corpus_changed()
    name, domain = name.strip(), domain.strip().lower()
    if not name:
        raise ValidationError("An outlet needs a name.", code="outlet_name_missing")
    existing = (
        Outlet.objects.filter(domain=domain).first()
        if domain
        else Outlet.objects.filter(name__iexact=name).first()
    )
    if existing:
        return existing, False
    outlet = Outlet(name=name, domain=domain, slug=unique_slug(Outlet, name, fallback="outlet"))
    if domain:
        outlet.homepage = f"https://{domain}/"
    outlet.full_clean()
    outlet.save()
    audit.record(outlet, action=audit.Action.CREATE, actor=actor, via=via)
    return outlet, True


@transaction.atomic
def outlet_save(*, outlet: Outlet, actor=None, via: str = audit.Via.OTHER) -> Outlet:
    """Create or change an outlet as edited (the admin's form)."""
    corpus_changed()
    return audit.save_recorded(outlet, actor=actor, via=via)


@transaction.atomic
def outlet_delete(*, outlet: Outlet, actor=None, via: str = audit.Via.OTHER) -> None:
    """Delete an outlet (refused by the database while it still has articles)."""
    corpus_changed()
    audit.record(outlet, action=audit.Action.DELETE, actor=actor, via=via)
    outlet.delete()


@transaction.atomic
def organization_upsert(
    *,
    name: str,
    kind: str = Organization.Kind.OTHER,
    aliases: Sequence[str] = (),
    actor=None,
    via: str = audit.Via.OTHER,
) -> tuple[Organization, bool]:
    """Create the organization, or update kind and aliases of the one with this name."""
    corpus_changed()
    name = " ".join(name.split())
    if not name:
        raise ValidationError("An organization needs a name.", code="organization_name_missing")
    if kind not in Organization.Kind.values:
        raise ValidationError(
            f"Unknown organization kind {kind!r}; "
            f"use one of: {', '.join(Organization.Kind.values)}.",
            code="unknown_kind",
        )
    clean_aliases = list(dict.fromkeys(a.strip() for a in aliases if a.strip() and a != name))
    organization = Organization.objects.filter(name__iexact=name).first()
    created = organization is None
    before = None if created else audit.snapshot(organization)
    if created:
        organization = Organization(
            name=name, slug=unique_slug(Organization, name, fallback="organization")
        )
    organization.kind = kind
    organization.aliases = clean_aliases
    organization.full_clean()
    organization.save()
    action = audit.Action.CREATE if created else audit.Action.UPDATE
    audit.record(organization, action=action, actor=actor, via=via, before=before)
    return organization, created


@transaction.atomic
def organization_save(
    *, organization: Organization, actor=None, via: str = audit.Via.OTHER
) -> Organization:
    """Create or change an organization as edited (the admin's form)."""
    corpus_changed()
    return audit.save_recorded(organization, actor=actor, via=via)


@transaction.atomic
def organization_delete(
    *, organization: Organization, actor=None, via: str = audit.Via.OTHER
) -> None:
    """Delete an organization; passages attributed to it keep their text, not the link."""
    from annotations.models import Annotation

    corpus_changed()

    passages = list(Annotation.objects.filter(organization=organization).prefetch_related("tags"))
    befores = {passage.pk: audit.snapshot(passage) for passage in passages}
    audit.record(organization, action=audit.Action.DELETE, actor=actor, via=via)
    organization.delete()
    for passage in passages:
        passage.organization = None
    audit.record_many(passages, action=audit.Action.UPDATE, actor=actor, via=via, befores=befores)


def mention_finder() -> MentionFinder:
    """A matcher over every organization's name and aliases (one query)."""
    return MentionFinder(
        Named(id=pk, names=(name, *aliases))
        for pk, name, aliases in Organization.objects.values_list("id", "name", "aliases")
    )


@transaction.atomic
def article_detect_mentions(*, article: Article, finder: MentionFinder | None = None) -> set[int]:
    """Add the organizations named in the title or body to `article.organizations`.

    Only adds: a mention an editor set by hand is never taken away by detection.
    """
    corpus_changed()
    finder = finder or mention_finder()
    found = finder.find(f"{article.title}\n{article.body}")
    if found:
        with facet_counts_recounted(article.pk):
            article.organizations.add(*found)
    return found


@transaction.atomic
def article_set_organizations(
    *,
    article: Article,
    organizations: Iterable[Organization],
    actor=None,
    via: str = audit.Via.OTHER,
) -> None:
    """Set the mentioned organizations by hand, then add any the text names."""
    corpus_changed()
    before = audit.snapshot(article)
    with facet_counts_recounted(article.pk):
        article.organizations.set(organizations)
    article_detect_mentions(article=article)
    audit.record(article, action=audit.Action.UPDATE, actor=actor, via=via, before=before)


def _check_body(body: str) -> None:
    if not body or not body.strip():
        raise ValidationError("The article body is empty.", code="empty_body")


@transaction.atomic
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
    corpus_changed()
    _check_body(body)
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
    article.save()
    with facet_counts_recounted(article.pk, created=True):
        ArticleRevision.objects.create(
            article=article,
            number=1,
            body=body,
            editor=editor,
            reason=ArticleRevision.Reason.IMPORT,
        )
        if organizations:
            article.organizations.add(*organizations)
    article_detect_mentions(article=article, finder=finder)
    audit.record(article, action=audit.Action.CREATE, actor=editor, via=via)
    return article


@transaction.atomic
def article_update(
    *,
    article: Article,
    title: str | None = None,
    slug: str | None = None,
    outlet: Outlet | None = None,
    url: str | None = None,
    published: date | None = None,
    author: str | None = None,
    status: str | None = None,
    source_sha256: str | None = None,
    actor=None,
    via: str = audit.Via.OTHER,
) -> Article:
    """Change an article's metadata (never its body: that is `article_revise`)."""
    corpus_changed()
    stored = Article.objects.filter(pk=article.pk).first()
    before = audit.snapshot(stored) if stored else None
    if title is not None:
        article.title = " ".join(title.split())
    if slug is not None:
        article.slug = slug
    if outlet is not None:
        article.outlet = outlet
    if url is not None:
        article.url = url.strip()
    if published is not None:
        article.published = published
    if author is not None:
        article.author = author.strip()
    if status is not None:
        article.status = status
    if source_sha256 is not None:
        article.source_sha256 = source_sha256
    article.full_clean()
    with facet_counts_recounted(article.pk):
        article.save()
    audit.record(article, action=audit.Action.UPDATE, actor=actor, via=via, before=before)
    return article


@transaction.atomic
def article_delete(*, article: Article, actor=None, via: str = audit.Via.OTHER) -> None:
    """Delete an article and its revisions; refused while it holds passages."""
    from annotations.models import Annotation

    corpus_changed()

    if Annotation.objects.filter(article=article).exists():
        raise ValidationError(
            "This article still has passages: delete or move them first.",
            code="article_has_passages",
        )
    audit.record(article, action=audit.Action.DELETE, actor=actor, via=via)
    with facet_counts_recounted(article.pk):
        article.delete()


class RevisionConflict(ValidationError):
    """The change was based on a revision that is no longer the current one."""

    status = 409  # the HTTP status the JSON API answers with


@transaction.atomic
def article_revise(
    *,
    article: Article,
    body: str,
    editor,
    reason: str = ArticleRevision.Reason.OTHER,
    comment: str = "",
    base_revision: int | None = None,
    via: str = audit.Via.OTHER,
) -> ArticleRevision | None:
    """Replace the body, store it as a new immutable revision, and re-anchor every passage.

    `base_revision` is the revision the editor started from; if another change landed
    since, a `RevisionConflict` (code `revision_conflict`) is raised and nothing is written.
    Returns None when the body is unchanged.
    """
    from annotations.services import annotations_reanchor  # avoid an import cycle

    corpus_changed()

    _check_body(body)
    if reason not in ArticleRevision.Reason.values:
        raise ValidationError(f"Unknown revision reason {reason!r}.", code="unknown_reason")
    # Lock the row so two concurrent revisions serialise and the second sees the first.
    current = Article.objects.select_for_update().get(pk=article.pk)
    if base_revision is not None and base_revision != current.revision:
        raise RevisionConflict(
            f"This article changed since revision {base_revision}: it is now at revision "
            f"{current.revision}. Reload it and apply your change again.",
            code="revision_conflict",
        )
    if body == current.body:
        return None
    before = audit.snapshot(current)
    old_body = current.body
    article.body = body
    article.revision = current.revision + 1
    article.full_clean()
    article.save(update_fields=["body", "revision", "modified"])
    revision = ArticleRevision(
        article=article,
        number=article.revision,
        body=body,
        editor=editor,
        reason=reason,
        comment=comment,
    )
    revision.full_clean()
    revision.save()
    annotations_reanchor(article=article, old_body=old_body, actor=editor)
    article_detect_mentions(article=article)
    audit.record(article, action=audit.Action.UPDATE, actor=editor, via=via, before=before)
    return revision
