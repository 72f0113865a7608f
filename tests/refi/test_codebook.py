"""`/tags/codebook.qdc` and `manage.py import_codebook`: the tags as a REFI-QDA codebook,
out and back in, by name, idempotent, and nothing written from a bad file."""

import io

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from annotations.actions.tags import tag_save
from annotations.codebook import read_codebook
from annotations.models import Tag
from audit.models import HistoryRecord
from publishing.refi.qda import guid
from tests.factories import make_annotation, make_tag
from tests.refi.helpers import C, codebook_schema

pytestmark = pytest.mark.django_db


def tree() -> list[tuple]:
    """Every tag as (name, colour, description, parent name), by name."""
    return sorted(
        (tag.name, tag.colour, tag.description, tag.parent.name if tag.parent else None)
        for tag in Tag.objects.select_related("parent")
    )


def nested_tags():
    # Light colours: an import refuses one the tag's name would be hard to read on.
    actors = make_tag("Actors", colour="#99ccff", description="Who speaks")
    for name, colour in (("Politicians", "#ffaaaa"), ("Experts", "#aaffaa")):
        child = make_tag(name, colour=colour, description=f"{name} & co <b>")
        child.parent = actors
        tag_save(tag=child)
    mayors = make_tag("Mayors \U0001f3db", colour="#ccccff")
    mayors.parent = Tag.objects.get(name="Politicians")
    tag_save(tag=mayors)


def download(client) -> bytes:
    response = client.get("/tags/codebook.qdc")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="gloss-codebook.qdc"'
    return response.content


def write(tmp_path, data: bytes | str, name="book.qdc"):
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def import_file(path) -> str:
    out = io.StringIO()
    call_command("import_codebook", str(path), stdout=out)
    return out.getvalue()


def test_the_codebook_is_schema_valid_and_nested_by_parent(client):
    nested_tags()
    data = download(client)
    codebook_schema().validate(io.BytesIO(data))
    root = etree.fromstring(data)
    assert root.tag == f"{C}CodeBook" and root.get("origin") == "Gloss"
    actors = next(c for c in root.iter(f"{C}Code") if c.get("name") == "Actors")
    assert actors.getparent().tag == f"{C}Codes"
    assert actors.get("guid") == guid("tag", Tag.objects.get(name="Actors").pk)
    assert (actors.get("color"), actors.get("isCodable")) == ("#99ccff", "true")
    assert [c.get("name") for c in actors.findall(f"{C}Code")] == ["Experts", "Politicians"]
    politicians = actors.findall(f"{C}Code")[1]
    assert politicians.findtext(f"{C}Description") == "Politicians & co <b>"
    assert [c.get("name") for c in politicians.findall(f"{C}Code")] == ["Mayors \U0001f3db"]


def test_the_codebook_costs_one_query_whatever_the_number_of_tags(client):
    nested_tags()
    with CaptureQueriesContext(connection) as few:
        download(client)
    for n in range(20):
        make_tag(f"more {n}")
    with CaptureQueriesContext(connection) as many:
        download(client)
    assert len(few) == len(many) == 1


def test_export_then_import_into_an_empty_tag_table_gives_the_same_tags(client, tmp_path):
    """The round trip: names, colours, descriptions and nesting come back."""
    nested_tags()
    before = tree()
    path = write(tmp_path, download(client))
    Tag.objects.update(parent=None)
    Tag.objects.all().delete()
    assert (
        import_file(path)
        == f"{len(before)} codes: {len(before)} tags created, 0 updated, 0 unchanged.\n"
    )
    assert tree() == before
    assert all(tag.slug for tag in Tag.objects.all())


def test_importing_twice_changes_nothing_the_second_time(client, tmp_path):
    nested_tags()
    path = write(tmp_path, download(client))
    Tag.objects.filter(name="Experts").update(colour="#ffffff", description="changed")
    assert "1 updated" in import_file(path)
    records = HistoryRecord.objects.count()
    state = tree()
    assert import_file(path).endswith(f"0 tags created, 0 updated, {len(state)} unchanged.\n")
    assert tree() == state
    assert HistoryRecord.objects.count() == records


def test_another_tools_codebook_updates_tags_by_name_and_keeps_what_it_does_not_say(tmp_path):
    """Matched by name whatever the case; a 3-digit colour is expanded; a code without a
    Description keeps the tag's; a non-codable grouping code becomes a parent tag;
    tags the file does not name are left alone; a tag can move under another even
    where the old nesting was the other way round."""
    quote = Tag.objects.get(slug="quote")
    quote_description = quote.description
    themes = make_tag("Themes")
    quote.parent = themes
    tag_save(tag=quote)
    make_annotation(tags=[quote])
    path = write(
        tmp_path,
        f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="MAXQDA">
  <Codes>
    <Code guid="{guid("x", 1)}" name="QUOTE" isCodable="true" color="#0F0">
      <Code guid="{guid("x", 2)}" name="themes" isCodable="false">
        <Description>Big ideas</Description>
      </Code>
    </Code>
  </Codes>
</CodeBook>""",
    )
    assert import_file(path) == "2 codes: 0 tags created, 2 updated, 0 unchanged.\n"
    quote.refresh_from_db()
    themes.refresh_from_db()
    assert (quote.name, quote.colour, quote.description, quote.parent) == (
        "QUOTE",
        "#00ff00",
        quote_description,
        None,
    )
    assert (themes.name, themes.description, themes.parent) == ("themes", "Big ideas", quote)
    assert Tag.objects.filter(slug="statistic").exists()


BAD = {
    "not XML": ("<CodeBook", "not well-formed XML"),
    "not UTF-8": (b"\xff\xfe<x/>", "not well-formed XML"),
    "wrong root": (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>',
        "not a valid QDA-XML codebook",
    ),
    "no isCodable": (
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        f'<Code guid="{guid("x", 1)}" name="a"/></Codes></CodeBook>',
        "not a valid QDA-XML codebook: line 1:",
    ),
    "bad colour": (
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        f'<Code guid="{guid("x", 1)}" name="a" isCodable="true" color="red"/></Codes></CodeBook>',
        "not a valid QDA-XML codebook",
    ),
    "a colour too dark to read on": (
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        f'<Code guid="{guid("x", 1)}" name="fine" isCodable="true" color="#ffe082"/>'
        f'<Code guid="{guid("x", 2)}" name="dark" isCodable="true" color="#1a237e"/>'
        "</Codes></CodeBook>",
        "Code 'dark': The tag's name would be hard to read on #1a237e",
    ),
    "an existing tag recoloured too dark": (
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        f'<Code guid="{guid("x", 1)}" name="Quote" isCodable="true" color="#333"/>'
        "</Codes></CodeBook>",
        "Code 'Quote': The tag's name would be hard to read on #333333",
    ),
    "same name twice": (
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        f'<Code guid="{guid("x", 1)}" name="new one" isCodable="true"/>\n'
        f'<Code guid="{guid("x", 2)}" name="New One" isCodable="true"/></Codes></CodeBook>',
        "line 2: a second code named 'New One' (line 1)",
    ),
    "name too long": (
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        f'<Code guid="{guid("x", 1)}" name="fine" isCodable="true"/>'
        f'<Code guid="{guid("x", 2)}" name="{"x" * 101}" isCodable="true"/></Codes></CodeBook>',
        "Code 'xxxx",
    ),
    "an entity bomb": (
        '<?xml version="1.0"?><!DOCTYPE b [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        f'<Code guid="{guid("x", 1)}" name="&b;" isCodable="true"/></Codes></CodeBook>',
        "it declares a DOCTYPE",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_file_exits_1_with_one_line_and_writes_nothing(tmp_path, capsys, monkeypatch, case):
    """Run as from the shell (exit status and stderr), on the test database: the
    command's closing of connections after an error is held back, or PostgreSQL's
    test transaction would go with it."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    data, message = BAD[case]
    path = write(tmp_path, data)
    before, records = tree(), HistoryRecord.objects.count()
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", "import_codebook", str(path)]).execute()
    assert exit_.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"CommandError: {path}: ")
    assert message in captured.err
    assert captured.err.count("\n") == 1
    assert tree() == before
    assert HistoryRecord.objects.count() == records


def test_a_missing_file_is_one_line_too(tmp_path):
    with pytest.raises(CommandError, match=r"nope.qdc: No such file or directory$"):
        call_command("import_codebook", str(tmp_path / "nope.qdc"))


def test_reading_keeps_parents_before_children(client):
    nested_tags()
    codes = read_codebook(download(client))
    order = [code.name for code in codes]
    for code in codes:
        if code.parent:
            assert order.index(code.parent) < order.index(code.name)


def test_a_dark_colour_a_tag_already_has_is_not_refused_again(tmp_path):
    """Only a new or changed colour is checked, as on the codebook page: a tag stored
    with a dark colour before the check existed is updated by a file that keeps it."""
    make_tag("Legacy", colour="#1a237e")
    path = write(
        tmp_path,
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        f'<Code guid="{guid("x", 1)}" name="Legacy" isCodable="true" color="#1a237e">'
        "<Description>Kept dark</Description></Code></Codes></CodeBook>",
    )
    assert "1 updated" in import_file(path)
    assert Tag.objects.get(name="Legacy").description == "Kept dark"
