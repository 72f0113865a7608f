"""The revision history of an article: list, diff, visibility, and the revision note."""

import pytest
from django.urls import reverse

from annotations.actions.revisions import article_revise
from articles.history import Segment, word_diff
from articles.models import Article
from tests.factories import make_article, make_editor

pytestmark = pytest.mark.django_db


def revised(article, *bodies, editor=None, reason="correction", comment=""):
    editor = editor or make_editor()
    for body in bodies:
        article_revise(
            article=article,
            body=body,
            editor=editor,
            reason=reason,
            comment=comment,
            base_revision=article.revision,
        )
    return article


def test_word_diff_marks_inserted_and_deleted_words_and_rebuilds_both_texts():
    old = "The court ruled on Monday.\nThe policy stands."
    new = "Correction: the court ruled on Tuesday.\nThe policy stands."
    segments = word_diff(old, new)
    assert "".join(s.text for s in segments if s.op != "insert") == old
    assert "".join(s.text for s in segments if s.op != "delete") == new
    assert Segment("delete", "Monday") in segments
    assert Segment("insert", "Tuesday") in segments


def test_word_diff_of_equal_texts_is_one_equal_segment():
    assert word_diff("Same text.", "Same text.") == [Segment("equal", "Same text.")]


def test_the_revision_list_shows_number_editor_reason_and_comment(
    client, django_assert_num_queries
):
    """Two queries whatever the number of revisions: the article, then the revisions."""
    editor = make_editor("rita")
    article = revised(
        make_article("First text."), "Second text.", "Third text.", editor=editor, comment="typo"
    )
    url = reverse("article-revisions", args=[article.slug])
    with django_assert_num_queries(2):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<tr id="revision-') == 3
    assert "Correction by the outlet" in html and "rita" in html and "typo" in html
    assert reverse("article-revision-diff", args=[article.slug, 3]) in html
    revised(article, "Fourth text.", "Fifth text.", editor=editor)
    with django_assert_num_queries(2):
        response = client.get(url)
    assert response.content.decode().count('<tr id="revision-') == 5


def test_the_diff_page_shows_escaped_insertions_and_deletions(client):
    article = revised(
        make_article("The mayor said <b>no</b> & left."),
        "The mayor said <script>alert(1)</script> & stayed.",
    )
    response = client.get(reverse("article-revision-diff", args=[article.slug, 2]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>" not in html
    assert (
        '<div class="article-body revision-diff" aria-label="Differences">'
        "The mayor said &lt;<del>b</del><ins>script</ins>&gt;<del>no</del><ins>alert(1)</ins>"
        "&lt;/<del>b</del><ins>script</ins>&gt; &amp; <del>left</del><ins>stayed</ins>.</div>"
    ) in html


def test_the_diff_between_any_two_revisions_by_query(client):
    article = revised(make_article("one two three"), "one 2 three", "one 2 three four")
    url = reverse("article-revision-compare", args=[article.slug])
    html = client.get(url, {"from": 1, "to": 3}).content.decode()
    assert "<del>two</del><ins>2</ins>" in html and "<ins> four</ins>" in html
    assert client.get(url, {"from": 1}).status_code == 404
    assert client.get(url, {"from": 1, "to": 9}).status_code == 404
    assert client.get(url, {"from": "x", "to": 2}).status_code == 404


def test_drafts_history_is_hidden_from_anonymous_visitors_but_not_from_staff(client):
    article = revised(make_article("Draft text.", status=Article.Status.DRAFT), "Draft two.")
    for url in (
        reverse("article-revisions", args=[article.slug]),
        reverse("article-revision-diff", args=[article.slug, 2]),
    ):
        assert client.get(url).status_code == 404
    client.force_login(make_editor())
    assert client.get(reverse("article-revisions", args=[article.slug])).status_code == 200


def test_the_revision_note_says_how_often_when_and_why(client):
    article = make_article("A text.")
    assert 'class="revision-note"' not in client.get(article.get_absolute_url()).content.decode()
    revised(article, "A text, corrected.", "A text, corrected twice.", comment="outlet notice")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Revised 2 times; last on" in html
    assert "correction by the outlet (outlet notice)" in html
    assert reverse("article-revision-diff", args=[article.slug, 3]) in html


def test_an_admin_save_keeps_the_body_s_line_breaks(client):
    """Browsers submit textareas with CRLF; saving an unchanged body must change nothing."""
    article = make_article("First paragraph.\n\nSecond paragraph.")
    client.force_login(make_editor())
    data = {
        "title": "New title",
        "slug": article.slug,
        "outlet": article.outlet_id,
        "url": "",
        "published": "",
        "author": "",
        "status": article.status,
        "body": article.body.replace("\n", "\r\n"),
        "revision_reason": "correction",
        "base_revision": article.revision,
        "annotations-TOTAL_FORMS": "0",
        "annotations-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "First paragraph.\n\nSecond paragraph."
    assert article.revision == 1


def test_the_public_article_page_says_when_and_why_it_was_revised(client):
    article = make_article("A text.")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "revision-note" not in page
    revised(article, "A text, corrected.", comment="outlet notice")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Revised 1 time; last on" in page
    assert "correction by the outlet (outlet notice)" in page
    assert reverse("article-revision-diff", args=[article.slug, 2]) in page


def test_an_overlong_revision_comment_is_a_validation_error_and_writes_nothing():
    from django.core.exceptions import ValidationError

    article = make_article("A text.")
    with pytest.raises(ValidationError) as error:
        revised(article, "A new text.", comment="x" * 501)
    assert "comment" in error.value.message_dict
    article.refresh_from_db()
    assert (article.body, article.revision, article.revisions.count()) == ("A text.", 1, 1)


@pytest.mark.django_db
def test_an_action_refuses_to_run_inside_another_transaction():
    """Actions are durable: composing them means calling their steps, never nesting."""
    from django.db import transaction

    article = make_article("The court ruled.")
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        article_revise(article=article, body="The court ruled again.", editor=None)
