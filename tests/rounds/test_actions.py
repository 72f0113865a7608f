"""Round and adjudication actions: validation codes, history records, the close."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from annotations.models import Annotation
from audit.models import HistoryRecord
from rounds.actions import (
    consensus_edit,
    consensus_keep,
    consensus_merge,
    consensus_reject,
    round_close,
    round_create,
    round_mark_done,
    round_update,
)
from rounds.models import Adjudication, DoneMark, Round
from tests.factories import make_annotator, make_article, make_editor, make_tag, make_user
from tests.rounds.helpers import BODY, blind_round

pytestmark = pytest.mark.django_db


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def history(obj) -> list[tuple[str, str]]:
    return list(
        HistoryRecord.objects.filter(content_type__model=obj._meta.model_name, object_id=obj.pk)
        .order_by("pk")
        .values_list("action", "via")
    )


def test_a_round_needs_articles_two_annotators_and_tags():
    """Each missing part is a field error with its code, and nothing is written."""
    editor = make_editor()
    with pytest.raises(ValidationError) as caught:
        round_create(name="Empty", articles=[], coders=[make_annotator()], tags=[], editor=editor)
    assert codes(caught.value) == {
        "articles": ["no_articles"],
        "coders": ["too_few_coders"],
        "tags": ["no_tags"],
    }
    assert not Round.objects.exists()


def test_coders_must_be_annotators():
    editor = make_editor()
    outsider = make_user("visitor", group=None)
    with pytest.raises(ValidationError) as caught:
        round_create(
            name="R",
            articles=[make_article()],
            coders=[make_annotator(), outsider],
            tags=[make_tag()],
            editor=editor,
        )
    assert codes(caught.value) == {"coders": ["not_an_annotator"]}


def test_only_editors_create_rounds():
    with pytest.raises(PermissionDenied):
        round_create(
            name="R",
            articles=[make_article()],
            coders=[make_annotator(), make_annotator()],
            tags=[make_tag()],
            editor=make_annotator(),
        )


def test_create_and_update_record_history_with_the_round_members():
    s = blind_round()
    record = HistoryRecord.objects.get(content_type__model="round", object_id=s.round.pk)
    assert record.action == "create"
    assert record.snapshot["coders"] == ["ana", "bob"]
    assert record.snapshot["tags"] == ["statistic"]
    round_update(round=s.round, editor=s.editor, name="Renamed", blind=False, via="workspace")
    update = (
        HistoryRecord.objects.filter(object_id=s.round.pk, content_type__model="round")
        .order_by("pk")
        .last()
    )
    assert update.action == "update" and update.via == "workspace"
    assert update.changes["name"] == ["Bridges round", "Renamed"]
    assert update.changes["blind"] == [True, False]


def test_marking_done_is_the_coders_own_and_recorded():
    s = blind_round()
    mark = round_mark_done(round=s.round, article=s.article, coder=s.ana)
    assert DoneMark.objects.filter(round=s.round, coder=s.ana).count() == 1
    assert history(mark) == [("create", "other")]
    round_mark_done(round=s.round, article=s.article, coder=s.ana)  # again: nothing new
    assert DoneMark.objects.count() == 1
    with pytest.raises(PermissionDenied):
        round_mark_done(round=s.round, article=s.article, coder=s.editor)
    with pytest.raises(ValidationError) as caught:
        round_mark_done(round=s.round, article=s.other, coder=s.ana)
    assert caught.value.code == "not_in_round"
    round_mark_done(round=s.round, article=s.article, coder=s.ana, done=False)
    assert not DoneMark.objects.exists()


def test_keeping_a_passage_makes_a_draft_consensus_copy_with_its_sources():
    s = blind_round()
    decision = consensus_keep(
        round=s.round, passage=s.bob_passage, others=[s.ana_passage], editor=s.editor
    )
    consensus = decision.passage
    assert (consensus.start, consensus.end, consensus.exact) == (
        s.bob_passage.start,
        s.bob_passage.end,
        "42 percent of bridges",
    )
    assert consensus.adjudicated and consensus.status == Annotation.Status.DRAFT
    assert consensus.annotator == s.editor
    assert [t.slug for t in consensus.tags.all()] == ["statistic"]
    assert sorted(decision.sources.values_list("pk", flat=True)) == sorted(
        [s.ana_passage.pk, s.bob_passage.pk]
    )
    assert {row["annotator"] for row in decision.sources_snapshot} == {"ana", "bob"}
    assert history(consensus) == [("create", "other")]
    record = HistoryRecord.objects.get(content_type__model="adjudication", object_id=decision.pk)
    assert record.snapshot["sources"] == sorted([s.ana_passage.pk, s.bob_passage.pk])
    assert record.snapshot["decision"] == "keep"


def test_merge_spans_both_and_edit_takes_the_editors_span():
    s = blind_round()
    merged = consensus_merge(
        round=s.round, passages=[s.ana_passage, s.bob_passage], editor=s.editor
    ).passage
    assert merged.exact == "42 percent of bridges"
    start = BODY.index("percent of bridges failed")
    edited = consensus_edit(
        round=s.round,
        passages=[s.ana_passage, s.bob_passage],
        start=start,
        end=start + len("percent of bridges failed"),
        exact="percent of bridges failed",
        editor=s.editor,
    ).passage
    assert edited.exact == "percent of bridges failed" and edited.adjudicated
    with pytest.raises(ValidationError) as caught:
        consensus_edit(
            round=s.round,
            passages=[s.ana_passage],
            start=0,
            end=3,
            exact="not",
            editor=s.editor,
        )
    assert caught.value.code == "quote_mismatch"


def test_reject_records_the_decision_without_a_passage():
    s = blind_round()
    before = Annotation.objects.count()
    decision = consensus_reject(round=s.round, passages=[s.ana_passage], editor=s.editor)
    assert decision.passage is None and decision.decision == Adjudication.Decision.REJECT
    assert Annotation.objects.count() == before
    assert history(decision) == [("create", "other")]


def test_only_the_rounds_passages_can_be_adjudicated_and_by_editors():
    s = blind_round()
    with pytest.raises(ValidationError) as caught:
        consensus_keep(round=s.round, passage=s.outside, editor=s.editor)
    assert caught.value.code == "not_round_passage"
    with pytest.raises(PermissionDenied):
        consensus_keep(round=s.round, passage=s.ana_passage, editor=s.ana)
    assert not Adjudication.objects.exists()


def test_closing_publishes_the_consensus_and_drafts_the_coders_passages():
    s = blind_round()
    consensus = consensus_keep(
        round=s.round, passage=s.bob_passage, others=[s.ana_passage], editor=s.editor
    ).passage
    round_close(round=s.round, editor=s.editor, coder_passages="draft", via="workspace")
    s.round.refresh_from_db()
    assert s.round.state == "closed" and s.round.closed is not None
    assert s.round.coder_passages == "draft"
    assert s.round.agreement["annotators"] == ["ana", "bob"]
    assert "statistic" in s.round.agreement["tags"]
    consensus.refresh_from_db()
    assert consensus.status == "published"
    assert set(
        Annotation.objects.filter(pk__in=[s.ana_passage.pk, s.bob_passage.pk]).values_list(
            "status", flat=True
        )
    ) == {"draft"}
    assert history(s.ana_passage)[-1] == ("update", "workspace")
    assert history(consensus)[-1] == ("update", "workspace")
    assert Annotation.objects.get(pk=s.outside.pk).status == "published"  # not the round's
    with pytest.raises(ValidationError) as caught:
        round_close(round=s.round, editor=s.editor)
    assert caught.value.code == "round_closed"


def test_closing_can_remove_the_coders_passages_keeping_their_history():
    s = blind_round()
    decision = consensus_merge(
        round=s.round, passages=[s.ana_passage, s.bob_passage], editor=s.editor
    )
    round_close(round=s.round, editor=s.editor, coder_passages="delete")
    assert not Annotation.objects.filter(pk__in=[s.ana_passage.pk, s.bob_passage.pk]).exists()
    assert history(s.ana_passage)[-1][0] == "delete"
    decision.refresh_from_db()
    assert len(decision.sources_snapshot) == 2  # the sources outlive their deletion
    assert decision.passage.status == "published"
    # The agreement measured at close stays with the round.
    s.round.refresh_from_db()
    assert s.round.agreement["tags"]["statistic"]["units"] == {"ana": 1, "bob": 1}
