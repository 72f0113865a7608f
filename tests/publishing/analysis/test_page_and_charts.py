"""`/analysis/`'s page and charts: accessible tables, SVG images drawn by pygal under a
CSP of their own, links that keep the filters, and 400s naming bad parameters."""

import base64
import hashlib
import re

import pytest

from publishing.analysis import presenters
from publishing.analysis.presenters import Cell, Label, Row, Table, for_chart

pytestmark = pytest.mark.django_db

CHARTS = ["tag-outlet", "organization-tag", "month-tag", "cooccurrence"]


def test_the_page_shows_four_captioned_tables_with_charts_and_csv_links(client, corpus):
    response = client.get("/analysis/?outlet=daily&rollup=1")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<caption") == 4
    assert html.count('<th scope="row"') > 0 and '<th scope="col">Tag</th>' in html
    for chart in CHARTS:
        assert f'src="/analysis/charts/{chart}.svg?outlet=daily&amp;rollup=1"' in html
    assert (
        'href="/analysis/crosstab.csv?rows=tag&amp;cols=outlet&amp;outlet=daily&amp;rollup=1"'
        in html
    )
    assert 'href="/analysis/cooccurrence.csv?outlet=daily&amp;rollup=1"' in html
    # Back to the same passages (the listing knows no rollup).
    assert 'href="/passages/?outlet=daily"' in html
    assert re.search(r'<img src="[^"]+" alt="Stacked bar chart: [^"]+"', html)
    # Tag x outlet shows each cell's share of the tag's passages.
    assert '<span class="share">(100.0%)</span>' in html


def test_navigation_and_the_passage_listing_link_to_the_analysis(client, corpus):
    home = client.get("/").content.decode()
    assert 'href="/analysis/"' in home
    listing = client.get("/passages/?tag=quote&outlet=daily").content.decode()
    assert 'href="/analysis/?tag=quote&amp;outlet=daily">Analyse these passages</a>' in listing


@pytest.mark.parametrize("chart", CHARTS)
def test_each_chart_is_an_svg_without_script_under_a_hash_only_csp(client, corpus, chart):
    for query in ("", "?tag=quote&rollup=1"):
        response = client.get(f"/analysis/charts/{chart}.svg{query}")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"
        svg = response.content
        assert svg.startswith(b"<?xml") and b"pygal" in svg
        assert b"<script" not in svg and b"style=" not in svg
        styles = re.findall(rb"<style[^>]*>(.*?)</style>", svg, re.DOTALL)
        hashes = [
            "'sha256-" + base64.b64encode(hashlib.sha256(css).digest()).decode() + "'"
            for css in styles
        ]
        policy = response["Content-Security-Policy"]
        assert policy == (
            f"default-src 'none'; style-src {' '.join(hashes)}; frame-ancestors 'none'"
        )
        assert "unsafe" not in policy


def test_a_chart_names_the_tables_rows(client, corpus):
    svg = client.get("/analysis/charts/tag-outlet.svg").content.decode()
    for name in ("quote", "statistic", "legal argument", "Daily", "Weekly"):
        assert name in svg


def test_a_cached_chart_keeps_its_csp(client, corpus):
    first = client.get("/analysis/charts/month-tag.svg")
    second = client.get("/analysis/charts/month-tag.svg")
    assert second["X-Gloss-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_large_tables_show_the_largest_and_sum_the_other_columns(
    client, corpus, monkeypatch, settings
):
    settings.GLOSS_PAGE_CACHE_SECONDS = 0
    monkeypatch.setattr(presenters, "COL_CAP", 1)
    monkeypatch.setattr(presenters, "ROW_CAP", 2)
    html = client.get("/analysis/").content.decode()
    assert "Other outlets (1)" in html
    assert "the table shows the largest 2 rows" in html
    # The CSV still has every row and column.
    csv = client.get("/analysis/crosstab.csv?rows=tag&cols=outlet").content.decode()
    assert csv.splitlines()[0] == ",Daily,Weekly" and len(csv.splitlines()) == 5


def test_an_unknown_chart_is_a_404(client, corpus):
    assert client.get("/analysis/charts/nothing.svg").status_code == 404


@pytest.mark.parametrize(
    ("url", "line"),
    [
        ("/analysis/crosstab.csv", "rows: This field is required. (required)"),
        ("/analysis/crosstab.csv?rows=tag", "cols: This field is required. (required)"),
        ("/analysis/crosstab.csv?rows=tags&cols=outlet", "(invalid_choice)"),
        ("/analysis/crosstab.csv?rows=tag&cols=tag", "cols: Rows and columns must be"),
        ("/analysis/crosstab.csv?rows=tag&cols=outlet&rollup=2", "rollup: "),
        ("/analysis/crosstab.csv?rows=tag&cols=outlet&tag=nope", "tag: "),
        ("/analysis/crosstab.csv?rows=tag&cols=outlet&published_after=2020-02-30", "(invalid)"),
        ("/analysis/crosstab.csv?rows=tag&cols=outlet&q=a%00b", "(invalid_text)"),
        ("/analysis/crosstab.csv?rows=%ED%A0%80&cols=outlet", "rows: Select a valid choice."),
        ("/analysis/cooccurrence.csv?outlet=nowhere", "outlet: "),
        ("/analysis/charts/tag-outlet.svg?rollup=yes", "rollup: "),
        ("/analysis/charts/cooccurrence.svg?organization=%00", "(invalid_text)"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(client, corpus, url, line):
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert line in response.content.decode()


def test_the_page_with_a_bad_filter_is_a_400_showing_the_error(client, corpus):
    response = client.get("/analysis/?tag=nope&rollup=1")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and "<code>tag</code>" in html
    assert "<caption" not in html


def test_a_stacked_chart_draws_the_largest_bars_and_sums_each_bar_s_rest(monkeypatch):
    """`for_chart`: the largest rows by total (in the table's order), the largest columns,
    and each bar's remainder up to its total (hidden columns and the table's own "other")
    as one segment; the table itself keeps every number."""

    def row(name, counts, total):
        return Row(Label(name, name), [Cell(n, None) for n in counts], total)

    cols = [Label("a", "A"), Label("b", "B"), Label("c", "C"), Label("other", "Other (2)")]
    table = Table(
        slug="tag-outlet", heading="", caption="", unit="passages", row_noun="Tag",
        col_labels=cols,
        rows=[row("small", [1, 0, 0, 1], 2), row("big", [5, 1, 4, 3], 13),
              row("mid", [2, 3, 0, 0], 5)],
        other=2, hidden_rows=4, percentages=False, totals=True, col_noun="outlets",
    )  # fmt: skip
    monkeypatch.setattr(presenters, "CHART_ROWS", 2)
    monkeypatch.setattr(presenters, "CHART_COLS", 2)
    chart = for_chart(table)
    assert [r.label.text for r in chart.rows] == ["big", "mid"]  # the table's order
    # Column sums over the kept rows: A 7, B 4, C 4: A and B (the earlier of a tie).
    assert [c.text for c in chart.col_labels] == ["A", "B", "Other outlets (3)"]
    assert [[c.count for c in r.cells] for r in chart.rows] == [[5, 1, 7], [2, 3, 0]]
    assert all(sum(c.count for c in r.cells) == r.total for r in chart.rows)
    assert chart.hidden_rows == 5 and chart.other == 3
    assert len(table.rows) == 3  # the page's table is untouched


def test_the_tag_chart_draws_only_its_largest_tags(client, corpus, monkeypatch, settings):
    settings.GLOSS_PAGE_CACHE_SECONDS = 0
    monkeypatch.setattr(presenters, "CHART_ROWS", 1)
    monkeypatch.setattr(presenters, "CHART_COLS", 1)
    svg = client.get("/analysis/charts/tag-outlet.svg").content.decode()
    assert "Other outlets (1)" in svg
    html = client.get("/analysis/").content.decode()
    assert "Other outlets" not in html  # the table shows both outlets
