"""Finding passages without knowing slugs: names on every facet option, organization
aliases, `tag_match=all`, web search syntax, choosers, short cited URLs (issue 18)."""

import csv
import io
import json
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser

from annotations.models import Annotation, Tag
from publishing import choosers
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_organization,
)
from tests.refi.helpers import qdpx

pytestmark = pytest.mark.django_db


def shown_ids(response) -> list[int]:
    return sorted(passage.pk for passage in response.context_data["passages"])


def facet(response, parameter) -> list[tuple[str, str, int, bool]]:
    (found,) = [f for f in response.context_data["facets"] if f["parameter"] == parameter]
    return [(o["slug"], o["name"], o["count"], o["selected"]) for o in found["options"]]


@pytest.fixture
def coded():
    """Three passages: statistic+quote, statistic, quote; one attributed to the ACLU."""
    statistic, quote = Tag.objects.get(slug="statistic"), Tag.objects.get(slug="quote")
    aclu = make_organization("American Civil Liberties Union", aliases=["ACLU"])
    union = make_organization("Union of Readers")
    article = make_article(
        "In 2024, 60,000 people marched. “We will win,” said the union. Police counted 1200.",
        title="The march",
    )
    both = make_annotation(article, exact="60,000 people marched", tags=[statistic, quote])
    stat = make_annotation(article, exact="Police counted 1200", tags=[statistic])
    said = make_annotation(
        article, exact="“We will win,” said the union", tags=[quote], organization=union
    )
    other = make_article("The ACLU filed suit in court.", title="The suit")
    sued = make_annotation(other, exact="The ACLU filed suit", tags=[quote], organization=aclu)
    return {
        "statistic": statistic,
        "quote": quote,
        "aclu": aclu,
        "union": union,
        "both": both,
        "stat": stat,
        "said": said,
        "sued": sued,
    }


def test_a_ticked_option_with_no_matches_shows_its_name_not_its_slug(client, coded):
    response = client.get("/passages/?tag=statistic&organization=american-civil-liberties-union")
    assert shown_ids(response) == []
    assert ("american-civil-liberties-union", "American Civil Liberties Union", 0, True) in facet(
        response, "organization"
    )
    assert b"american-civil-liberties-union (0)" not in response.content
    assert b'American Civil Liberties Union <span class="count">(0)</span>' in response.content


def test_the_organization_filter_accepts_an_alias_or_a_name_and_ticks_its_slug(client, coded):
    for value in ("ACLU", "aclu", "American%20Civil%20Liberties%20Union"):
        response = client.get(f"/passages/?organization={value}")
        assert shown_ids(response) == [coded["sued"].pk], value
        assert facet(response, "organization")[0][0::3] == ("american-civil-liberties-union", True)
    articles = client.get("/articles/?organization=ACLU")
    assert [row.title for row in articles.context_data["rows"]] == ["The suit"]
    unknown = client.get("/passages/?organization=NRA")
    assert shown_ids(unknown) == []
    assert unknown.context_data["filter"].form.errors["organization"][0].startswith("Select")


def test_tag_match_all_keeps_passages_carrying_every_ticked_tag(client, coded):
    any_tag = client.get("/passages/?tag=statistic&tag=quote")
    assert len(shown_ids(any_tag)) == 4
    every = client.get("/passages/?tag=statistic&tag=quote&tag_match=all")
    assert shown_ids(every) == [coded["both"].pk]
    # Counts in "every" mode: what ticking one more tag would leave (the listing's own
    # matches); in "any" mode, what each tag adds to the other filters' matches.
    one = client.get("/passages/?tag=statistic&tag_match=all")
    assert shown_ids(one) == sorted([coded["both"].pk, coded["stat"].pk])
    assert facet(one, "tag") == [
        ("statistic", "statistic", 2, True),
        ("quote", "quote", 1, False),
    ]
    assert facet(client.get("/passages/?tag=statistic"), "tag") == [
        ("quote", "quote", 3, False),
        ("statistic", "statistic", 2, True),
    ]
    assert facet(every, "organization") == []
    assert b'value="all" id="f-tag-match-all" checked' in every.content


def article_titles(response) -> list[str]:
    return sorted(row.title for row in response.context_data["rows"])


@pytest.fixture
def three_articles(coded):
    """`coded`'s two articles, and a third with a statistic in one passage and a quote in
    another (an article with each tag, though no passage holds both)."""
    apart = make_article("Police counted 1200 people. “Go home,” they said.", title="Apart")
    make_annotation(apart, exact="Police counted 1200 people", tags=[coded["statistic"]])
    make_annotation(apart, exact="“Go home,” they said", tags=[coded["quote"]])
    return coded


def test_articles_tag_match_all_keeps_articles_with_a_passage_of_each_ticked_tag(
    client, three_articles, django_assert_num_queries
):
    """On /articles/ the unit is the article: `tag_match=all` keeps the articles holding a
    passage with each ticked tag (in one passage or several); unset or `any`, a passage
    with any of them. Facet counts in "every" mode are over the listing's own matches:
    how many would remain if one more tag were ticked."""
    any_tag = client.get("/articles/?tag=statistic&tag=quote")
    assert article_titles(any_tag) == ["Apart", "The march", "The suit"]
    with django_assert_num_queries(8):  # with the tag tree (issue 19)
        every = client.get("/articles/?tag=statistic&tag=quote&tag_match=all")
    assert article_titles(every) == ["Apart", "The march"]
    assert facet(every, "tag") == [
        ("quote", "quote", 2, True),
        ("statistic", "statistic", 2, True),
    ]
    one = client.get("/articles/?tag=statistic&tag_match=all")
    assert article_titles(one) == ["Apart", "The march"]
    assert ("quote", "quote", 2, False) in facet(one, "tag")
    # In "any" mode the tag facet counts over what the other filters match (all three).
    assert ("quote", "quote", 3, False) in facet(client.get("/articles/?tag=statistic"), "tag")
    html = every.content.decode()
    assert "<legend>Articles with passages of</legend>" in html
    assert 'value="all" id="f-tag-match-all" checked' in html
    # The page cites itself without the default: `any` is left out, `all` kept.
    assert every.context_data["canonical_url"].endswith("tag_match=all")
    assert (
        "tag_match"
        not in client.get("/articles/?tag=quote&tag_match=any").context_data["canonical_url"]
    )


def test_articles_tag_match_alone_filters_nothing(client, three_articles):
    plain = client.get("/articles/")
    alone = client.get("/articles/?tag_match=all")
    assert article_titles(alone) == article_titles(plain)
    assert alone.context_data["filtered"] is False
    bad = client.get("/articles/?tag=quote&tag_match=some")
    assert bad.status_code == 200 and "tag_match" in bad.context_data["filter"].form.errors


def test_tag_match_any_or_unset_with_no_tag_reads_the_maintained_counts(
    client, coded, django_assert_num_queries
):
    plain = client.get("/passages/")
    with django_assert_num_queries(6):  # with the tag tree (issue 19)
        response = client.get("/passages/?tag_match=any")
    assert facet(response, "tag") == facet(plain, "tag")
    assert response.context_data["filtered"] is False


def export_ids(client, query: str) -> dict[str, list[int]]:
    """The passage ids of the page, the CSV, the W3C container and export, the QDPX."""
    page = client.get("/passages/" + query)
    csv_rows = list(
        csv.reader(
            io.StringIO(
                b"".join(client.get("/passages/export.csv" + query).streaming_content).decode()
            )
        )
    )
    container = json.loads(client.get("/annotations/" + query).content)
    collection = json.loads(
        b"".join(client.get("/passages/export.jsonld" + query).streaming_content)
    )
    _, project = qdpx(client, query)

    def iri_ids(items):
        return sorted(int(item["id"].rsplit("/", 1)[1]) for item in items)

    return {
        "page": shown_ids(page),
        "csv": sorted(int(row[0]) for row in csv_rows[1:]),
        "container": iri_ids(container["first"]["items"]) if container.get("first") else [],
        "jsonld": iri_ids(collection["first"]["items"]),
        "qdpx": sorted(project.passage_ids()),
    }


@pytest.mark.parametrize(
    "query",
    [
        "?tag=statistic&tag=quote&tag_match=all",
        "?tag=quote&organization=ACLU",
        '?q="people marched" OR court',
        "?q=60000",
        "?q=suit -win",
        "?article=The march",
    ],
)
def test_every_export_holds_the_ids_the_page_shows(client, coded, query):
    ids = export_ids(client, query)
    assert ids["page"], query
    assert ids == dict.fromkeys(ids, ids["page"])


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('"people marched"', ["both"]),
        ('"marched people"', []),
        ("police OR suit", ["stat", "sued"]),
        ("people police OR suit", ["sued"]),
        ("union -win", []),
        ("-police counted", []),
        ("counted -win", ["stat"]),
        ("60000", ["both"]),
        ("1200", ["stat"]),
        ("1,200", []),
        ("60,000", ["both"]),
        # A number excluded: none of its written forms (on PostgreSQL, a tsquery of
        # several negated forms, typed as one).
        ("counted -60000", ["stat"]),
        ("people -60000", []),
    ],
)
def test_search_reads_web_search_syntax_on_either_database(client, coded, q, expected):
    response = client.get("/passages/", {"q": q})
    assert shown_ids(response) == sorted(coded[name].pk for name in expected), q


def test_article_search_reads_the_same_syntax(client, coded):
    titles = lambda response: [row.title for row in response.context_data["rows"]]  # noqa: E731
    assert titles(client.get("/articles/", {"q": '"filed suit" OR marched'})) == [
        "The suit",
        "The march",
    ] or sorted(titles(client.get("/articles/", {"q": '"filed suit" OR marched'}))) == [
        "The march",
        "The suit",
    ]
    assert titles(client.get("/articles/", {"q": "court -ACLU"})) == []
    assert titles(client.get("/articles/", {"q": "60000"})) == ["The march"]


def test_the_search_box_explains_its_syntax(client, coded):
    content = client.get("/passages/").content.decode()
    assert 'aria-describedby="id_q_helptext"' in content
    assert '<div class="help" id="id_q_helptext">Every word must appear.' in content


def test_annotator_and_article_are_choosers_by_name_usable_without_javascript(
    client, coded, django_assert_num_queries
):
    named = make_annotator("jdoe", first_name="Jane", last_name="Doe")
    make_annotation(coded["sued"].article, exact="court", annotator=named)
    content = client.get("/passages/").content.decode()
    assert '<select name="annotator" id="id_annotator">' in content
    assert '<option value="" selected>Anyone</option>' in content
    assert '<option value="jdoe">Jane Doe (jdoe)</option>' in content
    assert 'list="article-choices"' in content
    # The article titles are asked for once the field is used (static/js/article_choices.js).
    assert (
        '<datalist id="article-choices" data-choices-url="/passages/article-choices.json">'
        "</datalist>" in content
    )
    assert "js/article_choices.js" in content
    with django_assert_num_queries(2):  # the corpus version, the titles
        answer = client.get("/passages/article-choices.json")
    assert answer.status_code == 200
    slugs = {choice["value"]: choice["slug"] for choice in answer.json()["choices"]}
    assert set(slugs) == {"The march", "The suit"}
    assert slugs["The suit"] == coded["sued"].article.slug
    assert len(shown_ids(client.get("/passages/?annotator=jdoe"))) == 1
    by_title = client.get("/passages/", {"article": "The suit"})
    by_slug = client.get("/passages/", {"article": coded["sued"].article.slug})
    assert shown_ids(by_title) == shown_ids(by_slug) and len(shown_ids(by_title)) == 2
    chosen = client.get("/passages/?annotator=jdoe").content.decode()
    assert '<option value="jdoe" selected>Jane Doe (jdoe)</option>' in chosen


def test_cited_urls_leave_out_empty_fields_and_zero_downloads_are_hidden(client, coded):
    response = client.get(
        "/passages/?q=&tag=statistic&published_after=&published_before=&annotator="
        "&article=&tag_match=any&page=1"
    )
    content = response.content.decode()
    assert '<link rel="canonical" href="/passages/?tag=statistic">' in content
    assert 'href="/passages/export.csv?tag=statistic"' in content
    assert "Download these 2 passages:" in content
    empty = client.get("/passages/?tag=statistic&tag=quote&tag_match=all&q=nothingatall")
    assert b"Download these 0" not in empty.content
    assert b"No passages match" in empty.content
    unfiltered = client.get("/passages/?q=&article=")
    assert b'<link rel="canonical" href="/passages/">' in unfiltered.content
    assert unfiltered.context_data["filtered"] is False


def test_filters_fold_into_a_details_element_open_only_with_errors(client, coded):
    content = client.get("/passages/").content.decode()
    assert '<details class="filters-toggle">' in content
    assert "js/filters" in content
    invalid = client.get("/passages/?tag=nope").content.decode()
    assert '<details class="filters-toggle" open>' in invalid


def test_the_article_chooser_offers_the_newest_articles_with_passages(monkeypatch):
    """Only the newest ARTICLE_SCAN articles are looked at, so an uncached /passages/
    never tests every article of the archive; those without a visible passage are left
    out, newest first."""
    old = make_article("An old coded article.", title="Old", published=date(2001, 1, 1))
    make_annotation(old, exact="old")
    for day in range(1, 4):
        article = make_article(f"Day {day}.", title=f"Day {day}", published=date(2020, 1, day))
        if day != 2:
            make_annotation(article, exact="Day")
    passages = Annotation.objects.visible_to(AnonymousUser())
    everything = [c.value for c in choosers.article_choices(passages)]
    assert everything == ["Day 3", "Day 1", "Old"]
    monkeypatch.setattr(choosers, "ARTICLE_SCAN", 3)  # the three of 2020: "Old" is beyond
    assert [c.value for c in choosers.article_choices(passages)] == ["Day 3", "Day 1"]
