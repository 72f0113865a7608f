"""Maintained facet counts stay equal to a full recount through every write service."""

from collections import Counter

import pytest

from annotations.actions.passages import annotation_delete, annotation_update
from annotations.models import Annotation
from articles.actions.articles import article_set_organizations, article_update
from publishing.counts import stored_counts, tally
from publishing.models import ArticleFacet, FacetCount
from publishing.rebuild import article_facets_rebuild, facet_counts_rebuild
from tests.factories import (
    make_annotation,
    make_article,
    make_editor,
    make_organization,
    make_outlet,
    make_tag,
)

pytestmark = pytest.mark.django_db


def stored() -> Counter:
    """The maintained counts, and the maintained (article, option) pairs as counts of 1."""
    counts = stored_counts()
    for pair in ArticleFacet.objects.values_list("article_id", "audience", "facet", "value_id"):
        counts[("pair", *pair)] += 1
    return counts


def recount() -> Counter:
    counts, pairs = tally()
    recounted = Counter({key: n for key, n in counts.items() if n})
    recounted.update(("pair", *pair) for pair in pairs)
    return recounted


def test_counts_follow_creates_updates_deletes_and_article_changes():
    editor = make_editor()
    claim, number = make_tag("claim"), make_tag("number")
    union = make_organization("Readers Union")
    daily, weekly = make_outlet("Daily"), make_outlet("Weekly")
    article = make_article("The court ruled on asylum and numbers rose.", outlet=daily)
    passage = make_annotation(article, exact="court ruled", tags=[claim], organization=union)
    make_annotation(article, exact="numbers rose", tags=[claim, number], status="draft")
    assert stored() == recount()
    assert stored()[("passages", "public", "tag", claim.pk)] == 1
    assert stored()[("passages", "staff", "tag", claim.pk)] == 2

    annotation_update(annotation=passage, user=editor, tags=[number], organization=None)
    assert stored() == recount()
    article_update(article=article, outlet=weekly, status="draft")
    assert stored() == recount()
    assert stored()[("articles", "public", "outlet", weekly.pk)] == 0
    article_set_organizations(article=article, organizations=[union])
    assert stored() == recount()
    annotation_delete(annotation=passage, user=editor)
    assert stored() == recount()
    assert stored()[("passages", "staff", "total", 0)] == 1


def test_unfiltered_listings_read_the_maintained_counts(client):
    tag = make_tag("claim")
    article = make_article("The court ruled on asylum.")
    make_annotation(article, exact="court ruled", tags=[tag])
    Annotation.objects.update(status="draft")  # behind the services' back: counts unchanged
    response = client.get("/passages/")
    facets = {f["parameter"]: f["options"] for f in response.context_data["facets"]}
    assert [(o["slug"], o["count"]) for o in facets["tag"]] == [("claim", 1)]
    facet_counts_rebuild()  # the repair for such writes
    response = client.get("/passages/")
    assert response.context_data["paginator"].count == 0
    filtered = client.get("/passages/?tag=claim")  # filtered: counted live
    assert filtered.context_data["paginator"].count == 0


def test_a_facet_whose_own_parameter_is_the_only_filter_reads_the_maintained_counts(client):
    """Disjunctive facets: `?tag=claim` leaves the tag facet unfiltered, so it is served by
    `FacetCount` (no GROUP BY over the archive); the other facets count the results."""
    claim, number = make_tag("claim"), make_tag("number")
    article = make_article("The court ruled on asylum.")
    make_annotation(article, exact="court ruled", tags=[claim])
    make_annotation(article, exact="asylum", tags=[number])
    Annotation.objects.filter(exact="asylum").update(status="draft")  # counts unchanged
    for listing in ("/passages/", "/articles/"):
        response = client.get(listing + "?tag=claim")
        facets = {f["parameter"]: f["options"] for f in response.context_data["facets"]}
        assert [(o["slug"], o["count"]) for o in facets["tag"]] == [("claim", 1), ("number", 1)]
        assert [o["count"] for o in facets["outlet"]] == [1]
    facet_counts_rebuild()
    response = client.get("/passages/?tag=claim")
    facets = {f["parameter"]: f["options"] for f in response.context_data["facets"]}
    assert [(o["slug"], o["count"]) for o in facets["tag"]] == [("claim", 1)]


def test_article_facet_pairs_rebuilt_in_sql_equal_the_maintained_ones(client):
    """`article_facets_rebuild()` (INSERT ... SELECT) writes exactly the pairs the write
    services maintain, and a filtered `/articles/` counts them as the passages would:
    a draft passage or a draft article counts for staff only, a mention counts like an
    attributed passage, and an article with both counts once."""
    claim, number = make_tag("claim"), make_tag("number")
    union, court = make_organization("Readers Union"), make_organization("Court Watch")
    daily = make_outlet("Daily")
    first = make_article("The court ruled on asylum and numbers rose.", outlet=daily)
    second = make_article("Numbers rose again after the court ruled.", outlet=daily)
    hidden = make_article("A draft about the court.", outlet=daily, status="draft")
    make_annotation(first, exact="court ruled", tags=[claim, number], organization=union)
    make_annotation(first, exact="numbers rose", tags=[claim], organization=union)
    make_annotation(second, exact="Numbers rose", tags=[number], status="draft")
    make_annotation(hidden, exact="court", tags=[claim], organization=court)
    article_set_organizations(article=first, organizations=[union, court])
    article_set_organizations(article=hidden, organizations=[court])
    maintained = stored()
    assert maintained == recount()
    article_facets_rebuild()
    assert stored() == maintained

    def counted() -> dict[str, list[tuple[str, int]]]:
        response = client.get(f"/articles/?outlet={daily.slug}")
        return {
            f["parameter"]: [(option["slug"], option["count"]) for option in f["options"]]
            for f in response.context_data["facets"]
        }

    anonymous = counted()
    assert anonymous["tag"] == [("claim", 1), ("number", 1)]
    assert anonymous["organization"] == [("court-watch", 1), ("readers-union", 1)]
    client.force_login(make_editor())
    staff = counted()
    assert staff["tag"] == [("claim", 2), ("number", 2)]
    assert staff["organization"] == [("court-watch", 2), ("readers-union", 1)]


def rows_of(facet: str, value_id: int) -> tuple[int, int]:
    return (
        FacetCount.objects.filter(facet=facet, value_id=value_id).count(),
        ArticleFacet.objects.filter(facet=facet, value_id=value_id).count(),
    )


def test_deleting_a_tag_outlet_or_organization_leaves_none_of_its_count_rows_behind():
    from annotations.actions.tags import tag_delete
    from articles.actions.organizations import organization_delete
    from articles.actions.outlets import outlet_delete

    editor = make_editor()
    claim, number = make_tag("claim"), make_tag("number")
    union = make_organization("Readers Union")
    daily, empty = make_outlet("Daily"), make_outlet("Empty")
    article = make_article("The court ruled on asylum and numbers rose.", outlet=daily)
    make_annotation(article, exact="court ruled", tags=[claim, number], organization=union)
    make_annotation(article, exact="numbers rose", tags=[claim], status="draft")
    article_set_organizations(article=article, organizations=[union], actor=editor)
    assert rows_of("tag", claim.pk)[0] and rows_of("tag", claim.pk)[1]
    assert all(rows_of("organization", union.pk))

    tag_delete(tag=claim, actor=editor)
    assert rows_of("tag", claim.pk) == (0, 0)
    assert stored() == recount()
    organization_delete(organization=union, actor=editor)
    assert rows_of("organization", union.pk) == (0, 0)
    assert stored() == recount()
    # An outlet goes only once it has no articles; a count row at 0 may have been kept.
    FacetCount.objects.create(
        listing="articles", audience="public", facet="outlet", value_id=empty.pk, count=0
    )
    outlet_delete(outlet=empty, actor=editor)
    assert rows_of("outlet", empty.pk) == (0, 0)
    assert stored() == recount()
    # What is left is exactly what a full rebuild makes.
    before = {
        (r.listing, r.audience, r.facet, r.value_id, r.count) for r in FacetCount.objects.all()
    }
    facet_counts_rebuild()
    after = {
        (r.listing, r.audience, r.facet, r.value_id, r.count) for r in FacetCount.objects.all()
    }
    assert {row for row in before if row[-1]} == after
    assert rows_of("tag", number.pk)[0]
