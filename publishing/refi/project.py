"""The `.qdpx` project: a zip of `project.qde` (QDA-XML Project.xsd 1.0) and the texts.

    project.qde              Users, CodeBook, Sources (one TextSource per article, a
                             PlainTextSelection per passage), Notes
    sources/<guid>.txt       each article's body, exactly (UTF-8), which the offsets index

Built for a whole archive in flat memory: the XML is written element by element
(`lxml.etree.xmlfile`) straight into the zip entry, the zip is written to a sink that
is emptied after every article and keeps its entries compact until the central directory
(`streamzip`), passages and bodies are read from the database in chunks, and nothing is
held but one article's passages. Two passes over the rows (the
XML, then the bodies) run in one read-only transaction, REPEATABLE READ on PostgreSQL,
so they see the same data.

Positions are code points into the body (Python `str` indices), as everywhere in Gloss.
A coding round's consensus passage (`adjudicated`) says so in its selection's
`<Description>` (`ADJUDICATED`), the one free-text field a selection has.
Orphaned passages are left out: their text is no longer in the body, so they have no
position (the CSV export keeps their quote).
"""

import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.utils import timezone
from lxml import etree

from annotations.models import TaggedAnnotation
from articles.models import Article, Organization
from publishing.refi.codebook import tags_for_codebook, write_codes
from publishing.refi.qda import (
    ORIGIN,
    PROJECT_NS,
    guid,
    qualify,
    row_guid,
    xml_text,
    xsd_datetime,
)
from publishing.refi.streamzip import Sink, open_archive

q = qualify(PROJECT_NS)
# The description of a selection that is a coding round's consensus passage.
ADJUDICATED = "Adjudicated: the consensus passage of a coding round."
# Articles per round trip when the bodies are read (they are long).
BODY_CHUNK = 100
# Deflate's fast end: the XML is repetitive, so level 1 already shrinks it about
# tenfold, at a fraction of the default level's time (measured: 7.6 s of 17 s at 6).
COMPRESS_LEVEL = 1


def exported_passages(passages):
    """The passages a project holds: placed ones, grouped by article, in text order."""
    return passages.anchored().order_by("article_id", "start", "end", "pk")


def _users(passages) -> list:
    User = get_user_model()
    return list(
        User.objects.filter(pk__in=passages.order_by().values("annotator_id"))
        .order_by("pk")
        .only("pk", "username", "first_name", "last_name")
    )


def _organizations(passages) -> list[tuple]:
    return list(
        Organization.objects.filter(pk__in=passages.order_by().values("organization_id"))
        .order_by("name", "pk")
        .values_list("pk", "name", "kind")
    )


def _tag_ids(passage_ids: list[int]) -> dict[int, list[int]]:
    tags: dict[int, list[int]] = {pk: [] for pk in passage_ids}
    rows = (
        TaggedAnnotation.objects.filter(content_object_id__in=passage_ids)
        .order_by("content_object_id", "tag_id")
        .values_list("content_object_id", "tag_id")
    )
    for passage_id, tag_id in rows:
        tags[passage_id].append(tag_id)
    return tags


# The columns of a passage row, as `_rows` reads them (tuples, not model instances:
# an archive export reads a million of them).
PASSAGE_COLUMNS = (
    "pk",
    "article_id",
    "start",
    "end",
    "note",
    "organization_id",
    "annotator_id",
    "created",
    "modified",
    "adjudicated",
)
ARTICLE_COLUMNS = (
    "article__title",
    "article__url",
    "article__published",
    "article__author",
    "article__created",
    "article__modified",
    "article__outlet__name",
)
# Then the passage's tag field values (`Annotation.fields`), last.
ARTICLE_INDEX = len(PASSAGE_COLUMNS)
FIELDS_INDEX = ARTICLE_INDEX + len(ARTICLE_COLUMNS)


def _rows(passages) -> Iterator[list[tuple]]:
    """The passages with their article's and outlet's columns, a chunk at a time."""
    chunk_size = settings.GLOSS_EXPORT_CHUNK_SIZE
    rows = passages.values_list(*PASSAGE_COLUMNS, *ARTICLE_COLUMNS, "fields").iterator(
        chunk_size=chunk_size
    )
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= chunk_size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _selection(xf, row: tuple, tag_ids: list[int]) -> None:
    pk, _article, start, end, note, organization_id, annotator_id, created, modified = row[:9]
    adjudicated = row[9]
    user = row_guid("user", annotator_id)
    created = xsd_datetime(created)
    attributes = {
        "guid": guid("passage", pk),
        "name": f"Passage {pk}",
        "startPosition": str(start),
        "endPosition": str(end),
        "creatingUser": user,
        "creationDateTime": created,
        "modifyingUser": user,
        "modifiedDateTime": xsd_datetime(modified),
    }
    codes = [("coding", row_guid("tag", tag_id), tag_id) for tag_id in tag_ids]
    if organization_id:
        codes.append(("attribution", row_guid("organization", organization_id), 0))
    values = row[FIELDS_INDEX] or {}
    with xf.element(q("PlainTextSelection"), attributes):
        # The one free-text field a selection has: the consensus marker, then the passage's
        # tag field values, one `<tag>.<field>: value` line each (by key).
        lines = [ADJUDICATED] if adjudicated else []
        lines += [f"{key}: {values[key]}" for key in sorted(values)]
        if lines:
            with xf.element(q("Description")):
                xf.write(xml_text("\n".join(lines)))
        for kind, code, tag_id in codes:
            coding = {
                "guid": guid(kind, pk, tag_id),
                "creatingUser": user,
                "creationDateTime": created,
            }
            with xf.element(q("Coding"), coding):
                with xf.element(q("CodeRef"), {"targetGUID": code}):
                    pass
        if note:
            with xf.element(q("NoteRef"), {"targetGUID": guid("note", pk)}):
                pass


def _description(row: tuple) -> str:
    _title, url, published, author, _created, _modified, outlet = row[ARTICLE_INDEX:FIELDS_INDEX]
    lines = [f"Outlet: {outlet}"]
    if published:
        lines.append(f"Published: {published.isoformat()}")
    if author:
        lines.append(f"Author: {author}")
    if url:
        lines.append(f"URL: {url}")
    return "\n".join(lines)


def _source_open(xf, stack: ExitStack, row: tuple) -> None:
    article_id, (title, _url, _published, _author, created, modified, _outlet) = (
        row[1],
        row[ARTICLE_INDEX:FIELDS_INDEX],
    )
    source = guid("article", article_id)
    attributes = {
        "guid": source,
        "name": xml_text(title),
        "plainTextPath": f"internal://{source}.txt",
        "creationDateTime": xsd_datetime(created),
        "modifiedDateTime": xsd_datetime(modified),
    }
    stack.enter_context(xf.element(q("TextSource"), attributes))
    with xf.element(q("Description")):
        xf.write(xml_text(_description(row)))


def _notes(xf, passages) -> Iterator[None]:
    """`<Notes>`: one Note per passage with a note (yields after each chunk)."""
    rows = (
        passages.exclude(note="")
        .order_by("pk")
        .values_list("pk", "note", "annotator_id", "created", "modified")
        .iterator(chunk_size=settings.GLOSS_EXPORT_CHUNK_SIZE)
    )
    with ExitStack() as section:
        for count, (pk, note, annotator_id, created, modified) in enumerate(rows, start=1):
            if count == 1:
                section.enter_context(xf.element(q("Notes")))
            user = row_guid("user", annotator_id)
            attributes = {
                "guid": guid("note", pk),
                "name": f"Note on passage {pk}",
                "creatingUser": user,
                "creationDateTime": xsd_datetime(created),
                "modifyingUser": user,
                "modifiedDateTime": xsd_datetime(modified),
            }
            with xf.element(q("Note"), attributes):
                with xf.element(q("PlainTextContent")):
                    xf.write(xml_text(note))
            if count % settings.GLOSS_EXPORT_CHUNK_SIZE == 0:
                yield


def _project_xml(xf, passages, now: datetime) -> Iterator[None]:
    """Write project.qde into `xf`, yielding whenever a good amount was written."""
    xf.write_declaration()
    project = {
        "name": "Gloss passages",
        "origin": ORIGIN,
        "creationDateTime": xsd_datetime(now),
        "modifiedDateTime": xsd_datetime(now),
    }
    with xf.element(q("Project"), project, nsmap={None: PROJECT_NS}):
        users = _users(passages)
        if users:
            with xf.element(q("Users")):
                for user in users:
                    name = user.get_full_name() or user.get_username()
                    attributes = {
                        "guid": guid("user", user.pk),
                        "name": xml_text(name),
                        "id": xml_text(user.get_username()),
                    }
                    with xf.element(q("User"), attributes):
                        pass
        with xf.element(q("CodeBook")):
            write_codes(xf, PROJECT_NS, tags_for_codebook(), _organizations(passages))
        yield
        with ExitStack() as sources:
            current = None
            source = ExitStack()
            for chunk in _rows(passages):
                tags = _tag_ids([row[0] for row in chunk])
                for row in chunk:
                    if row[1] != current:
                        source.close()
                        if current is None:
                            sources.enter_context(xf.element(q("Sources")))
                        current = row[1]
                        _source_open(xf, source, row)
                    _selection(xf, row, tags[row[0]])
                yield
            source.close()
        yield from _notes(xf, passages)


def _bodies(passages) -> Iterator[tuple[int, str]]:
    articles = (
        Article.objects.filter(pk__in=passages.order_by().values("article_id"))
        .order_by("pk")
        .only("pk", "body")
        .iterator(chunk_size=BODY_CHUNK)
    )
    for article in articles:
        yield article.pk, article.body


def qdpx_chunks(passages, *, now: datetime | None = None) -> Iterator[bytes]:
    """The `.qdpx` of `passages` (a QuerySet), as a stream of bytes."""
    passages = exported_passages(passages)
    now = now or timezone.now()
    stamp = now.astimezone(timezone.get_current_timezone()).timetuple()[:6]
    connection = connections[passages.db]
    outermost = not connection.in_atomic_block
    sink = Sink()
    with transaction.atomic(using=passages.db):
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        with open_archive(sink) as archive:
            entry = zipfile.ZipInfo("project.qde", date_time=stamp)
            entry.compress_type, entry.compress_level = zipfile.ZIP_DEFLATED, COMPRESS_LEVEL
            with archive.open(entry, "w", force_zip64=True) as qde:
                with etree.xmlfile(qde, encoding="utf-8") as xf:
                    for _ in _project_xml(xf, passages, now):
                        xf.flush()
                        if data := sink.drain():
                            yield data
            for pk, body in _bodies(passages):
                entry = zipfile.ZipInfo(f"sources/{guid('article', pk)}.txt", date_time=stamp)
                entry.compress_type, entry.compress_level = zipfile.ZIP_DEFLATED, COMPRESS_LEVEL
                archive.writestr(entry, body.encode("utf-8"))
                if data := sink.drain():
                    yield data
        if data := sink.drain():  # the zip's central directory
            yield data
