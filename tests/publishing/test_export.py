"""`/passages/export.csv`: the filtered passages as RFC 4180 CSV, streamed, formula-safe."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.utils import timezone

from annotations.models import Annotation
from publishing.exports import HEADER, neutralise
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_organization,
    make_outlet,
    make_tag,
)

pytestmark = pytest.mark.django_db

EXPORT = "/passages/export.csv"
HEADER_LINE = (
    b"annotation_id,article_id,article_title,article_url,outlet,published,tags,organization,"
    b"quote,prefix,suffix,start,end,note,annotator,created,modified,permalink,adjudicated\r\n"
)
WHEN = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


def export(client, query=""):
    response = client.get(EXPORT + query)
    assert response.status_code == 200
    assert response.streaming
    return response, b"".join(response.streaming_content)


def rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))


def test_export_is_exact_csv_bytes_with_header_filename_and_row_count(client):
    """One passage gives the header and one CRLF row, quoted only where needed."""
    outlet = make_outlet('Daily, "Planet"', domain="planet.example")
    organization = make_organization("Union of Testers")
    body = 'Intro text. He said "we won" in court.\nNext line.'
    article = make_article(
        body,
        title="Court win",
        outlet=outlet,
        url="https://planet.example/a",
        published=date(2020, 1, 2),
    )
    make_tag("beta")
    passage = make_annotation(
        article,
        exact='"we won" in court.\nNext',
        tags=["beta", "quote"],
        organization=organization,
        note="multi\nline, note",
        annotator=make_annotator("ann"),
    )
    Annotation.objects.filter(pk=passage.pk).update(created=WHEN, modified=WHEN)

    response, content = export(client)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    filename = f"gloss-passages-{timezone.localdate().isoformat()}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["X-Gloss-Row-Count"] == "1"
    start = body.index('"we won"')
    assert (
        content
        == HEADER_LINE
        + (
            f'{passage.pk},{article.pk},Court win,https://planet.example/a,"Daily, ""Planet""",'
            f"2020-01-02,beta; quote,Union of Testers,"
            f'"""we won"" in court.\nNext",Intro text. He said , line.,{start},{start + 23},'
            f'"multi\nline, note",ann,2024-05-06T07:08:09+00:00,2024-05-06T07:08:09+00:00,'
            f"http://testserver/articles/{article.slug}/#passage-{passage.pk},false\r\n"
        ).encode()
    )


def test_every_exported_quote_is_the_article_body_between_its_offsets(client):
    """Non-ASCII text (NBSP, curly quotes, emoji) keeps code-point offsets exact."""
    body = "Caf\u00e9 \u201cquoted\u201d\u00a0text 😀 with emoji and more words here."
    article = make_article(body)
    for exact in ("\u201cquoted\u201d", "😀 with", "more words"):
        make_annotation(article, exact=exact)
    _, content = export(client)
    header, *data = rows(content)
    assert header == list(HEADER)
    assert len(data) == 3
    for row in data:
        record = dict(zip(HEADER, row, strict=True))
        assert record["quote"] == body[int(record["start"]) : int(record["end"])]


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r", "  =", " \t+"])
def test_neutralise_prefixes_a_quote_to_anything_a_spreadsheet_would_evaluate(trigger):
    assert neutralise(trigger + "SUM(A1)") == "'" + trigger + "SUM(A1)"


def test_neutralise_leaves_ordinary_text_alone():
    for value in ("", "plain", "2020-01-02", "12", "a=b", "'quoted"):
        assert neutralise(value) == value


def test_no_exported_cell_in_any_column_can_start_a_formula(client):
    """Every text the project stores (title, outlet, URL, tags, organization, quote,
    context, note, username) is made hostile; no cell of the export may evaluate."""
    hostile = '=HYPERLINK("http://evil")'
    outlet = make_outlet("+Outlet", domain="plus.example")
    organization = make_organization("@Org")
    body = f"-lead {hostile} tail =end"
    article = make_article(body, title="=Title", outlet=outlet)
    make_tag("-minus")
    make_annotation(
        article,
        exact=hostile,
        tags=["-minus"],
        organization=organization,
        note="\t=note",
        annotator=make_annotator("@user"),
    )
    _, content = export(client)
    header, *data = rows(content)
    assert len(data) == 1
    for column, cell in zip(header, data[0], strict=True):
        stripped = cell.lstrip()
        assert not cell.startswith(("\t", "\r")), column
        assert not stripped.startswith(("=", "+", "-", "@")), (column, cell)
    record = dict(zip(header, data[0], strict=True))
    assert record["quote"] == "'" + hostile
    assert record["article_title"] == "'=Title"
    assert record["note"] == "'\t=note"
    assert record["annotator"] == "'@user"
    assert record["outlet"] == "'+Outlet"
    assert record["organization"] == "'@Org"
    assert record["tags"] == "'-minus"
    assert record["prefix"] == "'-lead "


def test_export_uses_the_listing_filters_and_never_includes_drafts(client):
    tag = make_tag("wanted")
    outlet = make_outlet()
    article = make_article("alpha beta gamma delta", outlet=outlet)
    wanted = make_annotation(article, exact="alpha", tags=[tag])
    make_annotation(article, exact="beta")  # untagged
    make_annotation(article, exact="gamma", tags=[tag], status="draft")
    draft_article = make_article("alpha in a draft", outlet=outlet, status="draft")
    make_annotation(draft_article, exact="alpha", tags=[tag])

    response, content = export(client, f"?tag={tag.slug}&outlet={outlet.slug}")
    assert response["X-Gloss-Row-Count"] == "1"
    assert [row[0] for row in rows(content)[1:]] == [str(wanted.pk)]


def test_invalid_filters_export_the_header_only(client):
    make_annotation()
    response, content = export(client, "?published_after=not-a-date&tag=no-such-tag")
    assert response["X-Gloss-Row-Count"] == "0"
    assert content == HEADER_LINE


def test_orphaned_passage_is_exported_with_its_quote_and_no_offsets(client):
    passage = make_annotation(make_article("one two three"), exact="two")
    Annotation.objects.filter(pk=passage.pk).update(anchor_status="orphaned")
    _, content = export(client)
    record = dict(zip(HEADER, rows(content)[1], strict=True))
    assert (record["quote"], record["start"], record["end"]) == ("two", "", "")


def test_large_export_streams_every_row_in_chunks_with_constant_queries(
    client, settings, django_assert_num_queries
):
    """1,200 passages in batches of 500: the count, the field columns, then one query for
    every row (both databases write the CSV's cells in that one query)."""
    settings.GLOSS_EXPORT_CHUNK_SIZE = 500
    tag = make_tag("bulk")
    annotator = make_annotator()
    article = make_article("word " * 1200)
    passages = Annotation.objects.bulk_create(
        Annotation(
            article=article,
            start=i * 5,
            end=i * 5 + 4,
            exact="word",
            prefix="",
            suffix="",
            annotator=annotator,
        )
        for i in range(1200)
    )
    tag.tagged_annotations.model.objects.bulk_create(
        tag.tagged_annotations.model(content_object=p, tag=tag) for p in passages
    )
    # PostgreSQL: the count, the tag fields' keys (the header's last columns), then one COPY
    # that Django's query log does not see; SQLite: the count, the keys and one SELECT,
    # fetched 500 rows at a time.
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 3):
        response = client.get(EXPORT)
        chunks = list(response.streaming_content)
    assert response["X-Gloss-Row-Count"] == "1200"
    assert len(chunks) > 2  # streamed in pieces, not built as one string
    data = rows(b"".join(chunks))[1:]
    assert len(data) == 1200
    assert {row[6] for row in data} == {"bulk"}
    assert [int(row[0]) for row in data] == [p.pk for p in passages]
