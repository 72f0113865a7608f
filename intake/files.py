"""Reading the inputs of an import: article files (text or HTML), the manifest and the
organization list, each checked, with `ImportProblem` naming the file and the reason.
Nothing here writes: `intake.importers` imports what these read, once all is good.
"""

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from articles.models import ORGANIZATION_NAME_MAX_LENGTH, Article, Organization, validate_aliases
from intake.extract import ExtractionError, decode, extract

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


def read_organizations(path: Path) -> list[tuple[str, str, list[str], str | None]]:
    """(name, kind, aliases, parent) per row of a `name,kind,aliases[,parent]` CSV;
    aliases split on `|`; `parent` is the name of the organization it is an affiliate of
    (None without the column, "" for none)."""
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
        parent = " ".join(row["parent"].split()) if "parent" in row else None
        if parent and parent.lower() == name.lower():
            raise ImportProblem(source, f"{name} cannot be its own parent")
        result.append((name, kind, aliases, parent))
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
