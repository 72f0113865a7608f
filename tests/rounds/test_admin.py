"""The round admin changes an open round through `round_update` (history `via` admin)."""

import pytest

from audit.models import HistoryRecord
from rounds.actions import round_close
from tests.rounds.helpers import blind_round

pytestmark = pytest.mark.django_db


def test_an_editor_renames_an_open_round_in_the_admin(client):
    s = blind_round()
    client.force_login(s.editor)
    url = f"/admin/rounds/round/{s.round.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "Renamed in the admin",
            "instructions": "",
            "blind": "on",
            "articles": [s.article.pk],
            "coders": [s.ana.pk, s.bob.pk],
            "tags": [s.tag.pk],
        },
    )
    assert response.status_code == 302
    s.round.refresh_from_db()
    assert s.round.name == "Renamed in the admin"
    record = HistoryRecord.objects.filter(content_type__model="round").order_by("pk").last()
    assert record.via == "admin" and record.changes["name"][1] == "Renamed in the admin"


def test_a_closed_round_is_read_only_in_the_admin(client):
    s = blind_round()
    round_close(round=s.round, editor=s.editor)
    client.force_login(s.editor)
    response = client.post(f"/admin/rounds/round/{s.round.pk}/change/", {"name": "No"})
    assert response.status_code == 403
    s.round.refresh_from_db()
    assert s.round.name == "Bridges round"
    assert client.get("/admin/rounds/round/").status_code == 200


def test_annotators_do_not_reach_the_round_admin(client):
    s = blind_round()
    client.force_login(s.ana)
    assert client.get(f"/admin/rounds/round/{s.round.pk}/change/").status_code in (302, 403)
