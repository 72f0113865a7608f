"""The passage changelist: Django's own, showing the right rows and bounded filters, for
the same number of queries at any size and without COUNT(*) over the table."""

import pytest
from django.db import connection
from django.test.html import parse_html
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    make_annotation,
    make_article,
    make_editor,
    make_organization,
    make_outlet,
    make_tag,
)

pytestmark = pytest.mark.django_db

# Session, user, user and group permissions; the tag, outlet, organization and annotator
# filters, and what a blind round hides from the user (one query the two filters share);
# the capped count, the page, and the page's tags. On both databases: the list is
# always filtered by the rounds' visibility rule, so PostgreSQL's row estimate
# (annotations.paginators, for unfiltered lists only) is never read here.
CHANGELIST_QUERIES = 12


def changelist_url(query: str = "") -> str:
    return reverse("admin:annotations_annotation_changelist") + query


def changelist_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(changelist_url())
    assert response.status_code == 200
    return [query["sql"] for query in context.captured_queries]


def contains_html(page: str, fragment: str) -> int:
    """How often `fragment` occurs in `page`, both parsed (whitespace and attribute order
    do not matter)."""
    return parse_html(page).count(parse_html(fragment))


def test_changelist_query_count_does_not_grow_with_passages_and_counts_are_capped(client):
    client.force_login(make_editor())
    tag = make_tag("claim")
    article = make_article("word " * 200)
    make_annotation(article, start=0, end=4, tags=[tag])
    few = changelist_queries(client)
    for i in range(1, 40):
        make_annotation(article, start=i * 5, end=i * 5 + 4, tags=[tag])
    many = changelist_queries(client)
    assert len(many) == len(few) == CHANGELIST_QUERIES
    # (Besides the grouped count of what a blind round hides, over its articles only.)
    counts = [sql for sql in many if "COUNT(" in sql.upper() and "GROUP BY" not in sql.upper()]
    assert len(counts) == 1 and "LIMIT 10001" in counts[0]
    # Counting pages joins nothing; the page fetches names, not whole related rows: no
    # article body, no passwords.
    assert "JOIN" not in counts[0]
    (page,) = [sql for sql in many if 'FROM "annotations_annotation"' in sql and "COUNT" not in sql]
    assert '"auth_user"."username"' in page and '"articles_article"."title"' in page
    assert '"auth_user"."password"' not in page and '"articles_article"."body"' not in page
    # No DISTINCT over the passage table (list filters of "related only" values).
    assert not [
        sql for sql in many if 'DISTINCT "' in sql and 'FROM "annotations_annotation"' in sql
    ]


def test_tag_chips_escape_names(client):
    client.force_login(make_editor())
    odd, quoted = make_tag("R&D <now>"), make_tag('say "hi"')
    make_annotation(make_article("Some words here."), exact="words", tags=[odd, quoted])
    html = client.get(changelist_url()).content.decode()
    assert "R&amp;D &lt;now&gt;" in html and "<now>" not in html
    chips = (
        f'<td class="field-tag_chips"><span class="tag-chip tag-{odd.pk}">R&amp;D &lt;now&gt;'
        f'</span> <span class="tag-chip tag-{quoted.pk}">say &quot;hi&quot;</span></td>'
    )
    assert contains_html(html, chips) == 1


def test_changelist_shows_each_rows_tags_and_the_busiest_outlets(client):
    """Tag chips in the order they were added; the outlet filter lists the 25 outlets with
    the most passages (maintained counts) plus the one selected, not every outlet."""
    client.force_login(make_editor())
    red, blue = make_tag("red"), make_tag("blue")
    outlets = [make_outlet(f"Outlet {i:02}") for i in range(27)]
    for i, outlet in enumerate(outlets):
        article = make_article("word " * 10, outlet=outlet)
        for j in range(1 if i < 2 else 2):
            make_annotation(article, start=j * 5, end=j * 5 + 4, tags=[red, blue])
    html = client.get(changelist_url()).content.decode()
    chips = (
        f'<td class="field-tag_chips"><span class="tag-chip tag-{red.pk}">red</span> '
        f'<span class="tag-chip tag-{blue.pk}">blue</span></td>'
    )
    assert contains_html(html, chips) == 50  # one page
    listed = [o for o in outlets if f'?article__outlet__id__exact={o.pk}"' in html]
    assert listed == outlets[2:]
    quiet = outlets[0]
    response = client.get(changelist_url(f"?article__outlet__id__exact={quiet.pk}"))
    html = response.content.decode()
    option = (
        f'<li class="selected"><a href="?article__outlet__id__exact={quiet.pk}">Outlet 00</a></li>'
    )
    assert contains_html(html, option) == 1
    assert [passage.article.outlet for passage in response.context["cl"].result_list] == [quiet]


def row_cells(response) -> list[list[str]]:
    """Each row's cells as text, read from the parsed table."""
    table = parse_html(response.content.decode())

    def find(element, name):
        for child in getattr(element, "children", []):
            if getattr(child, "name", None) == name:
                yield child
            yield from find(child, name)

    def text(element) -> str:
        if isinstance(element, str):
            return element
        return "".join(text(child) for child in element.children)

    (result_list,) = [t for t in find(table, "table") if ("id", "result_list") in t.attributes]
    (body,) = find(result_list, "tbody")
    rows = [row for row in body.children if getattr(row, "name", None) == "tr"]
    return [[text(cell).strip() for cell in row.children if hasattr(cell, "name")] for row in rows]


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("", ["Monday", "ruled", "court & <co>"]),
        ("?status__exact=draft", ["ruled"]),
        ("?q=court+%26+%3Cco%3E", ["court & <co>"]),
        ("?tag=claim", ["Monday", "court & <co>"]),
        ("?tag=claim&o=1", ["Monday", "court & <co>"]),
    ],
)
def test_rows_show_each_passages_names_and_labels_escaped(client, query, shown):
    """Each row: quote, article, outlet, tags, organization, annotator and the choice
    labels, escaped; empty values as Django's dash; links keep the filters."""
    client.force_login(make_editor())
    claim = make_tag("claim")
    outlet = make_outlet("Fish & <Chips>")
    article = make_article(
        "The court & <co> ruled on Monday, said the court.", title="A <b> title", outlet=outlet
    )
    make_annotation(article, exact="court & <co>", tags=[claim], note="a <b>")
    ruled = make_annotation(
        article, exact="ruled", organization=make_organization("O'Brien & Co"), status="draft"
    )
    date = make_tag("date")
    make_annotation(article, exact="Monday", tags=[claim, date])
    response = client.get(changelist_url(query))
    assert response.status_code == 200
    rows = row_cells(response)
    assert [row[1] for row in rows] == shown
    by_quote = {row[1]: row[2:] for row in rows}
    annotator = ruled.annotator.username
    if "ruled" in by_quote:
        assert by_quote["ruled"] == [
            "A <b> title",
            "Fish & <Chips>",
            "-",
            "O'Brien & Co",
            annotator,
            "Draft",
            "Anchored",
        ]
    html = response.content.decode()
    if "Monday" in by_quote:
        assert by_quote["Monday"][3] == "-"  # no organization
        chips = (
            f'<td class="field-tag_chips"><span class="tag-chip tag-{claim.pk}">claim</span> '
            f'<span class="tag-chip tag-{date.pk}">date</span></td>'
        )
        assert contains_html(html, chips) == 1
    assert "A &lt;b&gt; title" in html and "<b> title" not in html
    if query:
        # Each row's change link, and the "Add" button.
        assert html.count("?_changelist_filters=") == len(shown) + 1


def test_popup_changelist_links_open_in_the_opener(client):
    """A popup's links carry data-popup-opener (Django's popup table)."""
    client.force_login(make_editor())
    passage = make_annotation(make_article("Some words here."))
    response = client.get(changelist_url("?_popup=1&_to_field=id"))
    assert response.status_code == 200
    assert f'data-popup-opener="{passage.pk}"' in response.content.decode()


def test_filter_options_are_read_afresh_on_every_page_one_query_each(client):
    """A tag, user or busier outlet added since the last page is listed on the next one,
    still in one query per list."""
    client.force_login(make_editor("chief"))
    first = client.get(changelist_url()).content.decode()
    assert "?tag=fresh" not in first

    make_tag("fresh")
    newcomer = make_editor("newcomer")
    outlet, other = make_outlet("Busy Outlet"), make_outlet("Other Outlet")
    make_annotation(make_article("word " * 10, outlet=outlet), start=0, end=4)
    make_annotation(make_article("word " * 10, outlet=other), start=0, end=4)
    with CaptureQueriesContext(connection) as context:
        html = client.get(changelist_url()).content.decode()
    assert "?tag=fresh" in html
    assert f"?annotator__id__exact={newcomer.pk}" in html
    assert f"?article__outlet__id__exact={outlet.pk}" in html
    sidebar = [q["sql"] for q in context.captured_queries if "publishing_facetcount" in q["sql"]]
    assert len(sidebar) == 2  # outlets and organizations, one query each
    assert len(context.captured_queries) == CHANGELIST_QUERIES
