"""`/workspace/codebook/`: who sees it, what editors can do there, bounded queries."""

import pytest

from annotations.actions.tags import tag_create, tag_update
from annotations.models import Tag
from audit.models import HistoryRecord
from tests.factories import make_annotation, make_annotator, make_editor

pytestmark = pytest.mark.django_db

URL = "/workspace/codebook/"


def test_anonymous_visitors_log_in_first(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/") or "login" in response["Location"]
    assert client.post("/workspace/codebook/new/", {"new-name": "x"}).status_code == 302
    assert not Tag.objects.filter(name="x").exists()


def test_annotators_read_descriptions_and_examples_but_cannot_edit(client):
    quote = Tag.objects.get(slug="quote")
    passage = make_annotation(tags=[quote], exact="quick")
    tag_update(tag=quote, description="Words someone said.", example_passage=passage)
    client.force_login(make_annotator())
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Words someone said." in html and "“quick”" in html
    assert "<form" not in html.split('<main id="main"', 1)[1]
    assert (
        client.post(
            "/workspace/codebook/new/", {"new-name": "mine", "new-colour": "#ffffff"}
        ).status_code
        == 403
    )
    assert client.post(f"/workspace/codebook/{quote.pk}/delete/").status_code == 403
    assert not Tag.objects.filter(name="mine").exists()


def test_editors_create_nest_reorder_merge_and_delete(client):
    editor = make_editor()
    client.force_login(editor)
    response = client.post(
        "/workspace/codebook/new/",
        {"new-name": "evidence", "new-colour": "#E0E0E0", "new-description": "Support."},
    )
    assert response.status_code == 302
    evidence = Tag.objects.get(name="evidence")
    assert evidence.colour == "#e0e0e0"
    statistic = Tag.objects.get(slug="statistic")
    response = client.post(
        f"/workspace/codebook/{statistic.pk}/",
        {
            f"tag{statistic.pk}-name": "statistic",
            f"tag{statistic.pk}-colour": statistic.colour,
            f"tag{statistic.pk}-description": statistic.description,
            f"tag{statistic.pk}-parent": str(evidence.pk),
        },
    )
    assert response.status_code == 302
    assert Tag.objects.get(pk=statistic.pk).parent_id == evidence.pk
    assert HistoryRecord.objects.for_object(statistic).filter(via="workspace").exists()
    figure = tag_create(name="figure", parent=evidence)
    response = client.post(f"/workspace/codebook/{figure.pk}/move/", {"direction": "up"})
    assert response.status_code == 302
    children = Tag.objects.filter(parent=evidence).order_by("position")
    assert [tag.name for tag in children] == ["figure", "statistic"]
    make_annotation(tags=[figure])
    response = client.post(f"/workspace/codebook/{figure.pk}/delete/")
    assert response.status_code == 400
    assert "merge it into another tag" in response.content.decode()
    response = client.post(
        "/workspace/codebook/merge/", {"source": str(figure.pk), "target": str(statistic.pk)}
    )
    assert response.status_code == 302
    assert not Tag.objects.filter(pk=figure.pk).exists()
    unused = tag_create(name="unused")
    assert client.post(f"/workspace/codebook/{unused.pk}/delete/").status_code == 302
    assert not Tag.objects.filter(pk=unused.pk).exists()


def test_a_dark_colour_is_a_form_error_and_nothing_is_written(client):
    client.force_login(make_editor())
    response = client.post(
        "/workspace/codebook/new/", {"new-name": "dark", "new-colour": "#1f1f1f"}
    )
    assert response.status_code == 400
    assert "hard to read" in response.content.decode()
    assert not Tag.objects.filter(name="dark").exists()
    response = client.post("/workspace/codebook/new/", {"new-name": "bad", "new-colour": "red"})
    assert response.status_code == 400
    quote = Tag.objects.get(slug="quote")
    response = client.post(
        f"/workspace/codebook/{quote.pk}/",
        {f"tag{quote.pk}-name": "quote", f"tag{quote.pk}-colour": "#000000"},
    )
    assert response.status_code == 400
    assert Tag.objects.get(pk=quote.pk).colour != "#000000"
    response = client.post(f"/workspace/codebook/{quote.pk}/move/", {"direction": "left"})
    assert response.status_code == 400
    response = client.post("/workspace/codebook/merge/", {"source": "x", "target": "1"})
    assert response.status_code == 400


def test_the_page_reads_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    client.force_login(make_editor())
    client.get(URL)
    parent = None
    for n in range(6):
        parent = tag_create(name=f"code {n}", parent=parent)
        make_annotation(tags=[parent])
        tag_update(tag=parent, example_passage=parent.tagged_annotations.get().content_object)
    with django_assert_max_num_queries(12) as few:
        client.get(URL)
    for n in range(6):
        tag_create(name=f"more {n}", parent=parent)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    assert response.status_code == 200


def test_the_workspace_links_to_the_codebook(client):
    client.force_login(make_annotator())
    assert 'href="/workspace/codebook/"' in client.get("/workspace/").content.decode()
