"""Formula look-alikes are neutralised in every CSV column, by both export paths.

A spreadsheet evaluates `＝1+1` (full-width), `﹦1+1` (small) and `=1+1` behind a zero-width
space or a byte-order mark as it does `=1+1`. The export decides on the first character
after skipping format characters (Unicode category Cf) and whitespace, compatibility-
normalised (NFKC), and the PostgreSQL COPY path decides the same (issue 12, defect 7).
"""

import csv
import io
import unicodedata

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F

from annotations.models import Annotation, Tag
from articles.models import Article, Organization, Outlet
from publishing import exports
from publishing.exports import HEADER, neutralise
from tests.factories import make_annotation, make_article, make_organization, make_tag

pytestmark = pytest.mark.django_db

SITE = "http://testserver"
LOOKALIKES = [
    "\uff1d",  # FULLWIDTH EQUALS SIGN
    "\uff0b",  # FULLWIDTH PLUS SIGN
    "\uff0d",  # FULLWIDTH HYPHEN-MINUS
    "\uff20",  # FULLWIDTH COMMERCIAL AT
    "\ufe66",  # SMALL EQUALS SIGN
    "\ufe62",  # SMALL PLUS SIGN
    "\u207c",  # SUPERSCRIPT EQUALS SIGN
    "\u200b=",  # ZERO WIDTH SPACE, then =
    "\ufeff=",  # BYTE ORDER MARK, then =
    "\u00ad+",  # SOFT HYPHEN, then +
    "\u2060 \u200d@",  # WORD JOINER, space, ZERO WIDTH JOINER, then @
    "\u3000\ufeff\uff1d",  # IDEOGRAPHIC SPACE, BOM, full-width =
    "\U000e0001-",  # LANGUAGE TAG (a Cf outside the BMP), then -
    "\t",
    "\r",
    "\u200b\t",
    "=",
    " +",
]
# Text columns a user's text reaches; the others are ids, dates, offsets and the permalink.
TEXT_COLUMNS = (
    "article_title",
    "article_url",
    "outlet",
    "tags",
    "organization",
    "quote",
    "prefix",
    "suffix",
    "note",
    "annotator",
)


@pytest.mark.parametrize("lead", LOOKALIKES, ids=ascii)
def test_neutralise_prefixes_every_lookalike(lead):
    assert neutralise(lead + "SUM(A1)") == "'" + lead + "SUM(A1)"


@pytest.mark.parametrize(
    "value", ["", "plain", "a=b", "'quoted", "\u200bplain", "\uff11\uff12", "\u2260", "x\uff1d"]
)
def test_neutralise_leaves_text_that_does_not_start_a_formula(value):
    assert neutralise(value) == value


def test_the_lookalikes_are_what_nfkc_makes_a_trigger():
    """The classes cover every character NFKC turns into a trigger, and every Cf."""
    for code in range(0x110000):
        char = chr(code)
        if unicodedata.category(char) == "Cf":
            assert neutralise(char + "=1") == "'" + char + "=1", hex(code)
        if unicodedata.normalize("NFKC", char)[:1] in ("=", "+", "-", "@"):
            assert neutralise(char + "1") == "'" + char + "1", hex(code)


@pytest.fixture
def passage():
    organization = make_organization("Org")
    make_tag("lead tag")
    return make_annotation(
        make_article("Before the quote after.", url="https://x.example/a"),
        exact="the quote",
        tags=["lead tag"],
        organization=organization,
        note="a note",
    )


def make_hostile(passage: Annotation, lead: str) -> dict[str, str]:
    """Every text column of `passage`'s export row starts with `lead`; what each holds."""
    value = {column: f"{lead}{column}(A1)" for column in TEXT_COLUMNS}
    article = passage.article
    Article.objects.filter(pk=article.pk).update(
        title=value["article_title"], url=value["article_url"]
    )
    Outlet.objects.filter(pk=article.outlet_id).update(name=value["outlet"])
    Tag.objects.filter(tagged_annotations__content_object=passage).update(name=value["tags"])
    Organization.objects.filter(pk=passage.organization_id).update(name=value["organization"])
    Annotation.objects.filter(pk=passage.pk).update(
        exact=value["quote"],
        end=F("start") + len(value["quote"]),
        prefix=value["prefix"],
        suffix=value["suffix"],
        note=value["note"],
    )
    get_user_model().objects.filter(pk=passage.annotator_id).update(username=value["annotator"])
    return value


def exported(content: bytes) -> dict[str, str]:
    header, row = csv.reader(io.StringIO(content.decode("utf-8"), newline=""))
    assert tuple(header) == HEADER
    return dict(zip(header, row, strict=True))


@pytest.mark.parametrize("lead", LOOKALIKES, ids=ascii)
def test_every_text_column_of_the_export_is_neutralised(client, passage, lead):
    """Through the view: the Python path on SQLite, COPY on PostgreSQL."""
    value = make_hostile(passage, lead)
    response = client.get("/passages/export.csv")
    record = exported(b"".join(response.streaming_content))
    assert {column: record[column] for column in TEXT_COLUMNS} == {
        column: "'" + value[column] for column in TEXT_COLUMNS
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
@pytest.mark.parametrize("lead", [*LOOKALIKES, "\u200bplain", "\u2260", "\uff11"], ids=ascii)
def test_copy_neutralises_exactly_as_python_does(passage, lead):
    make_hostile(passage, lead)
    passages = Annotation.objects.published()
    expected = b"".join(
        exports.csv_chunks(exports.passage_row(p, SITE) for p in passages.for_listing())
    )
    assert b"".join(exports.passages_csv_copy(passages.for_listing(), SITE)) == expected
