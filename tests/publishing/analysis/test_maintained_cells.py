"""The unfiltered `/analysis/` tables read cells the writes keep (`CrossCount`), equal to
the grouped queries' counts through every kind of write, for both audiences."""

from collections import Counter
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.actions.passages import annotation_delete, annotation_update
from annotations.actions.tags import tag_delete, tag_merge
from annotations.models import Annotation, Tag
from articles.actions.articles import article_update
from articles.actions.organizations import organization_delete
from articles.models import Organization, Outlet
from publishing.analysis.crosstab import (
    MAINTAINED,
    Counts,
    cooccurrence,
    crosstab,
    maintained,
    maintained_totals,
    totals_of,
)
from publishing.counts import contributions, stored_counts
from publishing.models import CrossCount
from publishing.rebuild import facet_counts_rebuild
from tests.factories import make_annotation, make_editor, make_outlet
from tests.publishing.analysis.conftest import parse_csv

PAIRS = [*MAINTAINED, ("outlet", "tag"), ("tag", "organization"), ("tag", "month")]


def grouped(user, rows, cols):
    passages = Annotation.objects.visible_to(user)
    if rows == cols == "tag":
        return cooccurrence(passages).cells
    return crosstab(passages, rows, cols).cells


def assert_cells_match(editor):
    """The kept cells equal the grouped counts, and the kept sums (`ROW_SUM`, `COL_SUM`
    cells) the sums of those counts, for every table, both ways round, both audiences."""
    assert dict(stored_counts()) == {k: n for k, n in contributions().items() if n}
    for user, audience in ((AnonymousUser(), "public"), (editor, "staff")):
        for rows, cols in PAIRS:
            kept = maintained(audience, rows, cols)
            assert kept is not None, (audience, rows, cols)
            cells = grouped(user, rows, cols)
            assert kept.cells == cells, (audience, rows, cols)
            expected = totals_of(Counts(rows, cols, False, cells))
            if rows != cols:  # a diagonal only means something for tag × tag
                expected = expected._replace(diagonal=Counter())
            assert maintained_totals(audience, rows, cols) == expected, (audience, rows, cols)


def test_the_cells_equal_the_grouped_counts_through_every_write(corpus):
    editor = make_editor()
    assert_cells_match(editor)
    jan, mar, weekly_mar, undated, draft = corpus["articles"]
    assert maintained("public", "month", "tag").cells  # not trivially empty
    assert maintained("public", "month", "tag").cells != maintained("staff", "month", "tag").cells

    passage = Annotation.objects.filter(article=jan, exact="42 percent").get()
    annotation_update(annotation=passage, user=editor, tags=["quote"], organization=None)
    assert_cells_match(editor)
    annotation_update(annotation=passage, user=editor, status="draft")
    assert_cells_match(editor)
    article_update(article=mar, outlet=Outlet.objects.get(name="Weekly"), published=None)
    assert_cells_match(editor)
    article_update(article=draft, status="published", published=date(2025, 12, 31))
    assert_cells_match(editor)
    article_update(article=weekly_mar, status="draft")
    assert_cells_match(editor)
    make_annotation(undated, exact="court", tags=["statistic", "evidence"])
    assert_cells_match(editor)
    annotation_delete(annotation=Annotation.objects.filter(article=jan).first(), user=editor)
    assert_cells_match(editor)
    tag_merge(source=Tag.objects.get(slug="statistic"), target=Tag.objects.get(slug="quote"))
    assert_cells_match(editor)
    tag_delete(tag=Tag.objects.get(slug="legal-argument"))
    assert_cells_match(editor)
    organization_delete(organization=Organization.objects.get(name="Readers Union"))
    assert_cells_match(editor)
    assert not CrossCount.objects.filter(table="tag-outlet", row_key__in=[0]).exists()


def test_a_deleted_options_cells_go_with_it(corpus):
    """Its cells and its own sums go; the other axis's sums lose what its cells held."""
    quote = Tag.objects.get(slug="quote")
    assert CrossCount.objects.filter(table="tag-outlet", row_key=quote.pk).exists()
    tag_delete(tag=quote)
    assert not CrossCount.objects.filter(table="tag-outlet", row_key=quote.pk).exists()
    assert not CrossCount.objects.filter(row_key__lt=0, col_key=quote.pk).exclude(
        table="tag-outlet"
    )
    assert not CrossCount.objects.filter(table="cooccurrence", col_key=quote.pk).exists()
    assert not CrossCount.objects.filter(table="organization-tag", col_key=quote.pk).exists()
    assert_cells_match(make_editor())


def test_the_unfiltered_page_reads_the_cells_not_the_passages(client, corpus):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/analysis/")
    assert response.status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in sql if "annotations_taggedannotation" in s]
    # Per table its sums, then the cells it shows (`Analysis.maintained_table`).
    assert len([s for s in sql if "publishing_crosscount" in s]) == 8
    assert len(sql) <= 16, sql


def test_an_editor_s_page_asks_once_whether_the_cells_serve_them(client, corpus):
    client.force_login(make_editor())
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/analysis/")
    assert response.status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert len([s for s in sql if "publishing_crosscount" in s]) == 8
    # `counts_maintained_for`: the open blind rounds the editor codes in, once a page.
    assert len([s for s in sql if "rounds_round" in s and "blind" in s]) == 1, sql


def test_without_the_built_rows_the_page_counts_and_gives_the_same_numbers(
    client, corpus, settings
):
    settings.GLOSS_ANALYSIS_CACHE_SECONDS = 0  # count on every request
    kept = parse_csv(client.get("/analysis/crosstab.csv?rows=tag&cols=outlet").content)
    CrossCount.objects.filter(table="built").delete()
    assert maintained("public", "tag", "outlet") is None
    with CaptureQueriesContext(connection) as queries:
        counted = parse_csv(client.get("/analysis/crosstab.csv?rows=tag&cols=outlet").content)
    assert [q for q in queries.captured_queries if "annotations_taggedannotation" in q["sql"]]
    assert counted == kept
    facet_counts_rebuild()  # `recount_facets`: the cells again, and the rows saying so
    assert maintained("public", "tag", "outlet") is not None
    assert_cells_match(make_editor())


def test_filters_and_rollup_count_their_own_passages(client, corpus):
    whole = parse_csv(client.get("/analysis/crosstab.csv?rows=tag&cols=outlet").content)
    daily = parse_csv(
        client.get("/analysis/crosstab.csv?rows=tag&cols=outlet&outlet=daily").content
    )
    rolled = parse_csv(client.get("/analysis/crosstab.csv?rows=tag&cols=outlet&rollup=1").content)
    assert whole != daily
    assert whole != rolled
    make_outlet("Empty")  # an outlet with no passages adds no cell
    assert parse_csv(client.get("/analysis/crosstab.csv?rows=tag&cols=outlet").content) == whole


@pytest.mark.django_db
def test_an_empty_database_is_built_by_the_migration():
    assert set(CrossCount.objects.filter(table="built").values_list("audience", flat=True)) == {
        "public",
        "staff",
    }


@pytest.mark.parametrize("caps", [(1, 1, 1), (2, 1, 2), (30, 10, 15)])
def test_a_table_from_the_sums_and_its_shown_cells_is_the_table_of_every_cell(
    corpus, monkeypatch, caps
):
    """`Analysis.maintained_table` (the tables' sums, then the cells shown) prints what
    the table of every counted cell prints, its "other" column and hidden rows included,
    for every table, both audiences and its transposes' sums."""
    from publishing.analysis import presenters
    from publishing.analysis.crosstab import maintained_cells, maintained_totals
    from publishing.analysis.presenters import Presenter
    from publishing.analysis.views import TABLES

    monkeypatch.setattr(presenters, "ROW_CAP", caps[0])
    monkeypatch.setattr(presenters, "COL_CAP", caps[1])
    monkeypatch.setattr(presenters, "SQUARE_CAP", caps[2])
    make_annotation(corpus["articles"][0], exact="court", tags=["quote"])  # more to rank
    for audience in ("public", "staff"):
        for slug, spec in TABLES.items():
            names = {"slug": slug, "heading": "h", "caption": "c"}
            names["percentages"] = spec.percentages
            every = maintained(audience, spec.rows, spec.cols)
            expected = Presenter().table(every, **names)
            totals = maintained_totals(audience, spec.rows, spec.cols)
            assert totals.row_totals == every.row_totals(), (audience, slug)
            assert totals.col_totals == every.col_totals(), (audience, slug)

            def cells_at(rows, cols, spec=spec, audience=audience):
                return maintained_cells(audience, spec.rows, spec.cols, rows, cols)

            assert Presenter().shown(totals, cells_at, **names) == expected, (audience, slug)
        for rows, cols in PAIRS:
            flipped = maintained_totals(audience, rows, cols)
            every = maintained(audience, rows, cols)
            assert (flipped.row_totals, flipped.col_totals) == (
                every.row_totals(),
                every.col_totals(),
            ), (audience, rows, cols)
