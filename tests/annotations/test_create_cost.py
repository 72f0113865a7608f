"""What a passage create costs in queries: the steps check what the model's constraints
say, so `full_clean` no longer re-checks each constraint and foreign key in a savepoint
of its own (17 of a create's 41 queries through the API on PostgreSQL)."""

import json

import pytest
from django.db import IntegrityError, transaction

from annotations.actions.tokens import api_token_create
from annotations.models import Annotation
from tests.factories import make_annotator, make_article

pytestmark = pytest.mark.django_db


def post_passage(client, token: str, payload: dict):
    return client.post(
        "/api/annotations/",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


BODY = "The union said the policy \U0001f600 betrays\u00a0our tradition of safe haven."


def test_an_api_create_validates_without_a_savepoint_per_constraint(
    client, django_assert_max_num_queries
):
    """No constraint is checked by a query of its own, no foreign key looked up again."""
    article = make_article(BODY)
    token = api_token_create(user=make_annotator("coder"), name="t")
    start = BODY.index("betrays")
    payload = {"article": article.pk, "start": start, "end": start + 20, "tags": ["quote"]}
    payload["exact"] = BODY[start : start + 20]
    with django_assert_max_num_queries(40) as captured:
        response = post_passage(client, token, payload)
    assert response.status_code == 201, response.content
    queries = [q["sql"] for q in captured.captured_queries]
    assert [sql for sql in queries if '"_check"' in sql] == []
    assert [sql for sql in queries if sql.startswith('SELECT 1 AS "a"')] == []
    made = Annotation.objects.get()
    assert made.exact == BODY[start : start + 20] and made.end - made.start == 20


def test_the_database_constraints_are_still_the_backstop():
    """What the steps check is also the database's: a row that breaks it is refused."""
    article = make_article(BODY)
    annotator = make_annotator("coder")
    broken = Annotation(article=article, start=4, end=9, exact="unio", annotator=annotator)
    with pytest.raises(IntegrityError), transaction.atomic():
        broken.save()  # anchored, but the quote is shorter than its span


def test_a_new_passage_s_tags_are_inserted_without_reading_what_to_keep(
    client, django_assert_max_num_queries
):
    """A new passage has no tags: they are one INSERT, not taggit's `set` (which reads
    the tags and the rows to keep first); the passage, its history and its counts carry
    them all the same."""
    from audit.models import HistoryRecord
    from publishing.models import FacetCount

    article = make_article(BODY)
    token = api_token_create(user=make_annotator("coder"), name="t")
    start = BODY.index("betrays")
    payload = {"article": article.pk, "start": start, "end": start + 7, "exact": "betrays"}
    payload["tags"] = ["quote", "statistic", "quote"]
    with django_assert_max_num_queries(32) as captured:
        response = post_passage(client, token, payload)
    assert response.status_code == 201, response.content
    inserts = [
        q["sql"] for q in captured.captured_queries if "annotations_taggedannotation" in q["sql"]
    ]
    assert len([sql for sql in inserts if sql.startswith("INSERT")]) == 1
    assert [sql for sql in inserts if "SAVEPOINT" in sql] == []
    made = Annotation.objects.get()
    assert sorted(made.tags.values_list("slug", flat=True)) == ["quote", "statistic"]
    assert sorted(response.json()["tags"]) == ["quote", "statistic"]
    record = HistoryRecord.objects.get(object_id=str(made.pk), content_type__model="annotation")
    assert record.snapshot["tags"] == ["quote", "statistic"]
    counts = FacetCount.objects.filter(listing="passages", audience="public", facet="tag")
    assert sorted(counts.filter(count=1).values_list("value_id", flat=True)) == sorted(
        made.tags.values_list("pk", flat=True)
    )


def test_the_create_s_answer_is_what_reading_the_passage_back_gives(client):
    """The 201 is built from the passage as saved (no read back): it equals the passage's
    GET, field values, tags, times and ETag included; its history snapshot has the tags."""
    from annotations.actions.fields import tag_field_define
    from annotations.models import Tag
    from audit.models import HistoryRecord
    from tests.factories import make_editor, make_organization

    editor = make_editor("ed")
    statistic = Tag.objects.get(slug="statistic")
    tag_field_define(tag=statistic, name="value", kind="number", actor=editor)
    tag_field_define(tag=statistic, name="year", kind="integer", actor=editor)
    tag_field_define(tag=statistic, name="speaker", kind="organization", actor=editor)
    union = make_organization("Readers Union")
    article = make_article(BODY)
    token = api_token_create(user=make_annotator("coder"), name="t")
    start = BODY.index("betrays")
    payload = {"article": article.pk, "start": start, "end": start + 7, "exact": "betrays"}
    payload |= {"tags": ["statistic", "quote", "statistic"], "organization": union.pk}
    payload["fields"] = {"statistic.value": 60000.5, "statistic.year": 2019}
    payload["fields"]["statistic.speaker"] = union.slug
    created = post_passage(client, token, payload)
    assert created.status_code == 201, created.content
    read = client.get(created["Location"], HTTP_AUTHORIZATION=f"Bearer {token}")
    assert created.json() == read.json()
    assert created["ETag"] == read["ETag"]
    assert created.json()["tags"] == ["quote", "statistic"]
    record = HistoryRecord.objects.get(
        object_id=created.json()["id"], action="create", content_type__model="annotation"
    )
    assert record.snapshot["tags"] == ["quote", "statistic"]
    untagged = {**payload, "tags": [], "fields": {}, "start": 0, "end": 3, "exact": BODY[:3]}
    created = post_passage(client, token, untagged)
    read = client.get(created["Location"], HTTP_AUTHORIZATION=f"Bearer {token}")
    assert created.status_code == 201 and created.json() == read.json()
    assert created.json()["tags"] == []
