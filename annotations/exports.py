"""The CSV export of passages: RFC 4180, UTF-8, streamed, safe to open in a spreadsheet."""

import csv
import io
from collections.abc import Iterable, Iterator

from django.conf import settings

from annotations.models import Annotation

HEADER = (
    "annotation_id",
    "article_id",
    "article_title",
    "article_url",
    "outlet",
    "published",
    "tags",
    "organization",
    "quote",
    "prefix",
    "suffix",
    "start",
    "end",
    "note",
    "annotator",
    "created",
    "modified",
    "permalink",
)
# Rows are written into a buffer and sent once it holds this many characters: few large
# writes to the socket, and memory bounded by the buffer, not by the number of rows.
FLUSH_CHARS = 64 * 1024
FORMULA_TRIGGERS = ("=", "+", "-", "@")


def neutralise(value: str) -> str:
    """`value`, prefixed with `'` if a spreadsheet would evaluate it as a formula.

    Spreadsheets evaluate a cell whose first character, or first after leading spaces,
    is `=`, `+`, `-` or `@`, and some also a cell starting with a tab or carriage return.
    """
    if value and (value[0] in "\t\r" or value.lstrip().startswith(FORMULA_TRIGGERS)):
        return "'" + value
    return value


def passage_row(passage: Annotation, site: str) -> list[str]:
    """One CSV row; `site` is the absolute URL of the site root without its final slash.

    An orphaned passage keeps its quote, but its offsets no longer point into the
    current body, so `start` and `end` are left empty.
    """
    article = passage.article
    orphaned = passage.anchor_status == Annotation.AnchorStatus.ORPHANED
    cells = [
        passage.pk,
        article.pk,
        article.title,
        article.url,
        article.outlet.name,
        article.published.isoformat() if article.published else "",
        "; ".join(sorted(tag.name for tag in passage.tags.all())),
        passage.organization.name if passage.organization else "",
        passage.exact,
        passage.prefix,
        passage.suffix,
        "" if orphaned else passage.start,
        "" if orphaned else passage.end,
        passage.note,
        passage.annotator.get_username(),
        passage.created.isoformat(),
        passage.modified.isoformat(),
        site + passage.get_absolute_url(),
    ]
    return [neutralise(str(cell)) for cell in cells]


def csv_chunks(rows: Iterable[Iterable[str]]) -> Iterator[bytes]:
    """The header then `rows` as UTF-8 CSV, in chunks of about FLUSH_CHARS characters."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() >= FLUSH_CHARS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def passages_csv(passages, site: str) -> Iterator[bytes]:
    """Stream `passages` (a QuerySet) as CSV, fetched `GLOSS_EXPORT_CHUNK_SIZE` rows at a time."""
    chunk_size = settings.GLOSS_EXPORT_CHUNK_SIZE
    return csv_chunks(
        passage_row(passage, site) for passage in passages.iterator(chunk_size=chunk_size)
    )
