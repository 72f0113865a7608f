"""Import article files and organization lists (read by `intake.files`) in one transaction.

Reading and checking happen first, for the whole batch; writing starts only when every
input is good, inside one transaction. So a bad file anywhere leaves the database as it
was, and the error names the file and the reason.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from annotations.actions.revisions import revise_article
from articles.actions.articles import (
    BATCH,
    check_body,
    create_articles,
    mention_finder,
    update_article,
)
from articles.actions.organizations import upsert_organization
from articles.actions.outlets import get_or_create_outlet
from articles.models import (
    Article,
    ArticleRevision,
    Organization,
)
from cms.sentinels import UNSET
from intake.extract import url_variants
from intake.files import (
    ArticleFile,
    ImportProblem,
    collect_files,
    read_article_file,
    read_manifest,
    read_organizations,
)
from publishing.hooks import corpus_write


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    revised: int = 0
    outlets_created: int = 0
    messages: list[str] = field(default_factory=list)


@transaction.atomic(durable=True)
def import_organizations(path: Path) -> tuple[int, int, int]:
    """Create or update every organization in the CSV; returns how many were created,
    updated (kind, aliases or parent changed) and unchanged.

    With a `parent` column, each row's parent (a name in the file or already stored; empty
    for none) is set once every row exists, so a parent may come after its affiliates. An
    unknown parent, or parents that would make a cycle, is an `ImportProblem` checked
    before anything is written."""
    rows = read_organizations(path)
    stored = {
        name.lower(): (pk, kind, aliases, parent_id)
        for pk, name, kind, aliases, parent_id in Organization.objects.values_list(
            "pk", "name", "kind", "aliases", "parent_id"
        )
    }
    in_file = {name.lower() for name, *_ in rows}
    for name, _, _, parent in rows:
        if parent and parent.lower() not in in_file and parent.lower() not in stored:
            raise ImportProblem(
                path, f"{name}: unknown parent organization {parent!r} (not in the file or stored)"
            )
    created = updated = 0
    by_name: dict[str, Organization] = {}
    for name, kind, aliases, _ in rows:
        organization, was_created = upsert_organization(
            name=name, kind=kind, aliases=aliases, via="import"
        )
        by_name[name.lower()] = organization
        created += was_created
        before = stored.get(organization.name.lower())
        updated += not was_created and before[1:3] != (organization.kind, organization.aliases)
    for name, kind, aliases, parent in rows:
        if parent is None:
            continue
        organization = by_name[name.lower()]
        parent_row = None
        if parent:
            parent_row = by_name.get(parent.lower()) or Organization.objects.get(
                name__iexact=parent
            )
        if organization.parent_id == (parent_row.pk if parent_row else None):
            continue
        try:
            upsert_organization(
                name=name, kind=kind, aliases=aliases, parent=parent_row, via="import"
            )
        except ValidationError as error:
            raise ImportProblem(
                f"{path}, organization {name!r}", " ".join(error.messages)
            ) from None
        before = stored.get(name.lower())
        if before is not None and before[1:3] == (organization.kind, organization.aliases):
            updated += 1  # only its parent changed
    return created, updated, len(rows) - created - updated


def import_articles(
    paths: Iterable[Path],
    *,
    manifest: Path | None = None,
    status: str = Article.Status.PUBLISHED,
    editor=None,
    progress: Callable[[int, int, ArticleFile, str], None] | None = None,
) -> ImportReport:
    """Import article files. Idempotent: an article is found again by its URL, or, without
    one, by the checksum of the file it came from; changed text becomes a new revision."""
    files = collect_files(paths)
    if not files:
        raise ImportProblem(", ".join(str(p) for p in paths), "no .txt or .html files found")
    metadata = read_manifest(manifest) if manifest else {}
    parsed = []
    for path in files:
        article_file = read_article_file(path)
        meta = metadata.get(path.name) or article_file.meta
        if manifest and meta is None:
            raise ImportProblem(path, f"not listed in the manifest {manifest}")
        parsed.append(
            ArticleFile(
                path=article_file.path,
                title=meta.title if meta and meta.title else article_file.title,
                body=article_file.body,
                sha256=article_file.sha256,
                meta=meta,
            )
        )
    urls = [f.meta.url for f in parsed if f.meta and f.meta.url]
    if len(urls) != len(set(urls)):
        raise ImportProblem(manifest or "manifest", "two files share one URL")

    report = ImportReport()
    with transaction.atomic(durable=True), corpus_write():
        _import_parsed(parsed, status=status, editor=editor, progress=progress, report=report)
    return report


def _import_parsed(parsed: list[ArticleFile], *, status, editor, progress, report) -> None:
    """Write the files' articles: new ones in batches (`create_articles`), the ones found
    again one at a time (a re-import: revisions, metadata). Progress is told per file, in
    the files' order, as each batch is written."""
    finder = mention_finder()
    outlets: dict[tuple[str, str], object] = {}
    known = _known_articles(parsed)
    batch: list[tuple[int, ArticleFile, Article]] = []
    keys: set[str] = set()  # the batch's URLs (all their variants) and checksums

    def told(index, article_file, outcome):
        setattr(report, outcome, getattr(report, outcome) + 1)
        if progress:
            progress(index, len(parsed), article_file, outcome)

    def flush():
        try:
            create_articles([a for _, _, a in batch], editor=editor, finder=finder, via="import")
        except ValidationError as error:
            # Which file: the first whose article fails alone (the batch is rolled back).
            for _, article_file, article in batch:
                try:
                    check_body(article.body)
                    article.full_clean(exclude=["outlet", "slug"], validate_unique=False)
                except ValidationError as one:
                    raise ImportProblem(article_file.path, "; ".join(one.messages)) from None
            raise ImportProblem(batch[0][1].path, "; ".join(error.messages)) from None
        for index, article_file, article in batch:
            told(index, article_file, "created")
            for key in {article.url, article.source_sha256} - {""}:
                known.setdefault(key, article)
        batch.clear()
        keys.clear()

    for index, article_file in enumerate(parsed, start=1):
        meta = article_file.meta
        outlet_key = (meta.outlet, meta.outlet_domain) if meta else ("Unknown outlet", "")
        if outlet_key not in outlets:
            outlets[outlet_key], _ = get_or_create_outlet(
                name=outlet_key[0], domain=outlet_key[1], actor=editor, via="import"
            )
        outlet = outlets[outlet_key]
        url = meta.url if meta else ""
        mine = {url, *url_variants(url)} if url else {article_file.sha256}
        if keys & mine:  # the same article twice in one batch: the first one is written first
            flush()
        existing = _existing(known, article_file)
        if existing is None:
            batch.append((index, article_file, _new_article(article_file, outlet, status)))
            keys.update(mine)
            if len(batch) >= BATCH:
                flush()
            continue
        if batch:
            flush()
        try:
            outcome = _import_one(article_file, existing, outlet=outlet, editor=editor)
        except ValidationError as error:
            raise ImportProblem(article_file.path, "; ".join(error.messages)) from None
        told(index, article_file, outcome)
    if batch:
        flush()


def _known_articles(files: list[ArticleFile]) -> dict[str, Article]:
    """The stored articles these files may be: by every variant of their URLs, and (files
    without one) by checksum; the oldest when several match."""
    urls = sorted(
        {v for f in files if f.meta and f.meta.url for v in (f.meta.url, *url_variants(f.meta.url))}
    )
    sums = sorted({f.sha256 for f in files if not (f.meta and f.meta.url)})
    found: dict[str, Article] = {}
    for column, values in (("url", urls), ("source_sha256", sums)):
        for i in range(0, len(values), 500):
            rows = Article.objects.filter(**{f"{column}__in": values[i : i + 500]}).order_by("-pk")
            found.update((getattr(article, column), article) for article in rows)
    return found


def _existing(known: dict[str, Article], article_file: ArticleFile) -> Article | None:
    url = article_file.meta.url if article_file.meta else ""
    if not url:
        return known.get(article_file.sha256)
    matches = [known[v] for v in (url, *url_variants(url)) if v in known]
    return min(matches, key=lambda article: article.pk) if matches else None


def _new_article(article_file: ArticleFile, outlet, status) -> Article:
    meta = article_file.meta
    return Article(
        title=article_file.title,
        body=article_file.body,
        outlet=outlet,
        url=meta.url if meta else "",
        published=meta.published if meta else None,
        author=meta.author if meta else "",
        status=status,
        source_sha256=article_file.sha256,
    )


def _import_one(article_file: ArticleFile, existing: Article, *, outlet, editor) -> str:
    """A file whose article is stored already: its metadata and text, as a re-import."""
    meta = article_file.meta
    # The file's first line is its title only when the article is new or its file changed:
    # an editor's corrected title (a scraped "Skip to main content", say) must survive a
    # re-import of the same file. A manifest `title` column always applies.
    file_changed = existing.source_sha256 != article_file.sha256
    title_authoritative = file_changed or (meta is not None and bool(meta.title))
    changed_meta = (
        (title_authoritative and existing.title != article_file.title)
        or existing.outlet_id != outlet.pk
        or (
            meta is not None
            and (existing.published, existing.author) != (meta.published, meta.author)
        )
    )
    if changed_meta:
        update_article(
            article=existing,
            title=article_file.title if title_authoritative else UNSET,
            outlet=outlet,
            published=meta.published if meta else UNSET,
            author=meta.author if meta else UNSET,
            actor=editor,
            via="import",
        )
    if existing.source_sha256 != article_file.sha256 and existing.body != article_file.body:
        revise_article(
            article=existing,
            body=article_file.body,
            editor=editor,
            reason=ArticleRevision.Reason.REIMPORT,
            comment=f"Re-imported from {article_file.path.name}",
            via="import",
        )
        update_article(
            article=existing, source_sha256=article_file.sha256, actor=editor, via="import"
        )
        return "revised"
    return "updated" if changed_meta else "unchanged"
