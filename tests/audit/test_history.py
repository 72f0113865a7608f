"""Every write leaves a history record (who, when, what changed, through which door)."""

import pytest
from django.core.exceptions import PermissionDenied

from annotations.actions.passages import annotation_delete, annotation_update
from annotations.actions.revisions import article_revise
from annotations.models import Annotation, Tag
from articles.actions.articles import article_update
from articles.actions.organizations import organization_delete
from articles.models import Article, Organization, Outlet
from audit.models import HistoryRecord
from intake.importers import import_articles
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_editor,
    make_organization,
    make_tag,
)

pytestmark = pytest.mark.django_db


def history(obj) -> list[tuple[str, str]]:
    """(action, via) of `obj`'s records, oldest first."""
    return [
        (r.action, r.via) for r in HistoryRecord.objects.for_object(obj).order_by("created", "id")
    ]


def test_a_passage_create_change_and_delete_are_recorded_with_actor_snapshot_and_diff():
    """Create, change and delete each leave one record; the snapshot carries the tags and
    the diff names only what changed; the delete keeps the last state."""
    annotator = make_annotator("ann")
    passage = make_annotation(exact="quick", annotator=annotator, tags=["statistic"])
    annotation_update(annotation=passage, user=annotator, note="n", tags=["quote"], via="api")
    pk = passage.pk
    annotation_delete(annotation=passage, user=annotator, via="workspace")
    records = list(
        HistoryRecord.objects.for_model(Annotation).filter(object_id=pk).order_by("created", "id")
    )
    assert [(r.action, r.via, r.actor_id) for r in records] == [
        ("create", "other", annotator.pk),
        ("update", "api", annotator.pk),
        ("delete", "workspace", annotator.pk),
    ]
    created, updated, deleted = records
    assert created.snapshot["tags"] == ["statistic"]
    assert created.snapshot["exact"] == "quick"
    assert created.changes == {}
    assert updated.changes == {"note": ["", "n"], "tags": [["statistic"], ["quote"]]}
    assert deleted.snapshot["tags"] == ["quote"] and deleted.snapshot["note"] == "n"
    assert deleted.object_repr == "quick"


def test_an_update_that_changes_nothing_leaves_no_record():
    passage = make_annotation(tags=["quote"])
    annotation_update(annotation=passage, user=passage.annotator, note=passage.note, tags=["quote"])
    assert history(passage) == [("create", "other")]


def test_a_refused_write_leaves_no_record():
    """The record is written in the service's transaction: no write, no record."""
    passage = make_annotation()
    other = make_annotator()
    before = HistoryRecord.objects.count()
    with pytest.raises(PermissionDenied):
        annotation_update(annotation=passage, user=other, note="x")
    with pytest.raises(Exception, match="status"):
        annotation_update(annotation=passage, user=passage.annotator, status="bogus")
    assert HistoryRecord.objects.count() == before


def test_article_create_update_and_revision_with_reanchoring_are_recorded():
    """A revision records the article (revision number) and every moved passage, in bulk,
    as `reanchor` by the revising editor."""
    editor = make_editor("ed")
    article = make_article("Alpha beta gamma delta.", editor=editor)
    one = make_annotation(article, exact="gamma")
    two = make_annotation(article, exact="delta")
    article_update(article=article, title="New title", actor=editor, via="admin")
    article_revise(
        article=article, body="Zero. Alpha beta gamma delta.", editor=editor, via="admin"
    )
    assert history(article) == [("create", "other"), ("update", "admin"), ("update", "admin")]
    revised = HistoryRecord.objects.for_object(article).first()
    assert revised.changes["revision"] == [1, 2]
    assert "body" not in revised.snapshot  # bodies live in the revisions
    for passage in (one, two):
        record = HistoryRecord.objects.for_object(passage).first()
        assert (record.action, record.via, record.actor_id) == ("update", "reanchor", editor.pk)
        assert record.changes["start"][1] == record.changes["start"][0] + 6


def test_imports_record_every_row_as_import(tmp_path):
    (tmp_path / "a.txt").write_text("Title\n\nThe body of the article.", encoding="utf-8")
    import_articles([tmp_path])
    article = Article.objects.get()
    assert history(article) == [("create", "import")]
    assert history(Outlet.objects.get()) == [("create", "import")]


def test_outlet_organization_and_tag_writes_in_the_admin_are_recorded(client):
    """Admin saves and deletes go through the services, which record them."""
    editor = make_editor("ed")
    client.force_login(editor)
    response = client.post(
        "/admin/articles/outlet/add/",
        {"name": "Daily <b>", "slug": "daily", "domain": "daily.example", "homepage": ""},
    )
    assert response.status_code == 302, response.content
    outlet = Outlet.objects.get(slug="daily")
    response = client.post(
        f"/admin/articles/outlet/{outlet.pk}/delete/", {"post": "yes"}, follow=False
    )
    assert response.status_code == 302
    records = HistoryRecord.objects.filter(object_repr="Daily <b>").order_by("id")
    assert [(r.action, r.via, r.actor_id) for r in records] == [
        ("create", "admin", editor.pk),
        ("delete", "admin", editor.pk),
    ]

    tag = make_tag("to go")
    passage = make_annotation(tags=[tag])
    response = client.post(f"/admin/annotations/tag/{tag.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert history(tag)[-1] == ("delete", "admin")
    # The passage lost the tag: its own history says so.
    last = HistoryRecord.objects.for_object(passage).first()
    assert last.changes["tags"] == [["to-go"], []]

    organization = make_organization("Org")
    response = client.post(
        f"/admin/articles/organization/{organization.pk}/change/",
        {"name": "Org", "slug": organization.slug, "kind": "union", "aliases": "O\nOG"},
    )
    assert response.status_code == 302, response.content
    record = HistoryRecord.objects.for_object(organization).first()
    assert record.changes == {"kind": ["advocacy", "union"], "aliases": [[], ["O", "OG"]]}


def test_history_is_read_only_in_the_admin(client):
    editor = make_editor()
    make_annotation()
    client.force_login(editor)
    record = HistoryRecord.objects.first()
    assert client.get("/admin/audit/historyrecord/").status_code == 200
    assert client.get(f"/admin/audit/historyrecord/{record.pk}/change/").status_code == 200
    assert client.get("/admin/audit/historyrecord/add/").status_code == 403
    response = client.post(f"/admin/audit/historyrecord/{record.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert HistoryRecord.objects.filter(pk=record.pk).exists()


def test_annotators_cannot_read_the_history(client):
    client.force_login(make_annotator())
    assert client.get("/admin/audit/historyrecord/").status_code == 403


def test_tag_and_organization_rows_survive_in_snapshots_after_they_are_gone():
    tag = make_tag("gone")
    organization = make_organization("Gone Org")
    passage = make_annotation(tags=[tag], organization=organization)
    editor = make_editor()
    organization_pk = organization.pk
    organization_delete(organization=organization, actor=editor)
    assert Annotation.objects.get(pk=passage.pk).organization is None
    record = HistoryRecord.objects.for_object(passage).first()
    assert record.changes["organization_id"] == [organization_pk, None]
    assert not Organization.objects.filter(pk=organization_pk).exists()
    assert Tag.objects.filter(pk=tag.pk).exists()
