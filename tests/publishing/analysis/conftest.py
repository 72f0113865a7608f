"""A small coded corpus for `/analysis/`, and counts taken straight from the passages.

`expected()` counts from `/passages/export.csv` with the same filters (one row per passage
the listing shows, its outlet, date, tags and organization as columns), in Python: so the
crosstabs are checked against the listing's own passages, counted another way.
"""

import csv
import io
from collections import Counter
from datetime import date
from itertools import product

import pytest

from annotations.actions.tags import tag_save
from annotations.models import Tag
from articles.actions.articles import article_set_organizations
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_organization,
    make_outlet,
    make_tag,
)

BODY = (
    "The court ruled that the union must pay 42 percent. The council said no. Later the court met."
)


@pytest.fixture
def corpus(db):
    """Two outlets, two organizations, `statistic` and `quote` nested under `evidence`,
    articles in January and March 2024 (none in February), one undated, one draft."""
    daily, weekly = make_outlet("Daily"), make_outlet("Weekly")
    union, council = make_organization("Readers Union"), make_organization("City Council")
    evidence = make_tag("evidence")
    for slug in ("statistic", "quote"):
        tag = Tag.objects.get(slug=slug)
        tag.parent = evidence
        tag_save(tag=tag)
    ann, bob = make_annotator("ann"), make_annotator("bob")
    jan = make_article(BODY, title="January", outlet=daily, published=date(2024, 1, 15))
    mar = make_article(BODY, title="March", outlet=daily, published=date(2024, 3, 2))
    weekly_mar = make_article(
        BODY, title="Weekly March", outlet=weekly, published=date(2024, 3, 20)
    )
    undated = make_article(BODY, title="Undated", outlet=weekly)
    draft = make_article(
        BODY, title="Draft", outlet=daily, status="draft", published=date(2024, 1, 9)
    )
    article_set_organizations(article=jan, organizations=[union])

    def passage(article, exact, tags, organization=None, annotator=ann, **fields):
        return make_annotation(
            article, exact=exact, tags=tags, organization=organization, annotator=annotator,
            **fields,
        )  # fmt: skip

    passage(jan, "court ruled", ["legal-argument"], union)
    passage(jan, "42 percent", ["statistic", "quote"], union)  # two tags under evidence
    passage(jan, "council said no", ["quote"], council, bob)
    passage(jan, "union", [], union)  # no tag
    passage(mar, "42 percent", ["statistic"], council)
    passage(mar, "court met", ["legal-argument", "evidence"], None, bob)
    passage(weekly_mar, "court ruled", ["quote"], union)
    passage(weekly_mar, "council said", ["statistic", "legal-argument"], council)
    passage(undated, "court ruled", ["legal-argument"], None)
    passage(undated, "42 percent", ["quote"], union, bob)
    passage(jan, "Later", ["quote"], union, status="draft")  # a draft passage
    passage(draft, "court ruled", ["statistic"], council)  # in a draft article
    return {"annotator": ann, "articles": [jan, mar, weekly_mar, undated, draft]}


def parse_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def crosstab_cells(content: bytes) -> dict:
    """A crosstab CSV as {(row label, column label): count}, zero cells left out."""
    header, *rows = parse_csv(content)
    assert header[0] == ""
    cells = {}
    for row in rows:
        for label, value in zip(header[1:], row[1:], strict=True):
            if int(value):
                cells[(row[0], label)] = int(value)
    return cells


def ancestors() -> dict[str, list[str]]:
    """Each tag's name with the names of the tags above it."""
    tags = {tag.pk: tag for tag in Tag.objects.all()}
    found = {}
    for tag in tags.values():
        names, current = [], tag
        while current is not None:
            names.append(current.name)
            current = tags.get(current.parent_id)
        found[tag.name] = names
    return found


def export_rows(client, query: str) -> list[dict]:
    response = client.get(f"/passages/export.csv?{query}")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def passage_values(row: dict, dimension: str, rollup: bool, tree) -> set[str]:
    if dimension == "tag":
        names = [name for name in row["tags"].split("; ") if name]
        if rollup:
            return {above for name in names for above in tree[name]}
        return set(names)
    if dimension == "outlet":
        return {row["outlet"]}
    if dimension == "organization":
        return {row["organization"]} if row["organization"] else set()
    return {row["published"][:7] if row["published"] else "undated"}


def expected(client, query: str, rows: str, cols: str, *, rollup=False, exported=None) -> Counter:
    """The crosstab counted from the export's passages (`exported`: already fetched), in
    Python."""
    tree = ancestors()
    counts: Counter = Counter()
    for row in exported if exported is not None else export_rows(client, query):
        for pair in product(
            passage_values(row, rows, rollup, tree), passage_values(row, cols, rollup, tree)
        ):
            counts[pair] += 1
    return counts


def expected_cooccurrence(client, query: str, *, rollup=False) -> Counter:
    """Articles holding each pair of tags, counted from the export's passages."""
    tree = ancestors()
    by_article: dict[str, set[str]] = {}
    for row in export_rows(client, query):
        by_article.setdefault(row["article_id"], set()).update(
            passage_values(row, "tag", rollup, tree)
        )
    counts: Counter = Counter()
    for tags in by_article.values():
        for pair in product(tags, tags):
            counts[pair] += 1
    return counts
