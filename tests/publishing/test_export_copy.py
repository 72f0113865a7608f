"""Both fast exports (PostgreSQL's COPY, SQLite's rows written as CSV by the database)
give the Python export's bytes; failures are never silent."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from annotations.actions.fields import tag_field_define
from annotations.models import Annotation, Tag, TagField, TaggedAnnotation
from publishing import exports, views
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_organization,
    make_tag,
)

pytestmark = pytest.mark.django_db

SITE = "http://testserver"
# Whitespace Python strips before a formula trigger, beyond the ASCII ones.
NBSP, LINE_SEP, IDEO_SPACE = "\u00a0", "\u2028", "\u3000"


def python_csv(passages) -> bytes:
    keys = TagField.objects.keys()
    return b"".join(
        exports.csv_chunks(
            (exports.passage_row(p, SITE, keys) for p in passages.for_listing()), keys
        )
    )


@pytest.fixture
def tricky():
    """Passages whose cells hit every quoting, neutralising and formatting rule."""
    body = (
        f'=SUM(A1) opens it, "quoted", then\n\nline two;{NBSP}-minus{LINE_SEP}+plus '
        f"\ttab {IDEO_SPACE}@at and the rest: é, 😀, \\. alone."
    )
    article = make_article(body, title="=HYPERLINK()", url="https://x.example/a")
    for name in ("Zeta", "alpha", "Émile", "-dash", "beta"):
        make_tag(name)
    org = make_organization('+Org, "quoted"')
    annotator = make_annotator("@someone")
    notes = ["", " =1+1", f"{NBSP}-2", "\tTab", "\rCR", f"{IDEO_SPACE}@x", "plain", "a\nb"]
    spans = [("=SUM(A1)", ["Zeta", "alpha"]), ('"quoted", then\n\nline', ["Émile"])]
    spans += [(f"{NBSP}-minus", ["-dash", "beta"]), ("😀, \\. alone.", [])]
    spans += [(f"{LINE_SEP}+plus", []), (f"{IDEO_SPACE}@at", ["alpha"])]
    # Typed fields: their columns follow the others, cells as tricky as the rest.
    alpha = Tag.objects.get(name="alpha")
    tag_field_define(tag=alpha, name="who", kind="text")
    tag_field_define(tag=alpha, name="n", kind="number")
    tag_field_define(tag=Tag.objects.get(name="Zeta"), name="year", kind="integer")
    values = {
        0: {"alpha.who": '=cmd "x", y\nz', "alpha.n": "-0.25", "zeta.year": 2024},
        5: {"alpha.who": f"{NBSP}+😀", "alpha.n": 60000},
    }
    made = []
    for i, (exact, tags) in enumerate(spans):
        made.append(
            make_annotation(
                article,
                exact=exact,
                tags=tags,
                note=notes[i % len(notes)],
                organization=org if i % 2 else None,
                annotator=annotator,
                fields=values.get(i),
            )
        )
    # A whole-second timestamp (isoformat drops the fraction) and an orphan (no offsets).
    when = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    Annotation.objects.filter(pk=made[0].pk).update(created=when, modified=when)
    Annotation.objects.filter(pk=made[1].pk).update(anchor_status=Annotation.AnchorStatus.ORPHANED)
    return made


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_export_is_byte_identical_to_the_python_export(tricky):
    passages = Annotation.objects.published()
    expected = python_csv(passages)
    copied = b"".join(exports.passages_csv_copy(passages.for_listing(), SITE))
    assert copied == expected
    assert b"'=SUM(A1)" in copied and f"'{NBSP}-2".encode() in copied
    assert copied.split(b"\r\n")[0].endswith(b",adjudicated,alpha.who,alpha.n,zeta.year")
    assert b"'-0.25,2024" in copied


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite path")
def test_sqlite_export_is_byte_identical_to_the_python_export(tricky):
    passages = Annotation.objects.published()
    expected = python_csv(passages)
    written = b"".join(exports.passages_csv_rows(passages.for_listing(), SITE))
    assert written == expected
    assert b"'=SUM(A1)" in written and f"'{NBSP}-2".encode() in written
    assert written.split(b"\r\n")[0].endswith(b",adjudicated,alpha.who,alpha.n,zeta.year")
    assert b"'-0.25,2024" in written


def test_either_fast_export_neutralises_and_quotes_every_text_cell_as_python_does():
    """Every lookalike start the pattern knows, in every text column and the tags: the
    database's own path (COPY on PostgreSQL, rows written by SQLite) gives the reference
    bytes, so the two databases export the same file."""
    starts = ["=", "+", "-", "@", "\t", "\r", " =", "\n+", "\u200b=", "\ufeff\t", "\uff1d",
              "\u3000@", "\u00a0-", "\u2028+", "a,b", 'q"q', "x\ny", "plain", ""]  # fmt: skip
    body = " ".join(f"w{i} {s}tail{i}." for i, s in enumerate(starts))
    article = make_article(body, title="-title", url="https://x.example/b")
    annotator = make_annotator("+user")
    make_tag("zz")
    for i, start in enumerate(starts[:-1]):
        tag = make_tag(f"{start}tag{i}")
        org = make_organization(f"{start}org{i}")
        exact = f"{start}tail{i}"
        passage = make_annotation(
            article, exact=exact, tags=["zz"], note=f"{start}n", organization=org,
            annotator=annotator,
        )  # fmt: skip
        TaggedAnnotation.objects.create(content_object=passage, tag=tag)
    passages = Annotation.objects.published()
    written = b"".join(exports.passages_csv(passages.for_listing(), SITE))
    assert written == python_csv(passages)
    assert b"'+user" in written and b"'-title" in written and b"'\xef\xbc\x9dtail" in written


def test_export_view_gives_the_python_export_bytes_on_either_database(client, tricky):
    response = client.get("/passages/export.csv")
    assert b"".join(response.streaming_content) == python_csv(Annotation.objects.published())
    assert response["X-Gloss-Row-Count"] == str(len(tricky))


def test_a_failure_mid_stream_reaches_the_server_instead_of_ending_the_file(
    client, tricky, monkeypatch
):
    """The status and row count are sent first; an error after them must not look like a
    complete download. It propagates out of the response iterator, so the server (gunicorn)
    drops the connection without the last chunk and the client sees an incomplete body."""

    def failing(passages, site):
        yield b"annotation_id,...\r\n"
        raise ConnectionError("database went away")

    monkeypatch.setattr(views, "passages_csv", failing)
    response = client.get("/passages/export.csv")
    assert response.status_code == 200
    assert response["X-Gloss-Row-Count"] == str(len(tricky))
    content = iter(response.streaming_content)
    assert next(content).startswith(b"annotation_id,")
    with pytest.raises(ConnectionError):
        next(content)
