"""Tag and organization hierarchies on `/passages/` and its exports: a parent matches
its descendants; the tag facet is a tree whose counts include sub-tags (issue 19)."""

import pytest

from annotations.actions.tags import tag_create, tag_update
from annotations.models import Annotation, Tag
from articles.actions.organizations import organization_upsert
from articles.models import Organization
from tests.factories import make_annotation, make_article, make_editor, make_organization
from tests.publishing.test_finding import export_ids

pytestmark = pytest.mark.django_db


def facet_options(response, parameter):
    (found,) = [f for f in response.context_data["facets"] if f["parameter"] == parameter]
    return found["options"]


def shown(response) -> list[int]:
    return sorted(passage.pk for passage in response.context_data["passages"])


def make_trees():
    """evidence > statistic, quote > testimony, and legal argument at the top; ACLU >
    ACLU of Massachusetts > its Boston chapter, and another group. Returns the five
    tags, then the four organizations."""
    evidence = tag_create(name="evidence", colour="#e0e0e0")
    statistic, quote = Tag.objects.get(slug="statistic"), Tag.objects.get(slug="quote")
    legal = Tag.objects.get(slug="legal-argument")
    tag_update(tag=statistic, parent=evidence)
    tag_update(tag=quote, parent=evidence)
    testimony = tag_create(name="testimony", parent=Tag.objects.get(pk=quote.pk))
    aclu = make_organization("American Civil Liberties Union", aliases=["ACLU"])
    mass, _ = organization_upsert(name="ACLU of Massachusetts", parent=aclu)
    boston, _ = organization_upsert(name="ACLU of Massachusetts, Boston chapter", parent=mass)
    other = make_organization("Union of Readers")
    return evidence, statistic, quote, testimony, legal, aclu, mass, boston, other


@pytest.fixture
def tree():
    """evidence > statistic, quote > (quote's) testimony; legal argument stays at the top.

    Passages: statistic; quote; statistic+quote; testimony; evidence itself; legal
    argument; a draft article's statistic (staff only). ACLU > ACLU of Massachusetts >
    its Boston chapter; one passage attributed to each and one to another group."""
    evidence, statistic, quote, testimony, legal, aclu, mass, boston, other = make_trees()
    body = "alpha beta gamma delta epsilon zeta eta theta iota kappa"
    article = make_article(body, title="One")
    draft = make_article(body, title="Draft", status="draft")
    passages = {
        "stat": make_annotation(article, exact="alpha", tags=[statistic], organization=aclu),
        "quote": make_annotation(article, exact="beta", tags=[quote], organization=mass),
        "both": make_annotation(
            article, exact="gamma", tags=[statistic, quote], organization=boston
        ),
        "testimony": make_annotation(article, exact="delta", tags=[testimony]),
        "evidence": make_annotation(article, exact="epsilon", tags=[evidence]),
        "legal": make_annotation(article, exact="zeta", tags=[legal], organization=other),
        "draft": make_annotation(draft, exact="alpha", tags=[statistic]),
    }
    tags = {
        t.slug: Tag.objects.get(pk=t.pk) for t in (evidence, statistic, quote, testimony, legal)
    }
    return {
        "tags": tags,
        "passages": passages,
        "orgs": {"aclu": aclu, "mass": mass, "boston": boston, "other": other},
    }


def ids(tree, *names):
    return sorted(tree["passages"][name].pk for name in names)


def straight_count(queryset, tag: Tag) -> int:
    """Passages carrying the tag or one under it, counted by walking the models."""
    wanted, frontier = {tag.pk}, [tag.pk]
    while frontier:
        frontier = list(Tag.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        wanted.update(frontier)
    return queryset.filter(tags__in=wanted).distinct().count()


def test_a_parent_tag_finds_its_descendants(client, tree):
    assert shown(client.get("/passages/?tag=evidence")) == ids(
        tree, "stat", "quote", "both", "testimony", "evidence"
    )
    assert shown(client.get("/passages/?tag=quote")) == ids(tree, "quote", "both", "testimony")
    assert shown(client.get("/passages/?tag=testimony")) == ids(tree, "testimony")


def test_tag_match_all_lets_a_sub_tag_stand_for_its_parent(client, tree):
    """Every ticked tag must be matched by itself or a sub-tag: evidence and quote are both
    matched by a quote passage; statistic and quote need both (or testimony for quote)."""
    response = client.get("/passages/?tag=evidence&tag=quote&tag_match=all")
    assert shown(response) == ids(tree, "quote", "both", "testimony")
    response = client.get("/passages/?tag=statistic&tag=quote&tag_match=all")
    assert shown(response) == ids(tree, "both")
    response = client.get("/passages/?tag=evidence&tag=legal-argument&tag_match=all")
    assert shown(response) == []


def test_every_export_applies_the_same_hierarchy(client, tree):
    found = export_ids(client, "?tag=evidence")
    expected = ids(tree, "stat", "quote", "both", "testimony", "evidence")
    assert found == dict.fromkeys(found, expected)


@pytest.mark.parametrize("query", ["", "?organization=other-org", "?q=alpha", "?tag=quote"])
def test_tag_facet_is_a_tree_with_counts_taken_straight_from_the_database(client, tree, query):
    other = tree["orgs"]["other"]
    query = query.replace("other-org", other.slug)
    response = client.get("/passages/" + query)
    options = facet_options(response, "tag")
    # The base of the facet: what every filter but the tag one matches.
    base = Annotation.objects.published()
    if "organization" in query:
        base = base.filter(organization=other)
    if "q=alpha" in query:
        base = base.filter(exact="alpha")
    for option in options:
        tag = Tag.objects.get(slug=option["slug"])
        assert option["count"] == straight_count(base, tag), option
    order = [(option["slug"], option["depth"]) for option in options]
    if not query or query == "?tag=quote":
        # By position among siblings: the starting tags first, evidence created after;
        # statistic was moved under evidence before quote.
        assert order == [
            ("legal-argument", 0),
            ("evidence", 0),
            ("statistic", 1),
            ("quote", 1),
            ("testimony", 2),
        ]
        counts = {option["slug"]: option["count"] for option in options}
        # Evidence counts each passage once, though "both" carries two of its sub-tags.
        assert counts["evidence"] == 5
        assert counts["quote"] == 3


def test_staff_facet_counts_include_drafts(client, tree):
    client.force_login(make_editor())
    options = facet_options(client.get("/passages/"), "tag")
    for option in options:
        assert option["count"] == straight_count(
            Annotation.objects.all(), Tag.objects.get(slug=option["slug"])
        )
    assert {o["slug"]: o["count"] for o in options}["evidence"] == 6


def test_the_facet_page_shows_sub_tags_indented(client, tree):
    html = client.get("/passages/").content.decode()
    assert 'class="depth-2"' in html
    assert (
        html.index('value="evidence"')
        < html.index('value="quote"')
        < html.index('value="testimony"')
    )


def test_facet_queries_stay_bounded_with_a_deeper_tree(client, tree, django_assert_max_num_queries):
    """The tree costs two queries whatever its depth: the tags (once, shared by the filter
    and the facets) and one aggregate for every parent's count. Signed in, so no page
    cache answers instead."""
    client.force_login(make_editor())
    url = "/passages/?tag=evidence&organization=" + tree["orgs"]["aclu"].slug
    client.get(url)
    with django_assert_max_num_queries(20) as shallow:
        assert client.get(url).status_code == 200
    parent = tree["tags"]["testimony"]
    for n in range(8):  # eight more levels, each with a passage
        parent = tag_create(name=f"level {n}", parent=parent)
        make_annotation(
            make_article(f"word{n} text"),
            exact=f"word{n}",
            tags=[parent],
            organization=tree["orgs"]["aclu"],
        )
    with django_assert_max_num_queries(len(shallow.captured_queries)):
        response = client.get(url)
    assert len(response.context_data["passages"]) == 3 + 8


def test_organization_matches_its_affiliates_at_every_depth(client, tree):
    orgs = tree["orgs"]
    found = export_ids(client, f"?organization={orgs['aclu'].slug}")
    assert found == {key: ids(tree, "stat", "quote", "both") for key in found}
    assert shown(client.get(f"/passages/?organization={orgs['mass'].slug}")) == ids(
        tree, "quote", "both"
    )
    by_alias = client.get("/passages/?organization=ACLU", follow=True)
    assert shown(by_alias) == ids(tree, "stat", "quote", "both")


def test_the_organization_page_lists_affiliates_and_their_passages(client, tree):
    orgs = tree["orgs"]
    response = client.get(orgs["aclu"].get_absolute_url())
    html = response.content.decode()
    assert "ACLU of Massachusetts" in html
    assert orgs["mass"].get_absolute_url() in html
    for name in ("alpha", "beta", "gamma"):
        assert name in html
    assert "Boston chapter" in html


def test_an_organization_cycle_is_refused(tree):
    from django.core.exceptions import ValidationError

    orgs = tree["orgs"]
    with pytest.raises(ValidationError) as refused:
        organization_upsert(name=orgs["aclu"].name, parent=orgs["boston"])
    assert refused.value.error_dict["parent"][0].code == "organization_cycle"
    assert Organization.objects.get(pk=orgs["aclu"].pk).parent_id is None


def found_by(client, query: str) -> int:
    """How many passages the listing's filters find for `query` (the CSV export's count:
    the same FilterSet, and never a cached page)."""
    return int(client.get("/passages/export.csv" + query)["X-Gloss-Row-Count"])


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize(
    "query", ["", "?q=alpha", "?outlet=OUTLET", "?tag=quote", "?organization=MASS"]
)
def test_each_facet_option_counts_what_ticking_it_finds(client, tree, signed_in, query):
    """Tag and organization options, parents included: the count beside an option is the
    number of passages the listing finds once it is ticked (alone in its facet, the other
    filters kept), on the maintained counts (no filter) and on grouped ones alike."""
    if signed_in:
        client.force_login(make_editor())
    article = tree["passages"]["stat"].article
    query = query.replace("OUTLET", article.outlet.slug).replace("MASS", tree["orgs"]["mass"].slug)
    response = client.get("/passages/" + query)
    assert assert_each_option_counts(response, query, lambda q: found_by(client, q))


def assert_each_option_counts(response, query: str, found) -> int:
    """Each tag and organization option of `response` counts `found(query with it
    ticked)`: the option alone in its facet, the query's other filters kept. Returns how
    many options were checked."""
    checked = 0
    for parameter in ("tag", "organization"):
        kept = "&".join(
            part
            for part in query.lstrip("?").split("&")
            if part and part.split("=")[0] != parameter
        )
        for option in facet_options(response, parameter):
            ticked = "&".join(filter(None, [kept, f"{parameter}={option['slug']}"]))
            assert option["count"] == found("?" + ticked), (parameter, option)
            checked += 1
    return checked


def test_the_organization_facet_is_a_tree_counting_affiliates(client, tree):
    orgs = tree["orgs"]
    options = facet_options(client.get("/passages/"), "organization")
    assert [(o["slug"], o["count"], o["depth"]) for o in options] == [
        (orgs["aclu"].slug, 3, 0),
        (orgs["mass"].slug, 2, 1),
        (orgs["boston"].slug, 1, 2),
        (orgs["other"].slug, 1, 0),
    ]
    # The affiliate alone: its parents are still shown, above it.
    response = client.get(f"/passages/?q=gamma&organization={orgs['boston'].slug}")
    options = facet_options(response, "organization")
    assert [(o["slug"], o["count"], o["selected"]) for o in options] == [
        (orgs["aclu"].slug, 1, False),
        (orgs["mass"].slug, 1, False),
        (orgs["boston"].slug, 1, True),
    ]


def test_a_parent_without_passages_of_its_own_is_offered_with_its_affiliates(client, tree):
    """ACLU's own passage goes: it is still offered, counting its affiliates'."""
    orgs = tree["orgs"]
    tree["passages"]["stat"].organization = None
    tree["passages"]["stat"].save()
    from publishing.rebuild import facet_counts_rebuild

    facet_counts_rebuild()
    options = facet_options(client.get("/passages/"), "organization")
    counts = {o["slug"]: o["count"] for o in options}
    assert counts[orgs["aclu"].slug] == 2 == found_by(client, f"?organization={orgs['aclu'].slug}")


def test_codebook_counts_include_sub_tags_as_the_filter_does(client, tree):
    """The codebook page's count beside each tag is what `/passages/?tag=` lists for the
    same editor: a parent counts its sub-tags' passages, each passage once."""
    from annotations.codebook_page import codebook_rows

    editor = make_editor()
    client.force_login(editor)
    rows, _ = codebook_rows(editor)
    counts = {row.tag.slug: row.count for row in rows}
    for slug, count in counts.items():
        assert count == found_by(client, f"?tag={slug}"), slug
    assert counts["evidence"] == 6 and counts["quote"] == 3
    html = client.get("/workspace/codebook/").content.decode()
    assert "6 passages, with its sub-tags" in html
