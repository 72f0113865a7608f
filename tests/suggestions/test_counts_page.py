"""`/workspace/suggestions/`: accepted and dismissed suggestions per kind, for editors."""

import re

import pytest
from django.test import Client

from suggestions.actions import suggestion_accept, suggestion_dismiss
from tests.factories import make_annotator, make_article, make_editor

PAGE = "/workspace/suggestions/"
BODY = "More than 60,000 people waited. “We will appeal this ruling,” a lawyer said."


def rows_of(content: str) -> list[list[str]]:
    """The cells of each kind's row of the counts table."""
    rows = re.findall(r'<tr data-kind="[a-z]+">(.*?)</tr>', content, flags=re.DOTALL)
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in rows]


@pytest.fixture
def decided(db):
    article = make_article(BODY)
    coder = make_annotator()
    stat = "More than 60,000 people waited."
    quote = "“We will appeal this ruling,”"
    suggestion_accept(
        kind="statistic",
        article=article,
        start=0,
        end=len(stat),
        exact=stat,
        tags=["statistic"],
        annotator=coder,
    )
    start = BODY.index(quote)
    for other in (coder, make_annotator()):
        suggestion_dismiss(
            article=article,
            coder=other,
            kind="quote",
            start=start,
            end=start + len(quote),
            exact=quote,
        )
    return article


def test_editors_see_the_counts_per_kind(decided, django_assert_num_queries):
    client = Client()
    client.force_login(make_editor())
    # Session, user, permissions (two), the one GROUP BY.
    with django_assert_num_queries(5):
        response = client.get(PAGE)
    assert response.status_code == 200
    assert rows_of(response.content.decode()) == [
        ["Quotation", "0", "2", "0%"],
        ["Statistic", "1", "0", "100%"],
        ["Organization mention", "0", "0", "–"],
    ]


def test_annotators_and_visitors_may_not(decided):
    client = Client()
    client.force_login(make_annotator())
    assert client.get(PAGE).status_code == 403
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
