"""Tags nest under a parent: no cycles, a parent with sub-tags cannot be deleted."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.actions.tags import tag_delete, tag_save
from annotations.models import Tag
from tests.factories import make_editor, make_tag

pytestmark = pytest.mark.django_db


def nest(child: Tag, parent: Tag | None) -> Tag:
    child.parent = parent
    return tag_save(tag=child)


def test_a_tag_cannot_sit_under_itself_or_under_its_own_sub_tag():
    """The tag action refuses a parent that makes a cycle (code `tag_cycle`), directly
    or through a chain, and writes nothing."""
    top, middle, leaf = make_tag("top"), make_tag("middle"), make_tag("leaf")
    nest(middle, top)
    nest(leaf, middle)
    with pytest.raises(ValidationError) as error:
        nest(top, top)
    assert error.value.error_dict["parent"][0].code == "tag_cycle"
    top.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        nest(top, leaf)
    assert error.value.error_dict["parent"][0].code == "tag_cycle"
    assert Tag.objects.get(pk=top.pk).parent is None
    nest(leaf, top)  # moving a leaf up is fine
    assert Tag.objects.get(pk=leaf.pk).parent == top


def test_a_parent_with_sub_tags_is_protected():
    """Deleting a parent is refused while sub-tags sit under it: nothing is re-rooted
    behind the editor's back."""
    parent = make_tag("parent")
    nest(make_tag("child"), parent)
    with pytest.raises(ValidationError) as refused:
        tag_delete(tag=parent)
    assert refused.value.code == "tag_has_children"
    assert Tag.objects.filter(pk=parent.pk).exists()


def test_the_admin_shows_and_edits_the_parent_and_refuses_a_cycle(client):
    editor = make_editor()
    client.force_login(editor)
    parent, child = make_tag("broad"), make_tag("narrow")
    url = reverse("admin:annotations_tag_change", args=[parent.pk])
    nest(child, parent)
    form = {"name": "broad", "slug": "broad", "colour": "#ff0000", "description": ""}
    response = client.post(url, {**form, "parent": child.pk})
    assert response.status_code == 200  # the form again, with the error
    assert "cannot sit under itself" in response.content.decode()
    assert Tag.objects.get(pk=parent.pk).parent is None
    changelist = client.get(reverse("admin:annotations_tag_changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].list_display[:3] == ["action_checkbox", "chip", "slug"]
    assert "parent" in changelist.context["cl"].list_display


def test_the_tag_changelist_query_count_does_not_grow_with_parents(client):
    """The parent column is joined (`list_select_related`), not one query per row."""
    client.force_login(make_editor())
    url = reverse("admin:annotations_tag_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    top = make_tag("top")
    for n in range(15):
        nest(make_tag(f"sub {n}"), top)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
