"""Revising an article: a new immutable revision of its body, its passages re-anchored.

These actions live in `annotations` (not `articles`) because re-anchoring is a write to
passages: `articles` sits below `annotations` and never imports it.
"""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from annotations.actions.reanchor import reanchor_passages
from articles.actions.articles import (
    change_metadata,
    check_body,
    detect_mentions,
    set_organizations,
)
from articles.models import Article, ArticleRevision, Organization, Outlet
from audit import services as audit
from cms.sentinels import UNSET
from echoes.index import index_bodies
from publishing.hooks import corpus_write


class RevisionConflict(ValidationError):
    """The change was based on a revision that is no longer the current one."""

    status = 409  # the HTTP status the JSON API answers with


def _locked(article: Article, base_revision: int | None) -> Article:
    """The article's row, locked (two concurrent revisions serialise and the second sees
    the first); a `RevisionConflict` if it is no longer at `base_revision`."""
    current = Article.objects.select_for_update().get(pk=article.pk)
    if base_revision is not None and base_revision != current.revision:
        raise RevisionConflict(
            f"This article changed since revision {base_revision}: it is now at revision "
            f"{current.revision}. Reload it and apply your change again.",
            code="revision_conflict",
        )
    return current


def _check_revision(body: str, reason: str) -> None:
    check_body(body)
    if reason not in ArticleRevision.Reason.values:
        raise ValidationError(
            {
                "reason": ValidationError(
                    "Reason must be one of: %(choices)s.",
                    code="unknown_reason",
                    params={"choices": ", ".join(ArticleRevision.Reason.values)},
                )
            }
        )


def _new_revision(
    article: Article, *, old_body: str, body: str, editor, reason: str, comment: str
) -> ArticleRevision:
    """Store `body` (already set on the saved `article`) as its next revision and
    re-anchor its passages."""
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
    reanchor_passages(article=article, old_body=old_body, actor=editor)
    return revision


def revise_article(
    *,
    article: Article,
    body: str,
    editor,
    reason: str = ArticleRevision.Reason.OTHER,
    comment: str = "",
    base_revision: int | None = None,
    via: str = audit.Via.OTHER,
) -> ArticleRevision | None:
    """Step of `article_revise`, for actions that compose it (an import)."""
    _check_revision(body, reason)
    # The body counts toward no facet; detected mentions do, and `detect_mentions`
    # registers the article for a recount before it adds any.
    with corpus_write():
        current = _locked(article, base_revision)
        if body == current.body:
            return None
        before = audit.snapshot(current)
        old_body = current.body
        article.body = body
        article.revision = current.revision + 1
        article.full_clean()
        article.save(update_fields=["body", "revision", "modified"])
        index_bodies([(article.pk, body)])
        revision = _new_revision(
            article, old_body=old_body, body=body, editor=editor, reason=reason, comment=comment
        )
        detect_mentions(article=article)
        audit.record(article, action=audit.Action.UPDATE, actor=editor, via=via, before=before)
    return revision


@transaction.atomic(durable=True)
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
    return revise_article(
        article=article,
        body=body,
        editor=editor,
        reason=reason,
        comment=comment,
        base_revision=base_revision,
        via=via,
    )


@transaction.atomic(durable=True)
def article_change(
    *,
    article: Article,
    title: str = UNSET,
    slug: str = UNSET,
    outlet: Outlet = UNSET,
    url: str = UNSET,
    published: date | None = UNSET,
    author: str = UNSET,
    status: str = UNSET,
    body: str = UNSET,
    reason: str = ArticleRevision.Reason.OTHER,
    comment: str = "",
    base_revision: int | None = None,
    organizations: Iterable[Organization] = UNSET,
    actor=None,
    via: str = audit.Via.OTHER,
) -> ArticleRevision | None:
    """An editor's save of the whole article form: metadata, body and mentions in one
    write and one history record. A new body becomes a revision (refused with
    `RevisionConflict` when the article moved past `base_revision`) and re-anchors the
    passages (`reason` and `comment` are kept with it); mentions are set as given, then
    any the text names are added. Returns the new revision, or None when the body did not
    change."""
    with corpus_write(article.pk):
        current = Article.objects.select_for_update().get(pk=article.pk)
        body_changes = body is not UNSET and body != current.body
        if body_changes:
            _check_revision(body, reason)
            current = _locked(article, base_revision)
        before = audit.snapshot(current)
        old_body = current.body
        change_metadata(
            article,
            title=title,
            slug=slug,
            outlet=outlet,
            url=url,
            published=published,
            author=author,
            status=status,
        )
        article.body, article.revision = current.body, current.revision
        if body_changes:
            article.body, article.revision = body, current.revision + 1
        article.full_clean()
        article.save()
        revision = None
        if body_changes:
            revision = _new_revision(
                article,
                old_body=old_body,
                body=body,
                editor=actor,
                reason=reason,
                comment=comment,
            )
        if organizations is not UNSET:
            set_organizations(article=article, organizations=organizations)
        elif body_changes:
            detect_mentions(article=article)
        audit.record(article, action=audit.Action.UPDATE, actor=actor, via=via, before=before)
    return revision
