"""The admin: who may do what with passages, and changelists with bounded queries."""

import pytest
from django.urls import reverse

from annotations.models import Annotation
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_editor,
    make_organization,
    make_tag,
)

pytestmark = pytest.mark.django_db


def change_url(passage):
    return reverse("admin:annotations_annotation_change", args=[passage.pk])


def delete_url(passage):
    return reverse("admin:annotations_annotation_delete", args=[passage.pk])


def post_change(client, passage, note):
    return client.post(
        change_url(passage),
        {
            "tags": [t.pk for t in passage.tags.all()],
            "organization": "",
            "note": note,
            "status": "published",
        },
    )


@pytest.fixture
def people():
    return {"owner": make_annotator(), "other": make_annotator(), "editor": make_editor()}


def test_annotator_creates_a_passage_in_the_admin(client, people):
    article = make_article("The court ruled on Monday.")
    statistic = make_tag("count")
    client.force_login(people["owner"])
    response = client.post(
        reverse("admin:annotations_annotation_add"),
        {
            "article": article.pk,
            "start": 4,
            "end": 9,
            "exact": "court",
            "tags": [statistic.pk],
            "organization": make_organization().pk,
            "note": "who ruled",
            "status": "published",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    passage = Annotation.objects.get()
    assert (passage.exact, passage.annotator, passage.prefix, passage.suffix) == (
        "court",
        people["owner"],
        "The ",
        " ruled on Monday.",
    )
    assert list(passage.tags.all()) == [statistic]


def test_admin_add_form_shows_the_services_error(client, people):
    article = make_article("The court ruled on Monday.")
    client.force_login(people["owner"])
    response = client.post(
        reverse("admin:annotations_annotation_add"),
        {"article": article.pk, "start": 4, "end": 9, "exact": "judge", "status": "published"},
    )
    assert response.status_code == 200
    assert "does not match the article text" in response.content.decode()
    assert not Annotation.objects.exists()


def test_owner_may_change_and_delete_their_passage(client, people):
    passage = make_annotation(annotator=people["owner"])
    client.force_login(people["owner"])
    assert post_change(client, passage, "mine").status_code == 302
    passage.refresh_from_db()
    assert passage.note == "mine"
    assert client.post(delete_url(passage), {"post": "yes"}).status_code == 302
    assert not Annotation.objects.exists()


def test_another_annotator_may_view_but_not_change_or_delete(client, people):
    passage = make_annotation(annotator=people["owner"], note="original")
    client.force_login(people["other"])
    page = client.get(change_url(passage))
    assert page.status_code == 200
    assert 'name="note"' not in page.content.decode()  # read-only view
    assert post_change(client, passage, "hijacked").status_code == 403
    assert client.post(delete_url(passage), {"post": "yes"}).status_code == 403
    passage.refresh_from_db()
    assert passage.note == "original"


def test_editor_may_change_and_delete_anyones_passage(client, people):
    passage = make_annotation(annotator=people["owner"])
    client.force_login(people["editor"])
    assert post_change(client, passage, "edited").status_code == 302
    passage.refresh_from_db()
    assert passage.note == "edited"
    assert client.post(delete_url(passage), {"post": "yes"}).status_code == 302


def test_annotators_cannot_edit_articles_outlets_organizations_or_tags(client, people):
    article = make_article()
    client.force_login(people["owner"])
    for name, pk in [
        ("articles_article", article.pk),
        ("articles_outlet", article.outlet_id),
        ("articles_organization", make_organization().pk),
        ("annotations_tag", make_tag().pk),
    ]:
        assert client.post(reverse(f"admin:{name}_change", args=[pk]), {}).status_code == 403
    assert client.get(reverse("admin:articles_article_add")).status_code == 403


def test_bulk_delete_action_respects_ownership(client, people):
    mine = make_annotation(annotator=people["owner"])
    theirs = make_annotation(annotator=people["other"])
    client.force_login(people["owner"])
    response = client.post(
        reverse("admin:annotations_annotation_changelist"),
        {"action": "delete_selected", "_selected_action": [mine.pk, theirs.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert Annotation.objects.count() == 2


def many_passages(n, annotator):
    article = make_article(" ".join(f"word{i}" for i in range(n)))
    tags = [make_tag(), make_tag()]
    orgs = [make_organization(), make_organization()]
    for i in range(n):
        make_annotation(
            article,
            exact=f"word{i}",
            annotator=annotator,
            tags=tags[: i % 3],
            organization=orgs[i % 2],
        )
    return article


@pytest.mark.parametrize("rows", [3, 30])
def test_annotation_changelist_query_count_does_not_grow(
    client, django_assert_num_queries, people, rows
):
    """Session, user, two permission reads, four filters and what a blind round hides
    from the user (one query the outlet and organization filters share), the capped
    count, the page and its tags: 12 whatever the number of rows, on both databases (the
    visibility rule filters the list, so the paginator counts up to its cap instead of
    reading the PostgreSQL row estimate)."""
    many_passages(rows, people["owner"])
    client.force_login(people["editor"])
    with django_assert_num_queries(12):
        response = client.get(reverse("admin:annotations_annotation_changelist"))
    assert response.status_code == 200
    assert response.content.decode().count('class="tag-chip') >= rows // 3


@pytest.mark.parametrize("rows", [3, 30])
def test_article_change_page_with_many_passages_has_bounded_queries(
    client, django_assert_max_num_queries, people, rows
):
    article = many_passages(rows, people["owner"])
    client.force_login(people["editor"])
    with django_assert_max_num_queries(22):
        response = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "articles_article",
        "articles_outlet",
        "articles_organization",
        "articles_articlerevision",
        "annotations_tag",
        "annotations_apitoken",
    ],
)
def test_every_changelist_has_bounded_queries(client, django_assert_max_num_queries, people, name):
    for _ in range(10):
        make_article()
        make_organization()
        make_tag()
    client.force_login(people["editor"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse(f"admin:{name}_changelist"))
    assert response.status_code == 200
