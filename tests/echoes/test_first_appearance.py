"""`/echoes/`: for each quote, which outlet ran it first and how many repeated it."""

import html
import re
from datetime import date

import pytest

from annotations.models import Tag
from articles.models import Article
from echoes.actions import passage_code_echoes
from echoes.finding import echoes_of, passage_text
from tests.factories import make_annotation, make_annotator, make_article, make_outlet

pytestmark = pytest.mark.django_db

QUOTE = "fundamentally contrary to the moral fabric of our Nation"


def rows(content: str) -> list[str]:
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", "", row)).split())
        for row in re.findall(r'<li class="passage-item">(.*?)\n    </li>', content, re.S)
    ]


@pytest.fixture
def corpus(db):
    quote = Tag.objects.get(slug="quote")
    reason = make_article(
        f"It is {QUOTE}.", outlet=make_outlet("Reason"), published=date(2019, 6, 27)
    )
    make_article(
        f"As {QUOTE}, they said.", outlet=make_outlet("The Hill"), published=date(2019, 6, 26)
    )
    make_article(
        f"{QUOTE}; and more.", outlet=make_outlet("Common Dreams"), published=date(2019, 6, 27)
    )
    lonely = make_article(
        "The council will vote on the flood wall budget next week, the mayor said.",
        outlet=make_outlet("Ledger"),
        published=date(2021, 1, 1),
    )
    passage = make_annotation(reason, exact=QUOTE, tags=[quote])
    make_annotation(lonely, exact="The council will vote on the flood wall budget", tags=[quote])
    make_annotation(lonely, exact="the mayor said")  # not a quote: not listed
    return passage


def test_each_quote_names_its_first_outlet_and_its_repeaters(client, corpus):
    content = client.get("/echoes/").content.decode()
    assert rows(content) == [
        f"{QUOTE} Ran first in The Hill, 26 Jun 2019; repeated by 2 other outlets. "
        "The Hill (26 Jun 2019)Reason (27 Jun 2019)Common Dreams (27 Jun 2019)",
        "The council will vote on the flood wall budget Ran first in Ledger, 1 Jan 2021; "
        "repeated by no other outlet.",
    ]


def test_the_passage_filters_apply(client, corpus):
    content = client.get("/echoes/", {"outlet": "ledger"}).content.decode()
    assert [row.split(" Ran first")[0] for row in rows(content)] == [
        "The council will vote on the flood wall budget"
    ]
    bad = client.get("/echoes/", {"published_after": "yesterday"}).content.decode()
    assert rows(bad) == [] and 'class="error" role="alert"' in bad


def test_a_quote_coded_again_in_its_echoes_is_listed_once(client, corpus):
    coder = make_annotator()
    chosen = [
        (e.article_id, e.start, e.end)
        for e in echoes_of([passage_text(corpus)], Article.objects.all())[corpus.pk]
    ]
    passage_code_echoes(annotation=corpus, echoes=chosen, annotator=coder)
    content = client.get("/echoes/").content.decode()
    assert [row.split(" Ran first")[0] for row in rows(content)] == [
        QUOTE,
        "The council will vote on the flood wall budget",
    ]


@pytest.mark.parametrize("count", [1, 8])
def test_query_count_is_constant(client, django_assert_num_queries, count):
    quote = Tag.objects.get(slug="quote")
    for n in range(count):
        sentence = f"Quote number {n} says the council will vote on the budget soon."
        source = make_article(sentence, published=date(2020, 1, 1 + n))
        make_article(f"Again: {sentence}", published=date(2020, 2, 1 + n))
        make_annotation(source, exact=sentence, tags=[quote])
    # Corpus version, count, page, index rows, candidate articles.
    with django_assert_num_queries(5):
        content = client.get("/echoes/").content.decode()
    assert len(rows(content)) == count
