"""Read article files, manifests and organization lists, and import them in one transaction.

Reading and checking happen first, for the whole batch; writing starts only when every
input is good, inside one transaction. So a bad file anywhere leaves the database as it
was, and the error names the file and the reason.
"""

import csv
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from annotations.actions.revisions import revise_article
from articles.actions.articles import create_article, mention_finder, update_article
from articles.actions.organizations import upsert_organization
from articles.actions.outlets import get_or_create_outlet
from articles.models import (
    ORGANIZATION_NAME_MAX_LENGTH,
    Article,
    ArticleRevision,
    Organization,
    validate_aliases,
)
from cms.sentinels import UNSET
from intake.extract import ExtractionError, decode, extract, url_variants

HTML_SUFFIXES = {".html", ".htm"}

MANIFEST_COLUMNS = ("file", "outlet", "outlet_domain", "url", "published", "author")
ORGANIZATION_COLUMNS = ("name", "kind", "aliases")


class ImportProblem(Exception):
    """An input that cannot be imported: `source` names the file (and row), `reason` says why."""

    def __init__(self, source: str | Path, reason: str):
        self.source, self.reason = str(source), reason
        super().__init__(f"{source}: {reason}")


@dataclass(frozen=True, slots=True)
class ManifestRow:
    file: str
    outlet: str
    outlet_domain: str
    url: str
    published: date | None
    author: str
    title: str = ""  # optional column: overrides the file's first line (scraped chrome)


@dataclass(frozen=True, slots=True)
class ArticleFile:
    path: Path
    title: str
    body: str
    sha256: str
    meta: ManifestRow | None = None


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    revised: int = 0
    outlets_created: int = 0
    messages: list[str] = field(default_factory=list)


def read_article_file(path: Path) -> ArticleFile:
    """Title is the first non-empty line; the body is the rest, as written.

    Only framing is touched: a UTF-8 byte-order mark, the line-ending convention
    (CRLF/CR become LF, as every browser's DOM would make them) and the blank lines
    between title and body and at the very end. Everything else (NBSP, curly quotes,
    leftover site chrome) is kept, because passages must point at the text as published.
    """
    raw = path.read_bytes()
    if path.suffix.lower() in HTML_SUFFIXES:
        return read_html_file(path, raw)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportProblem(
            path, f"not UTF-8 text (byte {error.start}: {raw[error.start : error.start + 1]!r})"
        ) from None
    if "\x00" in text:
        raise ImportProblem(path, "contains NUL bytes: not a text file")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if line.strip():
            title = " ".join(line.split())
            body = "\n".join(lines[index + 1 :]).strip("\n")
            break
    else:
        raise ImportProblem(path, "empty file: no title line")
    if not body.strip():
        raise ImportProblem(path, "no body text after the title line")
    if len(title) > Article._meta.get_field("title").max_length:
        raise ImportProblem(path, "the first line is too long to be a title")
    return ArticleFile(path=path, title=title, body=body, sha256=hashlib.sha256(raw).hexdigest())


def read_html_file(path: Path, raw: bytes) -> ArticleFile:
    """A saved web page, through the same extraction as fetched ones (intake/extract.py):
    its main text, and its title, author, date, outlet and canonical URL as `meta`."""
    try:
        page = extract(decode(raw))
    except ExtractionError as error:
        raise ImportProblem(path, error.reason) from None
    meta = ManifestRow(
        file=path.name,
        outlet=page.site_name or page.domain or "Unknown outlet",
        outlet_domain=page.domain,
        url=page.canonical_url,
        published=page.published,
        author=page.author,
        title=page.title,
    )
    return ArticleFile(
        path=path,
        title=page.title or path.stem,
        body=page.body,
        sha256=hashlib.sha256(raw).hexdigest(),
        meta=meta,
    )


def _parse_date(value: str, source: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ImportProblem(source, f"published date {value!r} is not YYYY-MM-DD") from None


def _read_csv(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise ImportProblem(path, f"cannot read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ImportProblem(path, "not UTF-8 text") from None
    if "\x00" in text:
        # PostgreSQL cannot store NUL in text; refuse the file rather than fail mid-import.
        raise ImportProblem(path, "contains NUL bytes: not a CSV text file")
    reader = csv.DictReader(text.splitlines(), strict=True)
    try:
        header = reader.fieldnames or []
        missing = [c for c in columns if c not in header]
        if missing:
            raise ImportProblem(path, f"missing column(s): {', '.join(missing)}")
        rows = []
        for row in reader:
            if None in row or any(value is None for value in row.values()):
                raise ImportProblem(
                    f"{path}, line {reader.line_num}",
                    f"expected {len(header)} columns, found a different number",
                )
            rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items()}))
    except csv.Error as error:
        raise ImportProblem(f"{path}, line {reader.line_num}", f"malformed CSV: {error}") from None
    return rows


def read_manifest(path: Path) -> dict[str, ManifestRow]:
    """Manifest rows keyed by file name (columns file,outlet,outlet_domain,url,published,author
    and, optionally, title)."""
    result: dict[str, ManifestRow] = {}
    validate_url = URLValidator(schemes=["http", "https"])
    for line, row in _read_csv(path, MANIFEST_COLUMNS):
        source = f"{path}, line {line}"
        if not row["file"]:
            raise ImportProblem(source, "the file column is empty")
        if not row["outlet"]:
            raise ImportProblem(source, f"no outlet for {row['file']}")
        if row["url"]:
            try:
                validate_url(row["url"])
            except ValidationError:
                raise ImportProblem(source, f"url {row['url']!r} is not an http(s) URL") from None
        if row["file"] in result:
            raise ImportProblem(source, f"{row['file']} is listed twice")
        result[row["file"]] = ManifestRow(
            file=row["file"],
            outlet=row["outlet"],
            outlet_domain=row["outlet_domain"],
            url=row["url"],
            published=_parse_date(row["published"], source),
            author=row["author"],
            title=" ".join(row.get("title", "").split()),
        )
    return result


def read_organizations(path: Path) -> list[tuple[str, str, list[str]]]:
    """(name, kind, aliases) per row of a `name,kind,aliases` CSV; aliases split on `|`."""
    result = []
    seen: set[str] = set()
    for line, row in _read_csv(path, ORGANIZATION_COLUMNS):
        source = f"{path}, line {line}"
        name = " ".join(row["name"].split())
        if not name:
            raise ImportProblem(source, "the name column is empty")
        if name.lower() in seen:
            raise ImportProblem(source, f"{name} is listed twice")
        seen.add(name.lower())
        kind = row["kind"] or Organization.Kind.OTHER
        if kind not in Organization.Kind.values:
            raise ImportProblem(
                source, f"unknown kind {kind!r} (use: {', '.join(Organization.Kind.values)})"
            )
        if len(name) > ORGANIZATION_NAME_MAX_LENGTH:
            raise ImportProblem(
                source, f"the name is longer than {ORGANIZATION_NAME_MAX_LENGTH} characters"
            )
        aliases = [a.strip() for a in row["aliases"].split("|") if a.strip()]
        try:
            validate_aliases(aliases)
        except ValidationError as error:
            raise ImportProblem(source, error.messages[0]) from None
        result.append((name, kind, aliases))
    return result


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Every `.txt` and `.html`/`.htm` file named or inside a named folder, in a stable order."""
    files: list[Path] = []
    suffixes = {".txt", *HTML_SUFFIXES}
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
            )
        elif path.is_file():
            files.append(path)
        else:
            raise ImportProblem(path, "no such file or folder")
    return list(dict.fromkeys(files))


@transaction.atomic(durable=True)
def import_organizations(path: Path) -> tuple[int, int, int]:
    """Create or update every organization in the CSV; returns how many were created,
    updated (kind or aliases changed) and unchanged."""
    rows = read_organizations(path)
    known = {
        name.lower(): (kind, aliases)
        for name, kind, aliases in Organization.objects.values_list("name", "kind", "aliases")
    }
    created = updated = 0
    for name, kind, aliases in rows:
        organization, was_created = upsert_organization(
            name=name, kind=kind, aliases=aliases, via="import"
        )
        created += was_created
        before = known.get(organization.name.lower())
        updated += not was_created and before != (organization.kind, organization.aliases)
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
    with transaction.atomic(durable=True):
        finder = mention_finder()
        for index, article_file in enumerate(parsed, start=1):
            try:
                outcome = _import_one(article_file, status=status, editor=editor, finder=finder)
            except ValidationError as error:
                raise ImportProblem(article_file.path, "; ".join(error.messages)) from None
            setattr(report, outcome, getattr(report, outcome) + 1)
            if progress:
                progress(index, len(parsed), article_file, outcome)
    return report


def _import_one(article_file: ArticleFile, *, status, editor, finder) -> str:
    meta = article_file.meta
    if meta:
        outlet, _ = get_or_create_outlet(
            name=meta.outlet, domain=meta.outlet_domain, actor=editor, via="import"
        )
    else:
        outlet, _ = get_or_create_outlet(name="Unknown outlet", actor=editor, via="import")
    url = meta.url if meta else ""
    existing = (
        Article.objects.filter(url__in=[url, *url_variants(url)]).order_by("pk").first()
        if url
        else Article.objects.filter(source_sha256=article_file.sha256).first()
    )
    if existing is None:
        create_article(
            title=article_file.title,
            body=article_file.body,
            outlet=outlet,
            url=url,
            published=meta.published if meta else None,
            author=meta.author if meta else "",
            status=status,
            editor=editor,
            source_sha256=article_file.sha256,
            finder=finder,
            via="import",
        )
        return "created"
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
