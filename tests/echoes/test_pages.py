""" "Also in" on the public article page and the passage list, and the echoed words an
"Also in" link leads to; in a bounded number of queries per page."""

import html
import re
from datetime import date

import pytest

from articles.models import Article
from tests.factories import make_annotation, make_annotator, make_article, make_outlet

pytestmark = pytest.mark.django_db

QUOTE = "fundamentally contrary to the moral fabric of our Nation"
ALSO_IN = re.compile(r'<p class="meta also-in">Also in: (.*?)</p>', re.S)
LINK = re.compile(r'<a href="([^"]+)" title="[^"]*">(.*?)</a>', re.S)


def also_in(content: str) -> list[list[tuple[str, str]]]:
    """Each "Also in" line as (href, text without tags) pairs."""
    return [
        [(html.unescape(href), re.sub(r"<[^>]+>", "", text)) for href, text in LINK.findall(line)]
        for line in ALSO_IN.findall(content)
    ]


@pytest.fixture
def corpus(db):
    source = make_article(
        f'Officers wrote the policy is "{QUOTE}." Later text.',
        outlet=make_outlet("Reason"),
        published=date(2019, 6, 27),
    )
    hill = make_article(
        "First line.\n\nBlasting the directives as \U0001f600 \u201cfundamentally\u00a0contrary "
        "to the moral fabric of our nation.\u201d",
        outlet=make_outlet("The Hill"),
        published=date(2019, 6, 26),
    )
    draft = make_article(f"{QUOTE}.", status=Article.Status.DRAFT, outlet=make_outlet("Hidden"))
    passage = make_annotation(source, exact=QUOTE)
    return source, hill, draft, passage


def echo_link(hill) -> str:
    start = hill.body.index("fundamentally")
    end = hill.body.index(".\u201d")
    return f"{hill.get_absolute_url()}?echo={start}-{end}#echo"


def test_article_page_lists_where_else_each_passage_ran(client, corpus):
    source, hill, _, _ = corpus
    content = client.get(source.get_absolute_url()).content.decode()
    assert also_in(content) == [[(echo_link(hill), "The Hill (26 Jun 2019)")]]


def test_passage_list_rows_show_also_in(client, corpus):
    source, hill, _, passage = corpus
    make_annotation(hill, exact="First line.")  # too short to echo anything
    content = client.get("/passages/").content.decode()
    assert also_in(content) == [[(echo_link(hill), "The Hill (26 Jun 2019)")]]


def test_the_link_shows_the_very_words(client, corpus):
    _, hill, _, _ = corpus
    content = client.get(echo_link(hill).removesuffix("#echo")).content.decode()
    start = hill.body.index("fundamentally")
    end = hill.body.index(".\u201d")
    # The second paragraph; UTF-16 units: the emoji counts two.
    paragraph_start = hill.body.index("Blasting")
    first = len(hill.body[paragraph_start:start]) + 1
    last = first + (end - start)
    assert f'data-echo-ranges="1:{first}:{last}"' in content
    note = re.search(r'<mark class="echo">(.*?)</mark>', content, re.S)
    assert html.unescape(note[1]) == hill.body[start:end]
    assert 'src="/static/js/echo.js"' in content


@pytest.mark.parametrize("value", ["", "3", "9-3", "0-99999", "a-b", "-1-4"])
def test_a_range_that_is_not_in_the_body_shows_the_page_as_without_it(client, corpus, value):
    _, hill, _, _ = corpus
    response = client.get(hill.get_absolute_url(), {"echo": value})
    assert response.status_code == 200
    assert b"data-echo-ranges" not in response.content


def test_staff_also_see_drafts(client, corpus):
    source, hill, draft, _ = corpus
    client.force_login(make_annotator())
    [line] = also_in(client.get(source.get_absolute_url()).content.decode())
    assert [text for _, text in line] == ["The Hill (26 Jun 2019)", "Hidden"]


@pytest.mark.parametrize("count", [1, 12])
def test_also_in_costs_two_queries_per_page(client, django_assert_num_queries, count):
    """The article page's 5 queries (corpus version, article, passages, tags, mentions)
    and the passage list's 6, plus two for every passage's echoes: the index rows, the
    candidate articles."""
    sentences = [
        f"Sentence {n} says the council will vote on the flood wall budget {n}."
        for n in range(count)
    ]
    source = make_article(" ".join(sentences), outlet=make_outlet("Source"))
    for n, sentence in enumerate(sentences):
        make_article(f"Elsewhere {n}: {sentence}", published=date(2020, 1, 1 + n))
        make_annotation(source, exact=sentence)
    with django_assert_num_queries(5 + 2):
        content = client.get(source.get_absolute_url()).content.decode()
    assert len(also_in(content)) == count
    # The listing's 7 (its tag tree read included), and Also in's two.
    with django_assert_num_queries(7 + 2):
        content = client.get("/passages/").content.decode()
    assert len(also_in(content)) == count
