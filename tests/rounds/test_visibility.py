"""Blind rounds on every read path: a coder sees only their own passages on the round's
articles until it closes; open rounds' passages stay off the public site until their
consensus is published; the facet counts follow."""

import csv
import io
import json

import pytest

from publishing.counts import contributions, stored_counts
from rounds.actions import consensus_keep, round_close
from tests.refi.helpers import qdpx
from tests.rounds.helpers import blind_round

pytestmark = pytest.mark.django_db


def csv_ids(client, query="") -> set[int]:
    response = client.get("/passages/export.csv" + query)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    return {int(row["annotation_id"]) for row in rows}


def w3c_ids(client) -> set[int]:
    body = client.get("/annotations/").json()
    return {int(item["id"].rsplit("/", 1)[1]) for item in body["first"]["items"]}


def jsonld_ids(client) -> set[int]:
    response = client.get("/passages/export.jsonld")
    body = json.loads(b"".join(response.streaming_content))
    return {int(item["id"].rsplit("/", 1)[1]) for item in body["first"]["items"]}


def api_ids(client) -> set[int]:
    return {row["id"] for row in client.get("/api/annotations/").json()["results"]}


def html_ids(client, path: str, candidates) -> set[int]:
    content = client.get(path).content.decode()
    return {p.pk for p in candidates if f"passage-{p.pk}" in content}


def seen(client, s, *, staff: bool) -> dict[str, set[int]]:
    """Which of the three passages each read path shows this client."""
    candidates = [s.ana_passage, s.bob_passage, s.outside, *s.extra]
    wanted = {p.pk for p in candidates}
    paths = {
        "csv": csv_ids(client) & wanted,
        "w3c container": w3c_ids(client) & wanted,
        "w3c export": jsonld_ids(client) & wanted,
        "refi": set(qdpx(client)[1].passage_ids()) & wanted,
        "passages page": html_ids(client, "/passages/", candidates),
        "article page": html_ids(client, s.article.get_absolute_url(), candidates)
        | html_ids(client, s.other.get_absolute_url(), candidates),
        "tag page": html_ids(client, "/tags/statistic/", candidates),
        "w3c annotation": {
            p.pk for p in candidates if client.get(f"/annotations/{p.pk}").status_code == 200
        },
    }
    if staff:
        paths["api list"] = api_ids(client) & wanted
        paths["api detail"] = {
            p.pk for p in candidates if client.get(f"/api/annotations/{p.pk}/").status_code == 200
        }
        paths["workspace"] = set()
        for article in (s.article, s.other):
            response = client.get(f"/workspace/articles/{article.slug}/")
            data = response.context["workspace_data"]
            paths["workspace"] |= {p["id"] for p in data["passages"]} & wanted
    return paths


def everywhere(ids, *, staff: bool) -> dict[str, set[int]]:
    keys = ["csv", "w3c container", "w3c export", "refi", "passages page", "article page"]
    keys += ["tag page", "w3c annotation"]
    if staff:
        keys += ["api list", "api detail", "workspace"]
    return {key: set(ids) for key in keys}


def tag_facet(client) -> int:
    response = client.get("/passages/")
    [tags] = [f for f in response.context_data["facets"] if f["parameter"] == "tag"]
    return {o["slug"]: o["count"] for o in tags["options"]}.get("statistic", 0)


def test_a_blind_coder_sees_only_their_own_passages_on_the_rounds_articles(client):
    s = blind_round()
    s.extra = []
    client.force_login(s.ana)
    assert seen(client, s, staff=True) == everywhere({s.ana_passage.pk, s.outside.pk}, staff=True)
    client.force_login(s.bob)
    assert seen(client, s, staff=True) == everywhere({s.bob_passage.pk, s.outside.pk}, staff=True)


def test_editors_see_every_passage_of_an_open_round(client):
    s = blind_round()
    s.extra = []
    client.force_login(s.editor)
    assert seen(client, s, staff=True) == everywhere(
        {s.ana_passage.pk, s.bob_passage.pk, s.outside.pk}, staff=True
    )


def test_open_round_passages_are_off_the_public_site(client):
    """Published passages coded in an open round are not public, blind or not."""
    s = blind_round(blind=False)
    s.extra = []
    assert seen(client, s, staff=False) == everywhere({s.outside.pk}, staff=False)
    client.force_login(s.ana)  # an open (not blind) round: coders see each other
    assert seen(client, s, staff=True)["workspace"] == {
        s.ana_passage.pk,
        s.bob_passage.pk,
        s.outside.pk,
    }


def test_closing_publishes_the_consensus_and_ends_blindness(client):
    s = blind_round()
    consensus = consensus_keep(
        round=s.round, passage=s.bob_passage, others=[s.ana_passage], editor=s.editor
    ).passage
    s.extra = [consensus]
    client.force_login(s.ana)
    # Before the close the editor's consensus draft is not the coder's to see either.
    assert seen(client, s, staff=True)["workspace"] == {s.ana_passage.pk, s.outside.pk}
    client.logout()
    assert seen(client, s, staff=False) == everywhere({s.outside.pk}, staff=False)
    round_close(round=s.round, editor=s.editor, coder_passages="draft")
    assert seen(client, s, staff=False) == everywhere({s.outside.pk, consensus.pk}, staff=False)
    assert csv_ids(client, "?adjudicated=yes") == {consensus.pk}
    assert csv_ids(client, "?adjudicated=no") == {s.outside.pk}
    client.force_login(s.ana)  # the coders' passages are drafts now, seen by staff
    assert seen(client, s, staff=True)["workspace"] == {
        s.ana_passage.pk,
        s.bob_passage.pk,
        s.outside.pk,
        consensus.pk,
    }


def test_facet_counts_hide_open_round_passages_from_the_public_and_blind_coders(client):
    s = blind_round()
    assert tag_facet(client) == 1  # anonymous: only the passage outside the round
    client.force_login(s.ana)
    assert tag_facet(client) == 2  # her own and the outside one, counted from her rows
    client.force_login(s.editor)
    assert tag_facet(client) == 3
    # The maintained counts agree with a recount from scratch at every step.
    stored = dict(stored_counts())
    assert stored == {key: n for key, n in contributions().items() if n}
    consensus_keep(round=s.round, passage=s.ana_passage, editor=s.editor)
    round_close(round=s.round, editor=s.editor)
    client.logout()
    assert tag_facet(client) == 2  # the outside passage and the published consensus
    stored = dict(stored_counts())
    assert stored == {key: n for key, n in contributions().items() if n}


def test_the_workspace_index_counts_no_other_coders_passages_on_blind_articles(client):
    s = blind_round()
    client.force_login(s.ana)
    response = client.get("/workspace/")
    counts = {a.pk: (a.my_count, a.others_count) for a in response.context["articles"]}
    assert counts[s.article.pk] == (1, 0)
    assert counts[s.other.pk] == (0, 1)


def test_the_admin_lists_no_other_coders_passages_to_a_blind_coder(client):
    """The passage changelist, a passage's change page and the article's passage inline."""
    s = blind_round()
    client.force_login(s.ana)
    listing = client.get("/admin/annotations/annotation/").content.decode()
    assert f"/admin/annotations/annotation/{s.ana_passage.pk}/change/" in listing
    assert f"/admin/annotations/annotation/{s.bob_passage.pk}/change/" not in listing
    assert f"/admin/annotations/annotation/{s.outside.pk}/change/" in listing
    assert (
        client.get(f"/admin/annotations/annotation/{s.bob_passage.pk}/change/").status_code
        == 302  # Django's admin: "doesn't exist", back to the list
    )
    inline = client.get(f"/admin/articles/article/{s.article.pk}/change/").content.decode()
    assert f"/admin/annotations/annotation/{s.ana_passage.pk}/change/" in inline
    assert f"/admin/annotations/annotation/{s.bob_passage.pk}/change/" not in inline
    client.force_login(s.editor)
    listing = client.get("/admin/annotations/annotation/").content.decode()
    assert f"/admin/annotations/annotation/{s.bob_passage.pk}/change/" in listing
