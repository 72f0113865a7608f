"""Editors restore deleted passages and roll passages back from the history."""

import pytest
from django.core.exceptions import PermissionDenied

from annotations.actions.passages import annotation_delete, annotation_update
from annotations.actions.restore import annotation_restore
from annotations.actions.revisions import article_revise
from annotations.models import Annotation
from audit.models import HistoryRecord
from tests.factories import make_annotation, make_annotator, make_article, make_editor

pytestmark = pytest.mark.django_db

BODY = "The council voted to close the library. Residents objected loudly."


def deleted_record(passage) -> HistoryRecord:
    pk = passage.pk
    annotation_delete(annotation=passage, user=passage.annotator)
    return HistoryRecord.objects.for_model(Annotation).get(object_id=pk, action="delete")


def test_an_editor_restores_a_deleted_passage_with_its_id_tags_and_note():
    article = make_article(BODY)
    passage = make_annotation(article, exact="close the library", tags=["quote"], note="key")
    pk, annotator = passage.pk, passage.annotator
    record = deleted_record(passage)
    editor = make_editor("ed")
    restored = annotation_restore(record=record, user=editor)
    assert restored.pk == pk
    fresh = Annotation.objects.get(pk=pk)
    assert (fresh.exact, fresh.note, fresh.annotator, fresh.anchor_status) == (
        "close the library",
        "key",
        annotator,
        "anchored",
    )
    assert sorted(t.slug for t in fresh.tags.all()) == ["quote"]
    last = HistoryRecord.objects.for_object(fresh).first()
    assert (last.action, last.actor, last.changes) == (
        "restore",
        editor,
        {"restored_from": [None, record.pk]},
    )
    # Restored: no longer in the deleted list.
    assert not HistoryRecord.objects.still_deleted(Annotation).exists()


def test_a_passage_deleted_before_a_revision_is_restored_where_its_text_moved():
    article = make_article(BODY)
    passage = make_annotation(article, exact="Residents objected")
    record = deleted_record(passage)
    editor = make_editor()
    article_revise(article=article, body="Late news. " + BODY, editor=editor)
    restored = annotation_restore(record=record, user=editor)
    assert restored.anchor_status == "anchored"
    assert article.body[restored.start : restored.end] == "Residents objected"
    assert restored.anchored_revision == 2


def test_a_passage_whose_text_is_gone_comes_back_orphaned_with_its_quote():
    article = make_article(BODY)
    passage = make_annotation(article, exact="Residents objected loudly.")
    record = deleted_record(passage)
    editor = make_editor()
    article_revise(article=article, body="The council voted to close the library.", editor=editor)
    restored = annotation_restore(record=record, user=editor)
    assert restored.anchor_status == "orphaned"
    assert restored.exact == "Residents objected loudly."
    assert restored in Annotation.objects.needing_review()


def test_a_passage_is_rolled_back_to_an_earlier_version():
    passage = make_annotation(make_article(BODY), exact="council", tags=["quote"], note="first")
    annotation_update(annotation=passage, user=passage.annotator, note="second", tags=["statistic"])
    created = HistoryRecord.objects.for_object(passage).get(action="create")
    annotation_restore(record=created, user=make_editor())
    passage = Annotation.objects.get(pk=passage.pk)
    assert passage.note == "first"
    assert [t.slug for t in passage.tags.all()] == ["quote"]
    last = HistoryRecord.objects.for_object(passage).first()
    assert last.action == "restore"
    assert last.changes["note"] == ["second", "first"]


def test_annotators_cannot_restore():
    passage = make_annotation(make_article(BODY), exact="council")
    record = deleted_record(passage)
    with pytest.raises(PermissionDenied):
        annotation_restore(record=record, user=make_annotator())
    assert not Annotation.objects.exists()


def test_the_admin_lists_deleted_passages_and_restores_them(client):
    passage = make_annotation(make_article(BODY), exact="council", note="<script>x</script>")
    record = deleted_record(passage)
    client.force_login(make_editor())
    page = client.get("/admin/audit/historyrecord/deleted-passages/")
    assert page.status_code == 200
    assert f'action="/admin/audit/historyrecord/{record.pk}/restore/"'.encode() in page.content
    detail = client.get(f"/admin/audit/historyrecord/{record.pk}/change/")
    assert b"Restore this deleted passage" in detail.content
    assert b"<script>x</script>" not in detail.content
    assert client.get(f"/admin/audit/historyrecord/{record.pk}/restore/").status_code == 405
    response = client.post(f"/admin/audit/historyrecord/{record.pk}/restore/")
    assert response.status_code == 302
    assert Annotation.objects.filter(pk=record.object_id).exists()


def test_the_passage_history_button_opens_its_records(client):
    passage = make_annotation(make_article(BODY), exact="council")
    annotation_update(annotation=passage, user=passage.annotator, note="changed")
    client.force_login(make_editor())
    response = client.get(f"/admin/annotations/annotation/{passage.pk}/history/", follow=True)
    assert response.status_code == 200
    rows = response.context["cl"].result_list
    assert [r.action for r in rows] == ["update", "create"]
