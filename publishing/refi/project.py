"""The `.qdpx` project: a zip of `project.qde` (QDA-XML Project.xsd 1.0) and the texts.

    project.qde              Users, CodeBook, Sources (one TextSource per article, a
                             PlainTextSelection per passage), Notes
    sources/<guid>.txt       each article's body, exactly (UTF-8), which the offsets index

Built for a whole archive in flat memory: the XML is written element by element
(`lxml.etree.xmlfile`) straight into the zip entry, the zip is written to a sink that
is emptied after every article, passages and bodies are read from the database in
chunks, and nothing is held but one article's passages. Two passes over the rows (the
XML, then the bodies) run in one read-only transaction, REPEATABLE READ on PostgreSQL,
so they see the same data.

Positions are code points into the body (Python `str` indices), as everywhere in Gloss.
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
from publishing.refi.qda import ORIGIN, PROJECT_NS, guid, qualify, xml_text, xsd_datetime

q = qualify(PROJECT_NS)
# Passages per round trip; bodies are long, so they come fewer at a time.
BODY_CHUNK = 100


class _Sink:
    """A write-only file the zip writes into; `drain()` hands over what it holds.

    It cannot seek or tell, so `zipfile` writes each entry with a data descriptor
    (sizes after the data), which is what lets the zip be streamed."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self.parts)
        self.parts = []
        return data


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


def _description(article: Article) -> str:
    lines = [f"Outlet: {article.outlet.name}"]
    if article.published:
        lines.append(f"Published: {article.published.isoformat()}")
    if article.author:
        lines.append(f"Author: {article.author}")
    if article.url:
        lines.append(f"URL: {article.url}")
    return "\n".join(lines)


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


def _rows(passages) -> Iterator[list]:
    """The passages with article, outlet and annotator joined, a chunk at a time, each
    chunk with its tag ids (one more query per chunk)."""
    chunk_size = settings.GLOSS_EXPORT_CHUNK_SIZE
    rows = (
        passages.select_related("article__outlet")
        .only(
            "pk",
            "article_id",
            "start",
            "end",
            "note",
            "organization_id",
            "annotator_id",
            "created",
            "modified",
            "article__title",
            "article__url",
            "article__published",
            "article__author",
            "article__created",
            "article__modified",
            "article__outlet__name",
        )
        .iterator(chunk_size=chunk_size)
    )
    chunk = []
    for passage in rows:
        chunk.append(passage)
        if len(chunk) >= chunk_size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _selection(xf, passage, tag_ids: list[int]) -> None:
    user = guid("user", passage.annotator_id)
    created = xsd_datetime(passage.created)
    attributes = {
        "guid": guid("passage", passage.pk),
        "name": f"Passage {passage.pk}",
        "startPosition": str(passage.start),
        "endPosition": str(passage.end),
        "creatingUser": user,
        "creationDateTime": created,
        "modifyingUser": user,
        "modifiedDateTime": xsd_datetime(passage.modified),
    }
    codes = [("coding", guid("tag", tag_id), tag_id) for tag_id in tag_ids]
    if passage.organization_id:
        codes.append(("attribution", guid("organization", passage.organization_id), 0))
    with xf.element(q("PlainTextSelection"), attributes):
        for kind, code, tag_id in codes:
            coding = {
                "guid": guid(kind, passage.pk, tag_id),
                "creatingUser": user,
                "creationDateTime": created,
            }
            with xf.element(q("Coding"), coding):
                with xf.element(q("CodeRef"), {"targetGUID": code}):
                    pass
        if passage.note:
            with xf.element(q("NoteRef"), {"targetGUID": guid("note", passage.pk)}):
                pass


def _source_open(xf, stack: ExitStack, article: Article) -> None:
    attributes = {
        "guid": guid("article", article.pk),
        "name": xml_text(article.title),
        "plainTextPath": f"internal://{guid('article', article.pk)}.txt",
        "creationDateTime": xsd_datetime(article.created),
        "modifiedDateTime": xsd_datetime(article.modified),
    }
    stack.enter_context(xf.element(q("TextSource"), attributes))
    with xf.element(q("Description")):
        xf.write(xml_text(_description(article)))


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
            user = guid("user", annotator_id)
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
                tags = _tag_ids([passage.pk for passage in chunk])
                for passage in chunk:
                    if passage.article_id != current:
                        source.close()
                        if current is None:
                            sources.enter_context(xf.element(q("Sources")))
                        current = passage.article_id
                        _source_open(xf, source, passage.article)
                    _selection(xf, passage, tags[passage.pk])
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
    sink = _Sink()
    with transaction.atomic(using=passages.db):
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            entry = zipfile.ZipInfo("project.qde", date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(entry, "w", force_zip64=True) as qde:
                with etree.xmlfile(qde, encoding="utf-8") as xf:
                    for _ in _project_xml(xf, passages, now):
                        xf.flush()
                        if data := sink.drain():
                            yield data
            for pk, body in _bodies(passages):
                entry = zipfile.ZipInfo(f"sources/{guid('article', pk)}.txt", date_time=stamp)
                entry.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(entry, body.encode("utf-8"))
                if data := sink.drain():
                    yield data
        if data := sink.drain():  # the zip's central directory
            yield data
