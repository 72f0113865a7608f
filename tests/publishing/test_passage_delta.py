"""A new passage's count delta is worked out from the passage and the article's stored
pairs (`publishing.passage_delta`), not tallied: after every kind of create the stored
counts, cells and pairs still equal a recount from scratch."""

import random
from datetime import date

import pytest
from django.db import transaction

from annotations.actions.passages import create_passage
from annotations.models import Annotation
from articles.actions.articles import article_set_organizations
from publishing.counts import contributions
from publishing.hooks import corpus_write
from publishing.rebuild import archive_counts, facet_counts_rebuild
from rounds.actions import round_create
from tests.annotations.test_create_cost import post_passage
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_editor,
    make_organization,
    make_outlet,
    make_tag,
)
from tests.publishing.test_facet_counts import recount, stored

pytestmark = pytest.mark.django_db

BODY = "The union said \U0001f600 the policy betrays\u00a0our tradition of safe haven, 90 percent."


def test_random_creates_keep_every_count_cell_and_pair_equal_to_a_recount():
    """Passages of every kind (draft or published, on draft, undated or dated articles,
    by a round's coder on its article or not, consensus passages, with or without an
    organization the article also mentions, none to three tags, repeated tags), each
    followed by the check."""
    rng = random.Random(17)
    editor = make_editor()
    tags = [make_tag(f"t{i}") for i in range(4)]
    orgs = [make_organization(f"Org {i}") for i in range(3)]
    outlets = [make_outlet("Daily"), make_outlet("Weekly")]
    articles = [
        make_article(BODY, outlet=outlets[0], published=date(2025, 1, 5)),
        make_article(BODY, outlet=outlets[1], published=date(2025, 3, 9)),
        make_article(BODY, outlet=outlets[0]),  # undated
        make_article(BODY, outlet=outlets[1], status="draft", published=date(2024, 12, 1)),
    ]
    article_set_organizations(article=articles[0], organizations=[orgs[0]])
    article_set_organizations(article=articles[3], organizations=[orgs[1]])
    coders = [make_annotator("ana"), make_annotator("bob"), make_annotator("cy")]
    round_create(name="Round", articles=[articles[1]], coders=coders[:2], tags=tags, editor=editor)
    assert stored() == recount()
    words = [(i, i + len(w)) for i, w in ((BODY.index(w), w) for w in BODY.split())]
    for step in range(60):
        article = rng.choice(articles)
        start, end = rng.choice(words)
        chosen = rng.sample(tags, rng.randint(0, 3))
        with transaction.atomic(durable=True):
            create_passage(
                article=article,
                start=start,
                end=end,
                exact=BODY[start:end],
                tags=chosen + chosen[:1],
                organization=rng.choice([None, *orgs]),
                annotator=rng.choice([editor, *coders]),
                status=rng.choice(["published", "published", "draft"]),
                adjudicated=rng.random() < 0.2,
            )
        assert stored() == recount(), step
    assert Annotation.objects.count() == 60
    # The same corpus counted whole by the database (`recount_facets`, backups) gives
    # the articles' contributions summed in Python, and rebuilding changes nothing.
    grouped = {key: n for key, n in archive_counts().items() if n}
    assert grouped == {key: n for key, n in contributions().items() if n}
    before = stored()
    facet_counts_rebuild()
    assert stored() == before


def test_a_write_that_adds_then_changes_an_article_counts_it_once():
    """A step that recounts an article after passages were added to it in the same write
    takes their share out of its "before"; a passage added after that is tallied."""
    claim, number = make_tag("claim"), make_tag("number")
    union = make_organization("Readers Union")
    article = make_article(BODY)
    coder = make_annotator()
    first = make_annotation(article, exact="union", tags=[claim])
    with transaction.atomic(durable=True), corpus_write():
        create_passage(
            article=article, start=4, end=9, exact="union", tags=[number],
            organization=union, annotator=coder,
        )  # fmt: skip
        with corpus_write(article.pk):
            Annotation.objects.filter(pk=first.pk).update(status="draft")
        create_passage(
            article=article, start=4, end=9, exact="union", tags=[claim, number],
            annotator=coder,
        )  # fmt: skip
    assert stored() == recount()
    assert stored()[("articles", "public", "tag", number.pk)] == 1
    assert stored()[("passages", "staff", "tag", claim.pk)] == 2


def test_an_api_create_tallies_nothing(client, django_assert_max_num_queries):
    """No grouped count of the article's passages, before or after: one read of its pairs."""
    from annotations.actions.tokens import api_token_create

    article = make_article(BODY)
    make_annotation(article, exact="union", tags=["quote"])
    token = api_token_create(user=make_annotator("coder"), name="t")
    start = BODY.index("betrays")
    payload = {"article": article.pk, "start": start, "end": start + 7, "exact": "betrays"}
    payload["tags"] = ["quote", "statistic"]
    with django_assert_max_num_queries(40) as captured:
        response = post_passage(client, token, payload)
    assert response.status_code == 201, response.content
    queries = [q["sql"] for q in captured.captured_queries]
    assert [sql for sql in queries if "GROUP BY" in sql] == []
    assert len([sql for sql in queries if 'FROM "publishing_articlefacet"' in sql]) == 1
    assert stored() == recount()
