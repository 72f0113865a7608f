"""Hostile changelist parameters get Django's "incorrect lookup" answer, never a 5xx.

Django's admin answers a lookup it cannot apply by redirecting to the unfiltered list with
`?e=1`. Values the database would reject while the page renders (a NUL on PostgreSQL),
digits `int()` refuses although `str.isdigit()` accepts them ("²"), and numbers too large
for the date hierarchy's `datetime()` get that same answer, on SQLite and PostgreSQL.
"""

import pytest
from django.urls import reverse

from tests.factories import make_annotation, make_article, make_editor, make_organization

pytestmark = pytest.mark.django_db

HOSTILE = [
    ("annotations_annotation", "organization__id__exact=%C2%B2"),
    ("annotations_annotation", "article__outlet__id__exact=%C2%B2"),
    ("annotations_annotation", "status__exact=%00"),
    ("annotations_annotation", "q=%00"),
    ("annotations_annotation", "tag=a%00b"),
    ("annotations_annotation", "annotator__id__exact=%D9%A3"),  # ARABIC-INDIC DIGIT THREE
    ("annotations_annotation", "organization__id__exact=99999999999999999999999"),
    ("audit_historyrecord", "object_id=%C2%B2"),
    ("audit_historyrecord", "object_id=%00"),
    ("audit_historyrecord", "action__exact=%00"),
    ("articles_article", "published__year=9223372036854775808"),
    ("articles_article", "published__year=2024&published__month=%C2%B2"),
    ("articles_article", "title__exact=%00"),
    ("articles_organization", "kind__exact=%00"),
    ("articles_outlet", "q=%00"),
]


@pytest.mark.parametrize(("name", "query"), HOSTILE)
def test_hostile_lookup_redirects_to_the_incorrect_lookup_page(client, name, query):
    make_annotation(make_article("The court ruled on Monday."), exact="court")
    client.force_login(make_editor())
    url = reverse(f"admin:{name}_changelist")
    response = client.get(f"{url}?{query}")
    assert (response.status_code, response["Location"]) == (302, f"{url}?e=1")
    assert client.get(response["Location"]).status_code == 200


def test_valid_lookups_still_filter(client):
    """The same parameters with honest values filter as before."""
    from annotations.models import Annotation
    from audit.models import HistoryRecord

    make_article("Another article.")
    passage = make_annotation(
        make_article("The court ruled on Monday."), exact="court", organization=make_organization()
    )
    client.force_login(make_editor())
    url = reverse("admin:annotations_annotation_changelist")
    for query in [
        f"organization__id__exact={passage.organization_id}",
        f"annotator__id__exact={passage.annotator_id}",
        "status__exact=published",
        "q=court",
    ]:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200, query
    response = client.get(f"{url}?organization__id__exact={passage.organization_id}")
    assert list(response.context["cl"].result_list) == list(Annotation.objects.all())
    history = reverse("admin:audit_historyrecord_changelist")
    response = client.get(f"{history}?object_id={passage.pk}")
    assert response.status_code == 200
    assert {r.object_id for r in response.context["cl"].result_list} == {passage.pk}
    assert HistoryRecord.objects.exclude(object_id=passage.pk).exists()
    articles = reverse("admin:articles_article_changelist")
    year = passage.article.published.year if passage.article.published else 2024
    assert client.get(f"{articles}?published__year={year}").status_code == 200


def test_autocomplete_search_with_a_nul_finds_nothing(client):
    """The passage form's organization autocomplete searches with the admin's search: a
    NUL in the term (refused by PostgreSQL) finds nothing instead of a server error."""
    make_organization("American Civil Liberties Union")
    client.force_login(make_editor())
    url = reverse("admin:autocomplete")
    query = "app_label=annotations&model_name=annotation&field_name=organization"
    response = client.get(f"{url}?{query}&term=Union%00")
    assert (response.status_code, response.json()) == (
        200,
        {"results": [], "pagination": {"more": False}},
    )
    assert len(client.get(f"{url}?{query}&term=Union").json()["results"]) == 1
