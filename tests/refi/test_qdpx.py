"""`/passages/export.qdpx` and `manage.py export_qdpx`: REFI-QDA projects, schema-valid,
exact to the code point, stable, and the same set as `/passages/` and its CSV export."""

import csv
import io
import re
import uuid
import zipfile
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.actions.revisions import article_revise
from annotations.actions.tags import tag_save
from annotations.models import Annotation
from publishing.refi.project import qdpx_chunks
from publishing.refi.qda import GLOSS_NAMESPACE, guid, row_guid
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_editor,
    make_organization,
    make_outlet,
    make_tag,
)
from tests.refi.helpers import P, Project, qdpx

pytestmark = pytest.mark.django_db

BODY = (
    "Le maire a dit\u00a0: \u00ab 42\u00a0% \u00bb \U0001f600 des \u00e9lecteurs. "
    "Caf\u00e9 ferm\u00e9.\n"
)


def coded():
    """An article whose text has NBSP, an emoji and accents, two passages after them."""
    annotator = make_annotator("ann", first_name="Ann", last_name="Oté")
    outlet = make_outlet("Le Planet", domain="planet.example")
    article = make_article(
        BODY,
        title="Vote \u00ab 42 % \u00bb",
        outlet=outlet,
        url="https://planet.example/vote",
        published=date(2024, 3, 1),
        author="R. Porter",
    )
    statistic = make_tag("figure", colour="#123abc", description="A number")
    sub = make_tag("percentage", colour="#abcdef")
    sub.parent = statistic
    tag_save(tag=sub)
    council = make_organization("City Council", kind="government")
    first = make_annotation(
        article,
        exact="42\u00a0% \u00bb \U0001f600 des",
        tags=[statistic, sub],
        organization=council,
        note="a figure, <sic> & \u00e9",
        annotator=annotator,
    )
    second = make_annotation(article, exact="Caf\u00e9 ferm\u00e9", annotator=annotator)
    return article, first, second, annotator, council


def test_the_project_is_schema_valid_and_exact_to_the_code_point(client):
    """One TextSource per article with the body as its text file, byte for byte; each
    passage a PlainTextSelection whose positions are code points into that text; a
    coding per tag and one for the organization; the note as a Note with a NoteRef; the
    annotator as a User; the tags nested in the CodeBook, organizations under a
    non-codable "Organizations" code."""
    article, first, second, annotator, council = coded()
    response, project = qdpx(client)
    assert response["X-Gloss-Row-Count"] == "2"
    assert response["Content-Disposition"].startswith('attachment; filename="gloss-passages-')
    source_guid = guid("article", article.pk)
    assert project.names() == ["project.qde", f"sources/{source_guid}.txt"]
    assert project.zip.read(f"sources/{source_guid}.txt") == BODY.encode("utf-8")
    [source] = project.sources()
    assert source.get("guid") == source_guid
    assert source.get("name") == "Vote \u00ab 42 % \u00bb"
    assert source.get("plainTextPath") == f"internal://{source_guid}.txt"
    assert source.findtext(f"{P}Description") == (
        "Outlet: Le Planet\nPublished: 2024-03-01\nAuthor: R. Porter\n"
        "URL: https://planet.example/vote"
    )
    text = project.text(source)
    selections = project.selections()
    assert [s.get("guid") for s in selections] == [
        guid("passage", first.pk),
        guid("passage", second.pk),
    ]
    for selection, passage in zip(selections, (first, second), strict=True):
        start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
        assert (start, end) == (passage.start, passage.end)
        assert text[start:end] == passage.exact  # code points, not UTF-16 units or bytes
        assert selection.get("creatingUser") == guid("user", annotator.pk)
    assert BODY.encode("utf-8")[: first.start] != BODY[: first.start]  # bytes would differ
    assert project.code_names(selections[0]) == ["City Council", "figure", "percentage"]
    assert project.code_names(selections[1]) == []
    [note_ref] = selections[0].findall(f"{P}NoteRef")
    [note] = project.root.findall(f"{P}Notes/{P}Note")
    assert note_ref.get("targetGUID") == note.get("guid") == guid("note", first.pk)
    assert note.findtext(f"{P}PlainTextContent") == "a figure, <sic> & \u00e9"
    [user] = project.root.findall(f"{P}Users/{P}User")
    assert (user.get("guid"), user.get("name"), user.get("id")) == (
        guid("user", annotator.pk),
        "Ann Oté",
        "ann",
    )
    codes = project.root.find(f"{P}CodeBook/{P}Codes")
    figure = next(c for c in codes.findall(f"{P}Code") if c.get("name") == "figure")
    assert (figure.get("color"), figure.findtext(f"{P}Description")) == ("#123abc", "A number")
    assert [c.get("name") for c in figure.findall(f"{P}Code")] == ["percentage"]
    organizations = codes.findall(f"{P}Code")[-1]
    assert (organizations.get("name"), organizations.get("isCodable")) == ("Organizations", "false")
    assert [(c.get("name"), c.get("guid")) for c in organizations.findall(f"{P}Code")] == [
        ("City Council", guid("organization", council.pk))
    ]


def without_timestamps(project: Project) -> bytes:
    """project.qde with the export's own time removed (the Project's two attributes)."""
    return re.sub(rb'(creation|modified)DateTime="[^"]*"', b"", project.qde, count=2)


def test_two_exports_of_the_same_data_differ_only_in_their_timestamps(client):
    """GUIDs are uuid5 of the ids: the same rows give the same project, whenever."""
    coded()
    _, one = qdpx(client)
    _, two = qdpx(client)
    assert re.search(rb'<Project [^>]*creationDateTime="[^"]+"', one.qde)
    assert without_timestamps(one) == without_timestamps(two)
    assert one.names() == two.names()
    for name in one.names()[1:]:
        assert one.zip.read(name) == two.zip.read(name)


def test_the_project_holds_exactly_the_filtered_set_of_the_csv_export(client):
    """`?tag=…&outlet=…` selects the same passages as /passages/export.csv."""
    quote = make_tag("quoted")
    outlets = [make_outlet(), make_outlet()]
    for outlet in outlets:
        for n in range(2):
            article = make_article(f"Mayor said no {n}. Council said yes.", outlet=outlet)
            make_annotation(article, exact="Mayor said no", tags=[quote])
            make_annotation(article, exact="Council said yes")
    query = f"?tag=quoted&outlet={outlets[1].slug}"
    csv_rows = list(
        csv.DictReader(io.StringIO(client.get("/passages/export.csv" + query).getvalue().decode()))
    )
    _, project = qdpx(client, query)
    assert project.passage_ids() == sorted(int(r["annotation_id"]) for r in csv_rows)
    assert len(project.sources()) == 2
    _, everything = qdpx(client)
    assert len(everything.selections()) == 8


def test_invalid_filters_export_an_empty_valid_project(client):
    coded()
    response, project = qdpx(client, "?tag=no-such-tag")
    assert response["X-Gloss-Row-Count"] == "0"
    assert project.names() == ["project.qde"]
    assert project.sources() == []


def test_anonymous_visitors_get_published_passages_of_published_articles_only(client):
    """Drafts stay out for visitors, as on every page; editors get them."""
    published = make_article("Public text here.")
    draft_article = make_article("Draft text here.", status="draft")
    shown = make_annotation(published, exact="Public")
    draft_passage = make_annotation(published, exact="text", status="draft")
    in_draft = make_annotation(draft_article, exact="Draft")
    _, project = qdpx(client)
    assert project.passage_ids() == [shown.pk]
    assert len(project.sources()) == 1
    assert all("Draft" not in project.zip.read(n).decode() for n in project.names()[1:])
    client.force_login(make_editor())
    _, project = qdpx(client)
    assert project.passage_ids() == sorted([shown.pk, draft_passage.pk, in_draft.pk])


def test_orphaned_passages_are_left_out_and_fuzzy_ones_point_into_the_new_text(client):
    editor = make_editor()
    article = make_article("Keep this sentence. Drop that sentence entirely now.")
    kept = make_annotation(article, exact="Keep this sentence.")
    gone = make_annotation(article, exact="Drop that sentence entirely now.")
    article_revise(article=article, body="New start. Keep this sentence.", editor=editor)
    assert Annotation.objects.get(pk=gone.pk).anchor_status == "orphaned"
    client.force_login(editor)
    _, project = qdpx(client)
    [selection] = project.selections()
    passage = Annotation.objects.get(pk=kept.pk)
    text = project.text(project.sources()[0])
    assert text == "New start. Keep this sentence."
    assert text[int(selection.get("startPosition")) : int(selection.get("endPosition"))] == (
        passage.exact
    )


def test_characters_xml_cannot_carry_are_replaced_and_the_file_stays_valid(client):
    """A scraped title with a form feed or a NUL-like control still exports (as U+FFFD);
    the source text keeps them: it is not XML."""
    article = make_article("Body\x0c with a form feed.", title="Title\x0b\x01 odd")
    make_annotation(article, exact="Body", note="note\x08")
    _, project = qdpx(client)
    article.refresh_from_db()
    assert "\x01" in article.title
    assert project.sources()[0].get("name") == article.title.replace("\x01", "\ufffd")
    assert project.root.find(f"{P}Notes/{P}Note").findtext(f"{P}PlainTextContent") == "note\ufffd"
    assert project.text(project.sources()[0]) == "Body\x0c with a form feed."


def test_the_export_costs_a_fixed_number_of_queries(client):
    """Users, tags, organizations, the passages (in chunks of GLOSS_EXPORT_CHUNK_SIZE,
    each with one query for its tags), the notes, the bodies: as many queries for 40
    passages as for 4. (Outside a test's transaction PostgreSQL adds one, which sets
    the export's isolation level.)"""
    article = make_article("One two three four five six seven eight nine ten.")
    words = article.body.rstrip(".").split()

    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/passages/export.qdpx")
            Project(b"".join(response.streaming_content))
        return len(queries)

    for word in words[:4]:
        make_annotation(article, exact=word, tags=["quote"], note="n")
    few = measure()
    assert few == 10
    for n in range(36):
        make_annotation(make_article(f"Word {n} here."), exact="Word", tags=["quote"], note="x")
    assert measure() == few


def test_the_command_writes_the_same_project_with_the_same_filters(tmp_path, client):
    """`export_qdpx PATH --tag … --outlet …` equals the download for an editor (the
    command sees drafts, unless --published-only)."""
    coded()
    other = make_outlet()
    make_annotation(make_article("Elsewhere said.", outlet=other), exact="Elsewhere")
    path = tmp_path / "out.qdpx"
    out = io.StringIO()
    call_command("export_qdpx", str(path), "--outlet", other.slug, stdout=out)
    assert out.getvalue() == f"Wrote 1 passages to {path}.\n"
    project = Project(path.read_bytes())
    assert len(project.selections()) == 1
    call_command("export_qdpx", str(path), "--tag", "figure", "--tag", "percentage", stdout=out)
    client.force_login(make_editor())
    _, download = qdpx(client, "?tag=figure&tag=percentage")
    assert without_timestamps(Project(path.read_bytes())) == without_timestamps(download)
    assert not list(tmp_path.glob("*.part"))


def test_the_command_refuses_an_unknown_filter_value_in_one_line(tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("export_qdpx", str(tmp_path / "x.qdpx"), "--tag", "nope")
    assert "--tag" in str(error.value) and "\n" not in str(error.value)
    assert not (tmp_path / "x.qdpx").exists()


def test_the_zip_is_streamed_in_many_chunks_with_data_descriptors():
    """The stream never seeks back: entries carry data descriptors, and the archive
    arrives piece by piece (one piece per chunk of passages at least)."""
    for n in range(5):
        make_annotation(make_article(f"Text number {n}."), exact="Text")
    chunks = list(qdpx_chunks(Annotation.objects.all()))
    assert len(chunks) > 3
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert all(info.flag_bits & 0x08 for info in archive.infolist())


def test_an_article_whose_passages_span_several_chunks_stays_one_source(settings):
    """Chunk boundaries change nothing: the same project with 2 rows a round trip as
    with 2000."""
    for n in range(3):
        article = make_article(f"Alpha beta gamma delta epsilon {n}.")
        for word in ("Alpha", "beta", "gamma", "delta", "epsilon"):
            make_annotation(article, exact=word, note=word)
    passages = Annotation.objects.all()
    whole = Project(b"".join(qdpx_chunks(passages)))
    settings.GLOSS_EXPORT_CHUNK_SIZE = 2
    chunked = Project(b"".join(qdpx_chunks(passages)))
    assert len(chunked.sources()) == 3
    assert without_timestamps(chunked) == without_timestamps(whole)


@pytest.mark.django_db(transaction=True)
def test_a_request_reads_one_snapshot_outside_any_transaction(client):
    """As in production (no test transaction around it): on PostgreSQL the export sets
    REPEATABLE READ READ ONLY on its own transaction, and the download is whole."""
    article, first, second, *_ = coded()
    with CaptureQueriesContext(connection) as queries:
        response, project = qdpx(client)
    assert project.passage_ids() == [first.pk, second.pk]
    isolation = [q["sql"] for q in queries if "ISOLATION LEVEL" in q["sql"]]
    expected = ["SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"]
    assert isolation == (expected if connection.vendor == "postgresql" else [])


def test_guids_are_uuid5_of_kind_and_ids_under_glosss_namespace():
    """The fast GUID is exactly `uuid.uuid5`, so anyone can recompute it from an id."""
    for kind, ids in (("tag", (1,)), ("coding", (12345, 7)), ("article", (10**9,))):
        expected = str(uuid.uuid5(GLOSS_NAMESPACE, ":".join([kind, *map(str, ids)])))
        assert guid(kind, *ids) == expected
    assert row_guid("user", 3) == guid("user", 3)
    assert GLOSS_NAMESPACE == uuid.uuid5(uuid.NAMESPACE_URL, "urn:gloss:refi-qda")
