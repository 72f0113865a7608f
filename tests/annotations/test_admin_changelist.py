"""The passage changelist costs the same number of queries at any size, without COUNT(*)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_annotation, make_article, make_editor, make_tag

pytestmark = pytest.mark.django_db


def changelist_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("admin:annotations_annotation_changelist"))
    assert response.status_code == 200
    return [query["sql"] for query in context.captured_queries]


def test_changelist_query_count_does_not_grow_with_passages_and_counts_are_capped(client):
    client.force_login(make_editor())
    tag = make_tag("claim")
    article = make_article("word " * 200)
    make_annotation(article, start=0, end=4, tags=[tag])
    few = changelist_queries(client)
    for i in range(1, 40):
        make_annotation(article, start=i * 5, end=i * 5 + 4, tags=[tag])
    many = changelist_queries(client)
    assert len(many) == len(few)
    counts = [sql for sql in many if "COUNT(" in sql.upper()]
    assert counts and all("LIMIT" in sql.upper() for sql in counts)
    # No DISTINCT over the passage table (list filters of "related only" values).
    assert not [
        sql for sql in many if 'DISTINCT "' in sql and 'FROM "annotations_annotation"' in sql
    ]
