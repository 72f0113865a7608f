"""`manage.py import_annotations`: every format, placement, errors, atomicity, idempotency."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from annotations.models import Annotation, Tag
from audit.models import HistoryRecord
from publishing.counts import contributions, stored_counts
from tests.annotations.imports.helpers import SITE, collection, hypothesis_row, page, w3c, write
from tests.factories import make_annotator, make_article, make_organization, make_tag

# A flag (two code points, four UTF-16 units) and NBSPs before and inside the quotes.
BODY = (
    "Intro \U0001f1fa\U0001f1f8 text.\u00a0The council said 42\u00a0percent failed. "
    "Later, the mayor said 42\u00a0percent failed again. The end."
)
QUOTE = "42\u00a0percent failed"
FIRST = BODY.index(QUOTE)
SECOND = BODY.index(QUOTE, FIRST + 1)


@pytest.fixture
def corpus(db):
    annotator = make_annotator("ann")
    article = make_article(BODY, url="https://news.example/story", title="Story")
    make_tag("statistic-x")
    organization = make_organization("City Council")
    return annotator, article, organization


def passage_history(passage):
    return HistoryRecord.objects.filter(content_type__model="annotation", object_id=passage.pk)


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_annotations", str(path), "--annotator", "ann", *args, stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


def refused(path, *args) -> tuple[str, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_annotations", str(path), "--annotator", "ann", *args, stderr=err)
    return str(raised.value), err.getvalue()


def one(corpus, tmp_path, **fields):
    annotator, article, organization = corpus
    return w3c(
        "https://elsewhere.example/anno/1",
        f"{SITE}/articles/{article.slug}/",
        QUOTE,
        prefix="The council said ",
        suffix=". Later, the ",
        start=FIRST,
        end=FIRST + len(QUOTE),
        tags=["statistic-x"],
        note="Check the source.",
        organization=f"{SITE}/organizations/{organization.slug}/",
        **fields,
    )


def test_a_w3c_annotation_becomes_a_passage_with_its_coding_and_history(corpus, tmp_path):
    """Position in code points, tags by name, the note, the organization by its page."""
    annotator, article, organization = corpus
    out, _ = run(write(tmp_path, one(corpus, tmp_path)))
    assert out == "Passages: 1 created, 0 updated, 0 unchanged, 0 fuzzy, 0 skipped.\n"
    passage = Annotation.objects.get()
    assert (passage.start, passage.end, passage.exact) == (FIRST, FIRST + len(QUOTE), QUOTE)
    assert passage.prefix == BODY[FIRST - 32 : FIRST]
    assert passage.suffix == BODY[FIRST + len(QUOTE) :][:32]
    assert [t.name for t in passage.tags.all()] == ["statistic-x"]
    assert passage.note == "Check the source."
    assert passage.organization == organization
    assert passage.annotator == annotator
    assert passage.status == "published" and passage.anchor_status == "anchored"
    assert passage.source_id == "https://elsewhere.example/anno/1"
    assert passage.anchored_revision == article.revision
    record = passage_history(passage).get(action="create")
    assert (record.via, record.actor) == ("import", annotator)
    assert record.snapshot["tags"] == ["statistic-x"]
    assert record.snapshot["source_id"] == "https://elsewhere.example/anno/1"


def shapes(annotation: dict, row: dict) -> dict:
    return {
        "annotation": annotation,
        "array": [annotation],
        "page": page([annotation]),
        "collection": collection([annotation]),
        "collection with a second embedded page": {
            **collection([]),
            "first": {**page([]), "next": page([annotation], ident=f"{SITE}/annotations/?p=2")},
        },
        "hypothesis": {"total": 1, "rows": [row]},
    }


@pytest.mark.parametrize(
    "shape",
    [
        "annotation",
        "array",
        "page",
        "collection",
        "collection with a second embedded page",
        "hypothesis",
    ],
)
def test_every_format_gives_the_same_passage(corpus, tmp_path, shape):
    annotator, article, _ = corpus
    annotation = w3c(
        "urn:uuid:1",
        "https://news.example/story",
        QUOTE,
        prefix="the mayor said ",
        suffix=" again",
        tags=["statistic-x"],
        note="n",
    )
    row = hypothesis_row(
        "AbC1",
        "https://news.example/story",
        QUOTE,
        prefix="the mayor said ",
        suffix=" again",
        tags=["statistic-x"],
        text="n",
    )
    run(write(tmp_path, shapes(annotation, row)[shape]))
    passage = Annotation.objects.get()
    assert (passage.article, passage.start, passage.exact, passage.note) == (
        article,
        SECOND,
        QUOTE,
        "n",
    )
    assert [t.name for t in passage.tags.all()] == ["statistic-x"]
    expected = "https://hypothes.is/a/AbC1" if shape == "hypothesis" else "urn:uuid:1"
    assert passage.source_id == expected


@pytest.mark.parametrize(
    "address",
    [
        "http://www.news.example/story/?utm_source=feed&utm_medium=rss",
        "https://NEWS.example/story#comments",
        "https://gloss.elsewhere.example/articles/{slug}",
        "/articles/{slug}/",
    ],
)
def test_the_article_is_found_by_its_page_here_or_its_normalised_url(corpus, tmp_path, address):
    _, article, _ = corpus
    annotation = w3c("urn:a", address.format(slug=article.slug), QUOTE, prefix="council said ")
    run(write(tmp_path, annotation))
    assert Annotation.objects.get().article == article


def test_a_position_in_utf16_units_is_not_trusted_and_the_quote_is_found_instead(corpus, tmp_path):
    """The flag is 2 code points but 4 UTF-16 units: the offsets are off by 2, so they do
    not read the quote and the quote with its context places the passage (code points)."""
    utf16 = len(BODY[:SECOND].encode("utf-16-le")) // 2
    annotation = w3c(
        "urn:a",
        "https://news.example/story",
        QUOTE,
        prefix="the mayor said ",
        suffix=" again",
        start=utf16,
        end=utf16 + len(QUOTE),
    )
    run(write(tmp_path, annotation))
    passage = Annotation.objects.get()
    assert (passage.start, passage.end, passage.anchor_status) == (
        SECOND,
        SECOND + len(QUOTE),
        "anchored",
    )


def test_a_quote_with_plain_spaces_for_nbsp_is_placed_and_keeps_the_body_text(corpus, tmp_path):
    annotation = w3c(
        "urn:a",
        "https://news.example/story",
        "42 percent failed",
        prefix="council said ",
        start=FIRST,
        end=FIRST + len(QUOTE),
    )
    run(write(tmp_path, annotation))
    passage = Annotation.objects.get()
    assert (passage.start, passage.exact, passage.anchor_status) == (FIRST, QUOTE, "anchored")
    # Without a position, a whitespace variant is found by the cascade, vouched for by its
    # context, and flagged for review like any text that is not the quote exactly.
    without_position = w3c(
        "urn:b", "https://news.example/story", "42 percent failed again", prefix="mayor said "
    )
    run(write(tmp_path, without_position))
    fuzzy = Annotation.objects.get(source_id="urn:b")
    assert (fuzzy.exact, fuzzy.start, fuzzy.anchor_status) == (QUOTE + " again", SECOND, "fuzzy")


def test_the_occurrence_whose_context_fits_best_is_taken(corpus, tmp_path):
    first = w3c("urn:1", "https://news.example/story", QUOTE, prefix="The council said ")
    second = w3c("urn:2", "https://news.example/story", QUOTE, suffix=" again. The end.")
    run(write(tmp_path, [first, second]))
    starts = dict(Annotation.objects.values_list("source_id", "start"))
    assert starts == {"urn:1": FIRST, "urn:2": SECOND}


def test_a_fuzzy_match_is_imported_as_fuzzy_and_reported(corpus, tmp_path):
    annotation = w3c(
        "urn:fz",
        "https://news.example/story",
        "42 per cent failed again",
        prefix="the mayor said ",
    )
    out, _ = run(write(tmp_path, annotation))
    passage = Annotation.objects.get()
    assert passage.anchor_status == "fuzzy"
    assert passage.exact == BODY[passage.start : passage.end]
    assert passage.start == SECOND
    assert passage.previous_exact == "42 per cent failed again"
    assert "1 fuzzy" in out
    assert f"fuzzy: urn:fz: placed at {passage.start}-{passage.end} of {corpus[1].slug}" in out


def test_every_failing_item_is_listed_and_nothing_is_written(corpus, tmp_path):
    _, article, _ = corpus
    good = w3c("urn:good", "https://news.example/story", QUOTE)
    items = [
        good,
        w3c("urn:no-article", "https://nowhere.example/x", QUOTE),
        w3c("urn:no-quote", "https://news.example/story", "words nobody wrote here at all"),
        {"type": "Annotation", "target": {"source": "https://news.example/story"}},
        w3c("urn:tag", "https://news.example/story", QUOTE, tags=["no such tag"]),
        w3c(
            "urn:org",
            "https://news.example/story",
            QUOTE,
            organization=f"{SITE}/organizations/nobody/",
        ),
        w3c("urn:good", "https://news.example/story", QUOTE),
        {**good, "id": "urn:page-note", "target": "https://news.example/story"},
    ]
    counts = (Annotation.objects.count(), HistoryRecord.objects.count(), Tag.objects.count())
    message, err = refused(write(tmp_path, items), "--skip-unplaced")
    # --skip-unplaced does not excuse the malformed item, the unknown tag or organization.
    assert message.endswith("4 items failed; nothing imported")
    message, err = refused(write(tmp_path, items))
    path = tmp_path / "annotations.json"
    assert err.splitlines() == [
        f"{path}: item 4: the annotation has no id",
        f"{path}: urn:good: the file holds two annotations with this id",
        f"{path}: urn:page-note: the target is a whole document; there is no quote to place",
        f"{path}: urn:no-article: no article here is https://nowhere.example/x",
        f"{path}: urn:no-quote: the quote is not in the article {article.slug}",
        f"{path}: urn:tag: unknown tag: no such tag",
        f"{path}: urn:org: unknown organization: {SITE}/organizations/nobody/",
    ]
    assert message == f"{path}: 7 items failed; nothing imported"
    assert (
        Annotation.objects.count(),
        HistoryRecord.objects.count(),
        Tag.objects.count(),
    ) == counts


def test_skip_unplaced_imports_the_rest_and_lists_what_it_skipped(corpus, tmp_path):
    items = [
        w3c("urn:good", "https://news.example/story", QUOTE),
        w3c("urn:no-article", "https://nowhere.example/x", QUOTE),
        w3c("urn:no-quote", "https://news.example/story", "words nobody wrote here at all"),
    ]
    out, _ = run(write(tmp_path, items), "--skip-unplaced")
    assert list(Annotation.objects.values_list("source_id", flat=True)) == ["urn:good"]
    assert out.splitlines() == [
        "Passages: 1 created, 0 updated, 0 unchanged, 0 fuzzy, 2 skipped.",
        "skipped: urn:no-article: no article here is https://nowhere.example/x",
        f"skipped: urn:no-quote: the quote is not in the article {corpus[1].slug}",
    ]


def test_create_tags_makes_the_missing_tags_with_their_history(corpus, tmp_path):
    annotation = w3c(
        "urn:t", "https://news.example/story", QUOTE, tags=["New Code", "new code", "statistic-x"]
    )
    out, _ = run(write(tmp_path, annotation), "--create-tags")
    tag = Tag.objects.get(name="New Code")
    assert tag.slug == "new-code"
    assert sorted(t.name for t in Annotation.objects.get().tags.all()) == [
        "New Code",
        "statistic-x",
    ]
    assert (
        HistoryRecord.objects.filter(
            content_type__model="tag", object_id=tag.pk, action="create", via="import"
        ).count()
        == 1
    )
    assert "Tags created: New Code" in out


def test_a_tag_name_too_long_for_a_tag_is_refused_even_with_create_tags(corpus, tmp_path):
    annotation = w3c("urn:long", "https://news.example/story", QUOTE, tags=["x" * 101])
    _, err = refused(write(tmp_path, annotation), "--create-tags")
    assert "urn:long: a tag name is longer than 100 characters" in err
    assert not Tag.objects.filter(name__startswith="xxx").exists()


def test_status_draft_applies_to_new_passages(corpus, tmp_path):
    run(write(tmp_path, w3c("urn:d", "https://news.example/story", QUOTE)), "--status", "draft")
    assert Annotation.objects.get().status == "draft"


def test_importing_again_updates_instead_of_duplicating(corpus, tmp_path):
    document = one(corpus, tmp_path)
    path = write(tmp_path, document)
    run(path)
    passage = Annotation.objects.get()
    out, _ = run(path)
    assert out.startswith("Passages: 0 created, 0 updated, 1 unchanged")
    assert passage_history(passage).count() == 1
    document["body"] = [{"type": "TextualBody", "purpose": "commenting", "value": "Revised note."}]
    document["target"]["selector"] = [
        {"type": "TextQuoteSelector", "exact": QUOTE, "prefix": "the mayor said "}
    ]
    out, _ = run(write(tmp_path, document))
    assert out.startswith("Passages: 0 created, 1 updated, 0 unchanged")
    again = Annotation.objects.get()
    assert (again.pk, again.start, again.note, again.organization) == (
        passage.pk,
        SECOND,
        "Revised note.",
        None,
    )
    assert list(again.tags.all()) == []
    update = passage_history(passage).get(action="update")
    assert update.via == "import"
    assert update.changes["note"] == ["Check the source.", "Revised note."]
    assert update.changes["tags"] == [["statistic-x"], []]
    assert update.changes["start"] == [FIRST, SECOND]


def test_the_facet_counts_stay_right(corpus, tmp_path):
    run(write(tmp_path, one(corpus, tmp_path)))
    stored = dict(stored_counts())
    assert stored == {key: n for key, n in contributions().items() if n}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\xff\xfe not utf-8", "the file is not UTF-8 text"),
        (b"{not json", "the file is not JSON"),
        (b'{"type": "Person"}', "not an Annotation, an array of them"),
        (b"[]", "the file holds no annotations"),
        (
            json.dumps(
                {"type": "AnnotationCollection", "total": 3, "first": "https://x/?page=0"}
            ).encode(),
            "the AnnotationCollection's first page is not embedded",
        ),
        (
            json.dumps(
                {"type": "AnnotationPage", "items": [], "next": "https://x/?page=2"}
            ).encode(),
            "the page continues at https://x/?page=2, which is not in the file",
        ),
    ],
)
def test_an_unreadable_file_exits_1_with_one_line(corpus, tmp_path, content, reason):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    message, err = refused(path)
    assert message.startswith(f"{path}: {reason}")
    assert "\n" not in message and err == ""
    assert Annotation.objects.count() == 0


def test_an_unknown_annotator_or_one_who_may_not_annotate_is_refused(corpus, tmp_path):
    path = write(tmp_path, w3c("urn:a", "https://news.example/story", QUOTE))
    with pytest.raises(CommandError, match="--annotator: no user 'ghost'"):
        call_command("import_annotations", str(path), "--annotator", "ghost")
    from tests.factories import make_user

    make_user("reader", group=None)
    with pytest.raises(CommandError, match="may not create passages"):
        call_command("import_annotations", str(path), "--annotator", "reader")
    assert Annotation.objects.count() == 0
