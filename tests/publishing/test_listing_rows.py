"""Listing rows and facets (`publishing.presenters`, `templates/publishing/partials.html`):
their markup as parsed, every value escaped, and the queries they save."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.models import Annotation
from articles.models import Article
from publishing.search import among
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_organization,
    make_outlet,
    make_tag,
)
from tests.markup import assert_same_markup, elements

pytestmark = pytest.mark.django_db

HOSTILE = "<i>&\"'"
ESCAPED = "&lt;i&gt;&amp;&quot;&#x27;"


def listed(content: bytes, css_class: str) -> str:
    """The one `<li class="css_class">` of a page."""
    (row,) = elements(content.decode(), "li", css_class)
    return row


def test_an_article_row_is_written_exactly_with_every_value_escaped(client):
    outlet = make_outlet(f"Daily {HOSTILE}")
    article = make_article(
        "some words",
        title=f"Title {HOSTILE}",
        outlet=outlet,
        published=date(2021, 3, 4),
        author=f"Au {HOSTILE}",
    )
    make_annotation(article, exact="some")
    row = listed(client.get("/articles/").content, "article-item")
    assert "<i>" not in row
    assert_same_markup(
        row,
        '\n<li class="article-item">\n'
        f'  <h3><a href="/articles/{article.slug}/">Title {ESCAPED}</a></h3>\n'
        '  <p class="meta">\n'
        f'    <a href="/outlets/{outlet.slug}/">Daily {ESCAPED}</a>\n'
        '     · <time datetime="2021-03-04">4 March 2021</time>\n'
        f"     · Au {ESCAPED}\n"
        "     · 1 passage\n"
        "  </p>\n"
        "</li>\n",
    )


def test_a_passage_row_is_written_exactly_with_chips_in_the_order_tags_were_added(client):
    second, first = make_tag(f"b {HOSTILE}"), make_tag("a first")
    organization = make_organization(f"Union {HOSTILE}")
    outlet = make_outlet("Weekly")
    article = make_article(
        "alpha beta gamma", title="T <b>", outlet=outlet, published=date(2020, 1, 2)
    )
    passage = make_annotation(
        article,
        exact="beta",
        tags=[second, first],
        organization=organization,
        note=f"note {HOSTILE}",
        annotator=make_annotator("coder"),
    )
    Annotation.objects.filter(pk=passage.pk).update(prefix="alpha <", suffix="> gamma")
    row = listed(client.get("/passages/").content, "passage-item")
    url = f"/articles/{article.slug}/#passage-{passage.pk}"
    assert "<i>" not in row
    assert_same_markup(
        row,
        '\n<li class="passage-item">\n'
        '  <blockquote class="passage-context">\n'
        '    <p><span class="context">…alpha &lt;</span>'
        f'<mark class="quote tag-{second.pk}">beta</mark>'
        '<span class="context">&gt; gamma…</span></p>\n'
        "  </blockquote>\n"
        '  <p class="meta">\n'
        f'    <a class="tag-chip tag-{second.pk}" href="/tags/{second.slug}/">b {ESCAPED}</a> '
        f'<a class="tag-chip tag-{first.pk}" href="/tags/{first.slug}/">a first</a> \n'
        "    \n"
        "    \n"
        "  </p>\n"
        '  <p class="meta">\n'
        f'    Attributed to <a href="/organizations/{organization.slug}/">Union {ESCAPED}</a> · \n'
        f'    In <a href="{url}">T &lt;b&gt;</a>\n'
        f'    · <a href="/outlets/{outlet.slug}/">Weekly</a>, '
        '<time datetime="2020-01-02">2 Jan 2020</time>\n'
        "  </p>\n"
        f'  <p class="note"><span class="label">Note:</span> note {ESCAPED}</p>\n'
        f'  <p class="meta">Coded by coder · <a href="{url}">See it in the article'
        '<span class="visually-hidden"> T &lt;b&gt;</span></a></p>\n'
        f'  <p class="meta also-in" data-also-in="{passage.pk}" hidden></p>'
        f'<noscript><p class="meta"><a href="/echoes/passages/{passage.pk}/">'
        "Where else these words ran</a></p></noscript>\n"
        "</li>\n",
    )


def test_an_untagged_orphaned_draft_passage_says_so(client):
    from tests.factories import make_user

    article = make_article("alpha beta", title="Plain", published=None)
    passage = make_annotation(article, exact="alpha", status="draft")
    Annotation.objects.filter(pk=passage.pk).update(anchor_status="orphaned")
    client.force_login(make_user())
    row = listed(client.get("/passages/").content, "passage-item")
    assert '<mark class="quote">alpha</mark>' in row
    (meta, *_) = elements(row, "p", "meta")
    assert_same_markup(
        meta,
        '<p class="meta"><span class="muted">No tag</span>'
        '<span class="draft-badge">Draft</span>'
        '<span class="draft-badge">Orphaned: text no longer found</span></p>',
    )
    assert "<time" not in row and "Attributed to" not in row and 'class="note"' not in row


def test_facets_list_the_largest_options_plus_a_selected_smaller_one(client):
    """Unfiltered: 25 tags of 30, largest first; a ticked 30th is listed, checked, counted."""
    article = make_article(" ".join(f"w{i}" for i in range(40)))
    tags = [make_tag(f"tag {i:02}") for i in range(30)]
    for i, tag in enumerate(tags):
        # tag i on 30 - i passages: tag 00 largest, tag 29 smallest.
        for n in range(30 - i):
            make_annotation(article, exact=f"w{n}", tags=[tag])
    response = client.get("/passages/")
    options = response.context_data["facets"][0]["options"]
    assert [o["slug"] for o in options] == [t.slug for t in tags[:25]]
    assert options[0]["count"] == 30 and options[0]["tag_id"] == tags[0].pk
    response = client.get(f"/passages/?tag={tags[29].slug}")
    options = response.context_data["facets"][0]["options"]
    assert [o["slug"] for o in options] == [t.slug for t in tags[:25]] + [tags[29].slug]
    assert (options[-1]["count"], options[-1]["selected"]) == (1, True)
    content = response.content.decode()
    assert f'value="{tags[29].slug}" id="f-tag-26" checked>' in content
    assert f'<span class="swatch tag-{tags[29].pk}" aria-hidden="true"></span>tag 29' in content


def test_a_search_page_runs_the_search_once_and_pages_over_the_counted_matches(client, monkeypatch):
    """The ids the search found give the count, the facets and the page: no second search."""
    monkeypatch.setattr("publishing.listing.MATCH_CAP", 3)
    outlet = make_outlet("Daily")
    for i in range(5):
        make_article(f"searchable text {i}", title=f"S{i}", outlet=outlet)
    make_article("other text", outlet=outlet)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/articles/?q=searchable")
    searched = [q["sql"] for q in queries.captured_queries if "searchable" in q["sql"]]
    assert len(searched) == 1
    assert response.context_data["capped"] is True
    shown = [article.title for article in response.context_data["articles"]]
    assert len(shown) == 3 and set(shown) <= {f"S{i}" for i in range(5)}
    assert response.context_data["paginator"].count == 3


def test_among_filters_on_a_list_of_ids_and_an_empty_one_matches_nothing(
    django_assert_num_queries,
):
    first, second, third = make_article(), make_article(), make_article()
    ids = [first.pk, third.pk]
    assert set(among(Article.objects.all(), ids).values_list("pk", flat=True)) == set(ids)
    assert among(Article.objects.all(), ids).filter(pk=second.pk).count() == 0
    with django_assert_num_queries(0):
        assert list(among(Article.objects.all(), [])) == []


def test_a_later_page_counts_the_passages_of_its_own_rows_in_the_same_queries(
    client, django_assert_num_queries
):
    """Passage counts are taken over the page's rows only (not every row OFFSET skips)."""
    outlet = make_outlet("Many")
    for i in range(25):
        article = make_article("one two three", title=f"A{i:02}", outlet=outlet)
        for word in ("one", "two", "three")[: i % 3]:
            make_annotation(article, exact=word)
    with django_assert_num_queries(4):  # with the tag and organization trees
        first = client.get("/articles/?ordering=title")
    with django_assert_num_queries(4):
        second = client.get("/articles/?ordering=title&page=2")
    counts = {
        a.title: a.passage_count for page in (first, second) for a in page.context_data["articles"]
    }
    assert counts == {f"A{i:02}": i % 3 for i in range(25)}
    assert [a.title for a in second.context_data["articles"]] == [f"A{i}" for i in range(20, 25)]
