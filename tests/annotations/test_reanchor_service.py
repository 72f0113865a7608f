"""`article_revise` stores a revision and re-anchors every passage in one transaction."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.actions import revisions
from annotations.actions.revisions import RevisionConflict, article_revise
from annotations.models import Annotation
from articles.models import Article, ArticleRevision
from tests.factories import make_annotation, make_article, make_editor

BODY = "The court ruled on Monday that the policy was unlawful. The agency will appeal."


def state(article):
    """Everything a revision may change, to compare before and after a refusal."""
    return (
        Article.objects.filter(pk=article.pk).values("body", "revision").get(),
        list(ArticleRevision.objects.filter(article=article).values_list("number", "body")),
        list(Annotation.objects.filter(article=article).order_by("pk").values()),
    )


@pytest.mark.django_db
def test_a_revision_is_numbered_and_passages_record_the_revision_they_follow():
    article = make_article(BODY)
    passage = make_annotation(article, exact="the policy was unlawful")
    editor = make_editor()
    for n, body in enumerate(["Update: " + BODY, "Update: " + BODY + " More later."], start=2):
        revision = article_revise(
            article=article, body=body, editor=editor, reason="correction", base_revision=n - 1
        )
        assert (revision.number, revision.body, revision.editor) == (n, body, editor)
        passage.refresh_from_db()
        assert body[passage.start : passage.end] == passage.exact
        assert passage.anchored_revision == n
    article.refresh_from_db()
    assert article.revision == 3
    assert list(article.revisions.values_list("number", "reason")) == [
        (1, "import"),
        (2, "correction"),
        (3, "correction"),
    ]


@pytest.mark.django_db
def test_an_unchanged_body_is_no_revision():
    article = make_article(BODY)
    assert article_revise(article=article, body=BODY, editor=None, base_revision=1) is None
    assert Article.objects.get(pk=article.pk).revision == 1


@pytest.mark.django_db
def test_a_stale_base_revision_is_a_conflict_that_writes_nothing():
    article = make_article(BODY)
    make_annotation(article, exact="the policy was unlawful")
    article_revise(article=article, body="Correction: " + BODY, editor=None, base_revision=1)
    before = state(article)
    with pytest.raises(RevisionConflict) as conflict:
        article_revise(article=article, body="Something else.", editor=None, base_revision=1)
    assert conflict.value.code == "revision_conflict"
    assert state(article) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "code"), [({"body": "  "}, "empty_body"), ({"reason": "whim"}, "unknown_reason")]
)
def test_invalid_revisions_are_refused_with_a_code(kwargs, code):
    article = make_article(BODY)
    before = state(article)
    with pytest.raises(ValidationError) as error:
        article_revise(
            article=article, **{"body": "New text.", "editor": None, "base_revision": 1, **kwargs}
        )
    value = error.value
    errors = value.error_dict.get("reason", []) if hasattr(value, "error_dict") else [value]
    assert [e.code for e in errors] == [code]
    assert state(article) == before


@pytest.mark.django_db
def test_a_failure_while_reanchoring_rolls_back_the_body_and_the_revision(monkeypatch):
    """Same transaction: the body never changes without its passages following."""
    article = make_article(BODY)
    make_annotation(article, exact="the policy was unlawful")
    before = state(article)
    real = revisions.reanchor_passages

    def reanchor_then_fail(**kwargs):
        real(**kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(revisions, "reanchor_passages", reanchor_then_fail)
    with pytest.raises(RuntimeError):
        article_revise(article=article, body="Totally new text.", editor=None, base_revision=1)
    assert state(article) == before


@pytest.mark.django_db
def test_passages_are_never_deleted_when_their_text_disappears():
    article = make_article(BODY)
    passages = [
        make_annotation(article, exact=quote)
        for quote in ("court ruled", "the policy was unlawful", "The agency will appeal.")
    ]
    article_revise(
        article=article,
        body="An entirely different story about the weather.",
        editor=None,
        base_revision=1,
    )
    kept = {p.pk: p for p in Annotation.objects.filter(article=article)}
    assert set(kept) == {p.pk for p in passages}
    for passage in passages:
        after = kept[passage.pk]
        assert after.anchor_status == Annotation.AnchorStatus.ORPHANED
        assert (after.exact, after.start, after.end) == (passage.exact, passage.start, passage.end)
        assert after.anchored_revision == 1


@pytest.mark.django_db
def test_a_fuzzy_passage_keeps_the_quote_it_had_before_the_edit():
    article = make_article(BODY + " The agency will appeal the decision next week.")
    passage = make_annotation(article, exact="The agency will appeal the decision")
    article_revise(
        article=article,
        body=BODY + " The agency will appeal the ruling next week.",
        editor=None,
        base_revision=1,
    )
    passage.refresh_from_db()
    assert passage.anchor_status == Annotation.AnchorStatus.FUZZY
    assert passage.previous_exact == "The agency will appeal the decision"
    assert passage.anchored_revision == 2


WORDS = st.sampled_from(["court", "ruled", "the", "policy", "was", "unlawful", "Monday", "é", "😀"])


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(
        st.tuples(st.integers(0, 200), st.integers(0, 12), st.lists(WORDS, max_size=4)),
        min_size=1,
        max_size=4,
    )
)
def test_any_edit_keeps_every_passage_and_anchored_ones_read_their_quote(edits):
    article = make_article(BODY)
    ids = {
        make_annotation(article, exact=quote).pk
        for quote in ("court ruled", "policy was unlawful", "agency")
    }
    body = BODY
    for position, deleted, inserted in edits:
        position = min(position, len(body))
        body = body[:position] + " ".join(inserted) + body[position + deleted :]
    if not body.strip():
        body = "x"
    article_revise(article=article, body=body, editor=None, base_revision=1)
    passages = list(Annotation.objects.filter(article=article))
    assert {p.pk for p in passages} == ids
    for passage in passages:
        if passage.anchor_status != Annotation.AnchorStatus.ORPHANED:
            assert passage.anchored_revision == Article.objects.get(pk=article.pk).revision
            assert 0 <= passage.start < passage.end <= len(body)
        if passage.anchor_status == Annotation.AnchorStatus.ANCHORED:
            assert body[passage.start : passage.end] == passage.exact


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite locks the file)"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_revisions_serialise_on_the_row_lock_and_the_stale_one_conflicts():
    """Two editors save at once from revision 1: the second waits for the first's lock,
    then sees revision 2 and is refused; without a base revision it would be revision 3."""
    article = make_article(BODY)
    make_annotation(article, exact="the policy was unlawful")
    first_holds_lock, release_first = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def first():
        try:
            # Holding the transaction open: the action's step, as a composing caller does.
            with transaction.atomic():
                revisions.revise_article(
                    article=Article.objects.get(pk=article.pk),
                    body="First: " + BODY,
                    editor=None,
                    base_revision=1,
                )
                first_holds_lock.set()
                release_first.wait(10)
            results["first"] = "saved"
        finally:
            connection.close()

    def second(name, base):
        try:
            results[name] = article_revise(
                article=Article.objects.get(pk=article.pk),
                body=f"{name}: " + BODY,
                editor=None,
                base_revision=base,
            ).number
        except RevisionConflict as conflict:
            results[name] = conflict.code
        finally:
            connection.close()

    a = threading.Thread(target=first)
    a.start()
    assert first_holds_lock.wait(10)
    b = threading.Thread(target=second, args=("stale", 1))
    c = threading.Thread(target=second, args=("blind", None))
    b.start()
    c.start()
    b.join(0.5)
    assert b.is_alive() and c.is_alive(), "the second revision must wait for the row lock"
    release_first.set()
    for thread in (a, b, c):
        thread.join(10)
    assert results == {"first": "saved", "stale": "revision_conflict", "blind": 3}
    article.refresh_from_db()
    assert article.revision == 3 and article.body == "blind: " + BODY
    assert list(article.revisions.values_list("number", flat=True)) == [1, 2, 3]
    passage = Annotation.objects.get(article=article)
    assert article.body[passage.start : passage.end] == passage.exact
    assert passage.anchored_revision == 3
