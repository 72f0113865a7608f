"""The CSV's columns and the reference export: model instances through `passage_row`,
written by Python's csv module. The two fast paths (`sqlite`, `copy`) are tested to give
its bytes."""

import csv
import io
from collections.abc import Iterable, Iterator

from django.conf import settings

from annotations.models import Annotation, TagField
from publishing.exports.formulas import neutralise

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
    # Appended after the columns scripts already read by position (issue 16).
    "adjudicated",
)
# Then one column per defined tag field (`statistic.value`, ...), in `TagField` order
# (`TagFieldQuerySet.keys()`): empty where a passage has no value.
# Rows are written into a buffer and sent once it holds this many characters: few large
# writes to the socket, and memory bounded by the buffer, not by the number of rows.
FLUSH_CHARS = 64 * 1024


def passage_row(passage: Annotation, site: str, keys: Iterable[str] = ()) -> list[str]:
    """One CSV row; `site` is the absolute URL of the site root without its final slash,
    `keys` the field columns'.

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
        "true" if passage.adjudicated else "false",
        *(passage.fields.get(key, "") for key in keys),
    ]
    return [neutralise(str(cell)) for cell in cells]


def header_line(keys: Iterable[str]) -> bytes:
    header = io.StringIO()
    csv.writer(header, lineterminator="\r\n").writerow((*HEADER, *keys))
    return header.getvalue().encode("utf-8")


def csv_chunks(rows: Iterable[Iterable[str]], keys: Iterable[str] = ()) -> Iterator[bytes]:
    """The header then `rows` as UTF-8 CSV, in chunks of about FLUSH_CHARS characters."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow((*HEADER, *keys))
    for row in rows:
        writer.writerow(row)
        if buffer.tell() >= FLUSH_CHARS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def passages_csv_python(passages, site: str) -> Iterator[bytes]:
    """The reference export: model instances through `passage_row`. Both fast paths are
    tested to give its bytes."""
    chunk_size = settings.GLOSS_EXPORT_CHUNK_SIZE
    keys = TagField.objects.keys()
    return csv_chunks(
        (passage_row(passage, site, keys) for passage in passages.iterator(chunk_size=chunk_size)),
        keys,
    )
