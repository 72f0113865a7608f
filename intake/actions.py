"""The write of a web import: an extracted page becomes an article, or a new revision of it.

One page is one action, atomic: the outlet, the article (or its revision, with passages
re-anchored by `article_revise`) and the snapshot's link to it commit together or not at
all. The same text again writes nothing.
"""

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from annotations.actions.revisions import revise_article
from articles.actions.articles import create_article
from articles.actions.outlets import get_or_create_outlet
from articles.models import Article, ArticleRevision, Outlet
from intake.extract import Extracted, url_domain, url_variants
from intake.models import ImportBatch, ImportItem, Snapshot


@dataclass(frozen=True)
class Outcome:
    state: str  # "created", "updated" or "unchanged" (ImportItem.State values)
    article: Article


def article_for(extracted: Extracted) -> Article | None:
    """The article whose URL is the page's canonical URL in any spelling `url_key` takes as
    the same; for a page that names no URL (a saved page), the one with the same text."""
    if extracted.canonical_url:
        articles = Article.objects.filter(url__in=url_variants(extracted.canonical_url))
    else:
        articles = Article.objects.filter(url="", source_sha256=body_sha256(extracted.body))
    return articles.order_by("pk").first()


def body_sha256(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


def _outlet(extracted: Extracted, *, outlet_name: str, actor) -> Outlet:
    if outlet_name:
        return get_or_create_outlet(name=outlet_name, actor=actor, via="import")[0]
    domain = extracted.domain
    if domain:
        existing = (
            Outlet.objects.filter(domain__in=[domain, f"www.{domain}"]).order_by("pk").first()
        )
        if existing:
            return existing
    return get_or_create_outlet(
        name=extracted.site_name or domain or "Unknown outlet",
        domain=domain,
        actor=actor,
        via="import",
    )[0]


@transaction.atomic
def page_import(
    *,
    extracted: Extracted,
    snapshot: Snapshot | None = None,
    status: str = Article.Status.PUBLISHED,
    outlet_name: str = "",
    editor=None,
    article: Article | None = None,
    comment: str = "",
) -> Outcome:
    """Create the article `extracted` describes, or revise the one with its canonical URL
    (or `article`, when given) with reason "Correction by the outlet"; unchanged text
    writes nothing."""
    existing = article or article_for(extracted)
    if existing is not None and existing.body == extracted.body:
        return Outcome("unchanged", existing)
    if existing is not None:
        revise_article(
            article=existing,
            body=extracted.body,
            editor=editor,
            reason=ArticleRevision.Reason.CORRECTION,
            comment=comment
            or f"Imported again from {url_domain(extracted.canonical_url) or 'a page'}",
            via="import",
        )
        state, article = "updated", existing
    else:
        article = create_article(
            title=extracted.title or "Untitled",
            body=extracted.body,
            outlet=_outlet(extracted, outlet_name=outlet_name, actor=editor),
            url=extracted.canonical_url,
            published=extracted.published,
            author=extracted.author,
            status=status,
            editor=editor,
            source_sha256=body_sha256(extracted.body),
            via="import",
        )
        state = "created"
    if snapshot is not None:
        snapshot.article = article
        snapshot.save(update_fields=["article"])
    return Outcome(state, article)


@transaction.atomic
def batch_create(
    *,
    urls: list[str] = (),
    pages: list[tuple[str, bytes]] = (),
    status: str = Article.Status.PUBLISHED,
    outlet_name: str = "",
    editor=None,
) -> ImportBatch:
    """A batch of queued items: one per URL, and one per uploaded page (`(name, bytes)`),
    whose bytes are kept at once as its snapshot."""
    batch = ImportBatch.objects.create(
        created_by=editor, article_status=status, outlet_name=outlet_name.strip()
    )
    items = [ImportItem(batch=batch, position=i, url=url) for i, url in enumerate(urls)]
    for offset, (name, body) in enumerate(pages, start=len(items)):
        snapshot = snapshot_store(file_name=name, body=body)
        items.append(ImportItem(batch=batch, position=offset, file_name=name, snapshot=snapshot))
    ImportItem.objects.bulk_create(items)
    return batch


def snapshot_store(
    *,
    body: bytes,
    url: str = "",
    final_url: str = "",
    file_name: str = "",
    status: int | None = None,
    content_type: str = "text/html",
    charset: str = "",
    fetched_at=None,
) -> Snapshot:
    """Keep a page as it came (compressed); the same bytes from the same place are kept once."""
    digest = hashlib.sha256(body).hexdigest()
    same = Snapshot.objects.filter(sha256=digest).order_by("pk").first()
    if same is not None:
        return same
    return Snapshot.objects.create(
        url=url,
        final_url=final_url,
        file_name=file_name[:255],
        status=status,
        content_type=content_type[:100],
        charset=charset[:40],
        fetched_at=fetched_at or timezone.now(),
        size=len(body),
        sha256=digest,
        html=Snapshot.compress(body),
    )


def item_state_set(
    *,
    item: ImportItem,
    state: str,
    reason_code: str = "",
    reason: str = "",
    snapshot: Snapshot | None = None,
    article: Article | None = None,
) -> None:
    """Record how far an item got (its own small write, so pollers see progress)."""
    item.state, item.reason_code, item.reason = state, reason_code, reason[:500]
    if snapshot is not None:
        item.snapshot = snapshot
    if article is not None:
        item.article = article
    item.save(update_fields=["state", "reason_code", "reason", "snapshot", "article", "modified"])
