""" "Code the echoes too": `passage_code_echoes` and `POST /api/annotations/<id>/echoes/code/`."""

import json
from datetime import date

import pytest
from django.test import Client

from annotations.models import Annotation, Tag
from audit.models import HistoryRecord
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_organization,
    make_outlet,
    make_user,
)

pytestmark = pytest.mark.django_db

QUOTE = "fundamentally contrary to the moral fabric of our Nation"


@pytest.fixture
def coder(db):
    return make_annotator("coder")


@pytest.fixture
def setup(coder):
    source = make_article(f'It is "{QUOTE}."', outlet=make_outlet("Reason"))
    org = make_organization("Asylum Officers Union")
    tags = list(Tag.objects.filter(slug__in=["quote", "legal-argument"]))
    passage = make_annotation(source, exact=QUOTE, tags=tags, organization=org, annotator=coder)
    hill = make_article(
        "As \u201cfundamentally\u00a0contrary to the moral fabric of our nation,\u201d they said.",
        outlet=make_outlet("The Hill"),
        published=date(2019, 6, 26),
    )
    return passage, hill, org


def post(client, pk, payload):
    return client.post(
        f"/api/annotations/{pk}/echoes/code/",
        data=json.dumps(payload),
        content_type="application/json",
    )


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_coding_an_echo_creates_a_normal_passage_with_the_same_coding(coder, setup):
    passage, hill, org = setup
    echo = logged_in(coder).get(f"/api/annotations/{passage.pk}/echoes/").json()["echoes"][0]
    chosen = {k: echo[k] for k in ("article", "start", "end")}
    response = post(logged_in(coder), passage.pk, {"echoes": [chosen]})
    assert response.status_code == 201
    [made] = response.json()["passages"]
    assert made["article"] == hill.pk
    assert (made["start"], made["end"]) == (echo["start"], echo["end"])
    assert made["exact"] == hill.body[echo["start"] : echo["end"]] == echo["exact"]
    assert "\u00a0" in made["exact"]
    assert made["tags"] == ["legal-argument", "quote"]
    assert made["organization"] == org.pk
    assert made["annotator"] == "coder"
    created = Annotation.objects.get(pk=made["id"])
    assert HistoryRecord.objects.for_object(created).count() == 1
    # Again: the echo is coded already, nothing more is made.
    again = post(logged_in(coder), passage.pk, {"echoes": [chosen]})
    assert again.status_code == 201 and again.json() == {"passages": []}
    assert Annotation.objects.filter(article=hill).count() == 1


@pytest.mark.parametrize(
    "payload, code",
    [
        ({"echoes": []}, "required"),
        ({"echoes": [{"article": 1, "start": 0}]}, "invalid_echo"),
        ({"echoes": [{"article": "1", "start": 0, "end": 3}]}, "invalid_echo"),
        ({"echoes": "all"}, "invalid_type"),
        ({}, "required"),
    ],
)
def test_bad_choices_are_400_and_write_nothing(coder, setup, payload, code):
    passage = setup[0]
    before = Annotation.objects.count()
    response = post(logged_in(coder), passage.pk, payload)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert Annotation.objects.count() == before


def test_a_span_that_is_no_echo_is_refused_with_nothing_written(coder, setup):
    passage, hill, _ = setup
    start = hill.body.index("fundamentally")
    echo = logged_in(coder).get(f"/api/annotations/{passage.pk}/echoes/").json()["echoes"][0]
    good = {k: echo[k] for k in ("article", "start", "end")}
    bad = {"article": hill.pk, "start": start, "end": start + 13}
    response = post(logged_in(coder), passage.pk, {"echoes": [good, bad]})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_an_echo"
    assert not Annotation.objects.filter(article=hill).exists()


def test_anonymous_and_unprivileged_callers_are_refused(setup):
    passage, hill, _ = setup
    payload = {"echoes": [{"article": hill.pk, "start": 0, "end": 1}]}
    assert post(Client(), passage.pk, payload).status_code == 401
    reader = make_user("reader", group=None)
    response = post(logged_in(reader), passage.pk, payload | {"echoes": []})
    assert response.status_code == 400  # nothing chosen: refused before any write
    echo = logged_in(reader).get(f"/api/annotations/{passage.pk}/echoes/").json()["echoes"][0]
    chosen = {k: echo[k] for k in ("article", "start", "end")}
    response = post(logged_in(reader), passage.pk, {"echoes": [chosen]})
    assert response.status_code == 403
    assert not Annotation.objects.filter(article=hill).exists()
