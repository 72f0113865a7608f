"""The `adjudicated` marker of a round's consensus passages is in every export: the CSV
column, a `classifying` body in the W3C annotations (still valid, and not read back as a
tag), the selection's description in the REFI-QDA project (still valid)."""

import json

import pytest

from annotations.imports.formats import parse
from rounds.actions import consensus_edit, consensus_keep, round_close
from tests.publishing.w3c.schemas import assert_valid_annotation, assert_valid_page
from tests.refi.helpers import P, qdpx
from tests.rounds.helpers import BODY, blind_round
from tests.rounds.test_visibility import csv_ids

pytestmark = pytest.mark.django_db

MARKER = {"type": "TextualBody", "purpose": "classifying", "value": "adjudicated"}


def closed_round():
    """A closed round with two consensus passages (one tagged, one bare) and a passage
    outside the round."""
    s = blind_round()
    tagged = consensus_keep(
        round=s.round, passage=s.bob_passage, others=[s.ana_passage], editor=s.editor
    ).passage
    start = BODY.index("The union")
    bare = consensus_edit(
        round=s.round,
        passages=[s.ana_passage],
        start=start,
        end=start + len("The union"),
        exact="The union",
        tags=[],
        editor=s.editor,
    ).passage
    round_close(round=s.round, editor=s.editor, coder_passages="delete")
    return s, tagged, bare


def test_w3c_annotations_carry_the_marker_and_stay_valid(client):
    s, tagged, bare = closed_round()
    annotations = {}
    for passage in (tagged, bare, s.outside):
        response = client.get(f"/annotations/{passage.pk}")
        assert response.status_code == 200
        annotations[passage.pk] = data = json.loads(response.content)
        assert_valid_annotation(data)
    assert annotations[tagged.pk]["motivation"] == "tagging"
    assert annotations[tagged.pk]["body"] == [
        {"type": "TextualBody", "purpose": "tagging", "value": "statistic"},
        MARKER,
    ]
    assert annotations[bare.pk]["motivation"] == "classifying"
    assert annotations[bare.pk]["body"] == [MARKER]
    assert MARKER not in annotations[s.outside.pk]["body"]
    # The container's page and the JSON-LD export say the same, byte for byte.
    page = client.get("/annotations/").json()["first"]
    assert_valid_page(page)
    export = json.loads(b"".join(client.get("/passages/export.jsonld").streaming_content))
    for items in (page["items"], export["first"]["items"]):
        by_id = {item["id"]: item for item in items}
        for pk, annotation in annotations.items():
            embedded = {k: v for k, v in annotation.items() if k != "@context"}
            assert by_id[annotation["id"]] == embedded, pk
    # Read back by the annotation importer, the marker is no tag.
    items, problems = parse(annotations[tagged.pk])
    assert not problems and items[0].tags == ("statistic",)


def test_the_refi_project_describes_adjudicated_selections_and_stays_valid(client):
    s, tagged, bare = closed_round()
    _, project = qdpx(client)  # validated against Project.xsd
    descriptions = {
        int(selection.get("name").removeprefix("Passage ")): selection.findtext(f"{P}Description")
        for selection in project.selections()
    }
    assert descriptions == {
        tagged.pk: "Adjudicated: the consensus passage of a coding round.",
        bare.pk: "Adjudicated: the consensus passage of a coding round.",
        s.outside.pk: None,
    }


def test_the_csv_column_and_the_filter_agree(client):
    s, tagged, bare = closed_round()
    assert csv_ids(client, "?adjudicated=yes") == {tagged.pk, bare.pk}
    assert csv_ids(client, "?adjudicated=no") == {s.outside.pk}
    _, project = qdpx(client, "?adjudicated=yes")
    assert project.passage_ids() == sorted([tagged.pk, bare.pk])
    page = client.get("/passages/?adjudicated=yes").content.decode()
    assert f"passage-{tagged.pk}" in page and f"passage-{s.outside.pk}" not in page
