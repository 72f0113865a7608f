"""The orphan queue: editors review fuzzy and orphaned passages and settle each one."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from annotations.actions.revisions import article_revise
from annotations.models import Annotation
from tests.factories import make_annotation, make_annotator, make_article, make_editor

pytestmark = pytest.mark.django_db

OLD = (
    "The court ruled on Monday that the policy was unlawful. "
    "The agency will appeal the decision next week."
)
NEW = (
    "The court ruled on Monday that the policy was illegal and void. "
    "The agency will appeal the ruling next week."
)


@pytest.fixture
def annotator():
    return make_annotator("ann")


@pytest.fixture
def revised(annotator):
    """One article revised so that its three passages end anchored, fuzzy and orphaned."""
    article = make_article(OLD, title="Ruling")
    passages = {
        "anchored": make_annotation(article, exact="court ruled", annotator=annotator),
        "fuzzy": make_annotation(
            article, exact="The agency will appeal the decision", annotator=annotator
        ),
        "orphaned": make_annotation(article, exact="the policy was unlawful", annotator=annotator),
    }
    article_revise(article=article, body=NEW, editor=make_editor(), reason="correction")
    for status, passage in passages.items():
        passage.refresh_from_db()
        assert passage.anchor_status == status
    return passages


def test_the_queue_requires_login(client):
    response = client.get(reverse("orphan-list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_editors_see_every_fuzzy_and_orphaned_passage_in_constant_queries(
    client, revised, django_assert_num_queries
):
    client.force_login(make_editor())
    # Session, user, the user's and the groups' permissions, count, one page of passages
    # with article and annotator joined.
    with django_assert_num_queries(6):
        response = client.get(reverse("orphan-list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="orphan-{revised["fuzzy"].pk}"' in html
    assert f'id="orphan-{revised["orphaned"].pk}"' in html
    assert f'id="orphan-{revised["anchored"].pk}"' not in html
    assert "The agency will appeal the decision" in html  # the old quote of the fuzzy one
    other = make_article(OLD)
    for quote in ("the policy was unlawful", "The agency will appeal the decision"):
        make_annotation(other, exact=quote)
    article_revise(article=other, body=NEW, editor=make_editor(), reason="cleanup")
    with django_assert_num_queries(6):
        response = client.get(reverse("orphan-list"))
    assert response.content.decode().count('<tr id="orphan-') == 4


def test_annotators_see_only_their_own_passages(client, revised):
    other = make_article(OLD)
    stranger = make_annotation(other, exact="the policy was unlawful")
    article_revise(article=other, body=NEW, editor=make_editor(), reason="cleanup")
    client.force_login(revised["fuzzy"].annotator)
    html = client.get(reverse("orphan-list")).content.decode()
    assert f'id="orphan-{revised["fuzzy"].pk}"' in html
    assert f'id="orphan-{stranger.pk}"' not in html
    assert client.get(reverse("orphan-detail", args=[stranger.pk])).status_code == 404


def test_the_review_page_shows_old_quote_current_text_and_marked_match(client, revised):
    client.force_login(make_editor())
    fuzzy = revised["fuzzy"]
    html = client.get(reverse("orphan-detail", args=[fuzzy.pk])).content.decode()
    assert '<blockquote class="quote" id="old-quote">The agency will appeal the decision<' in html
    before, after = NEW[: fuzzy.start], NEW[fuzzy.end :]
    assert f"{before}<mark>{fuzzy.exact}</mark>{after}</div>" in html
    orphaned = revised["orphaned"]
    html = client.get(reverse("orphan-detail", args=[orphaned.pk])).content.decode()
    assert f'aria-describedby="reattach-help">{NEW}</div>' in html
    assert reverse("orphan-accept", args=[orphaned.pk]) not in html


def test_accepting_a_fuzzy_match_anchors_it(client, revised):
    client.force_login(make_editor())
    fuzzy = revised["fuzzy"]
    response = client.post(reverse("orphan-accept", args=[fuzzy.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("orphan-list")
    fuzzy.refresh_from_db()
    assert fuzzy.anchor_status == Annotation.AnchorStatus.ANCHORED
    assert NEW[fuzzy.start : fuzzy.end] == fuzzy.exact and fuzzy.previous_exact == ""
    assert fuzzy.anchored_revision == 2


def test_accepting_an_orphan_is_a_form_error_and_writes_nothing(client, revised):
    client.force_login(make_editor())
    orphaned = revised["orphaned"]
    response = client.post(reverse("orphan-accept", args=[orphaned.pk]))
    assert response.status_code == 400
    assert "Only a fuzzy passage can be accepted." in response.content.decode()
    assert Annotation.objects.get(pk=orphaned.pk).anchor_status == "orphaned"


def test_reattaching_an_orphan_to_selected_text(client, revised):
    client.force_login(make_editor())
    orphaned = revised["orphaned"]
    quote = "the policy was illegal and void"
    start = NEW.index(quote)
    response = client.post(
        reverse("orphan-reattach", args=[orphaned.pk]),
        {"reattach-start": start, "reattach-end": start + len(quote), "reattach-exact": quote},
    )
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Re-attached the passage to the selected text."
    ]
    orphaned.refresh_from_db()
    assert (orphaned.start, orphaned.end, orphaned.exact) == (start, start + len(quote), quote)
    assert orphaned.anchor_status == "anchored" and orphaned.anchored_revision == 2
    assert orphaned.prefix == NEW[:start][-32:]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reattach-start": 0, "reattach-end": 5, "reattach-exact": "wrong"}, "does not match"),
        ({"reattach-start": 5, "reattach-end": 5, "reattach-exact": ""}, "required"),
        ({"reattach-start": 9, "reattach-end": 4, "reattach-exact": "x"}, "start must be before"),
        ({"reattach-start": 0, "reattach-end": 999, "reattach-exact": "x"}, "fall outside"),
        ({"reattach-start": "a", "reattach-end": 4, "reattach-exact": "x"}, "whole number"),
    ],
)
def test_a_bad_selection_is_a_form_error_and_writes_nothing(client, revised, data, message):
    client.force_login(make_editor())
    orphaned = revised["orphaned"]
    before = Annotation.objects.filter(pk=orphaned.pk).values().get()
    response = client.post(reverse("orphan-reattach", args=[orphaned.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Annotation.objects.filter(pk=orphaned.pk).values().get() == before


def test_deleting_asks_for_confirmation_then_deletes(client, revised):
    client.force_login(make_editor())
    orphaned = revised["orphaned"]
    url = reverse("orphan-delete", args=[orphaned.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Yes, delete the passage" in confirm.content.decode()
    assert Annotation.objects.filter(pk=orphaned.pk).exists()
    assert client.post(url).status_code == 302
    assert not Annotation.objects.filter(pk=orphaned.pk).exists()


def test_an_annotator_without_delete_permission_gets_a_form_error(client, revised):
    """Permission refusals from the service are shown, not turned into a crash."""
    from django.contrib.auth.models import Permission

    annotator = revised["orphaned"].annotator
    annotator.user_permissions.remove(Permission.objects.get(codename="delete_annotation"))
    annotator.groups.get(name="annotators").permissions.remove(
        Permission.objects.get(codename="delete_annotation")
    )
    client.force_login(annotator)
    response = client.post(reverse("orphan-delete", args=[revised["orphaned"].pk]))
    assert response.status_code == 400
    assert "You may only delete your own passages." in response.content.decode()
    assert Annotation.objects.filter(pk=revised["orphaned"].pk).exists()


def test_admin_action_accepts_the_selected_fuzzy_matches(client, revised):
    client.force_login(make_editor())
    ids = [p.pk for p in revised.values()]
    response = client.post(
        reverse("admin:annotations_annotation_changelist"),
        {"action": "accept_fuzzy", "_selected_action": ids},
        follow=True,
    )
    assert response.status_code == 200
    assert "Accepted 1 fuzzy match(es); 2 selected passage(s) were not fuzzy." in (
        response.content.decode()
    )
    assert Annotation.objects.get(pk=revised["fuzzy"].pk).anchor_status == "anchored"
    assert Annotation.objects.get(pk=revised["orphaned"].pk).anchor_status == "orphaned"


def test_admin_changelist_links_to_the_orphan_queue(client):
    client.force_login(make_editor())
    html = client.get(reverse("admin:annotations_annotation_changelist")).content.decode()
    assert f'<a href="{reverse("orphan-list")}">Orphan queue</a>' in html


def test_reattaching_a_stale_copy_of_a_deleted_passage_does_not_bring_it_back(revised):
    """The row is locked and reloaded first, as update and delete do: a copy read before
    the passage was deleted is refused, not saved back as a new row without its tags."""
    from annotations.actions.passages import annotation_delete, annotation_reattach

    passage = Annotation.objects.filter(anchor_status="orphaned").first() or (
        Annotation.objects.first()
    )
    stale = Annotation.objects.get(pk=passage.pk)
    editor = make_editor()
    annotation_delete(annotation=passage, user=editor)
    body = stale.article.body
    with pytest.raises(Annotation.DoesNotExist):
        annotation_reattach(annotation=stale, user=editor, start=0, end=3, exact=body[:3])
    assert not Annotation.objects.filter(pk=passage.pk).exists()
