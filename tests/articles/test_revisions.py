"""The revision history of an article: list, diff, visibility, and the revision note."""

import pytest
from django.urls import reverse

from annotations.actions.revisions import article_revise
from articles.history import ParagraphDiff, Segment, body_paragraphs, paragraph_diff, word_diff
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
        '<p class="diff-changed">'
        "The mayor said &lt;<del>b</del><ins>script</ins>&gt;<del>no</del><ins>alert(1)</ins>"
        "&lt;/<del>b</del><ins>script</ins>&gt; &amp; <del>left</del><ins>stayed</ins>.</p>"
    ) in html


def test_paragraph_diff_aligns_paragraphs_then_diffs_words_within_them():
    """An added paragraph is one insertion, a removed one one deletion, an edited one its
    changed words; unchanged paragraphs match whole, even when the edit moves them."""
    old = "Intro stays.\n\nThe court ruled on Monday.\n\nThis one goes away entirely.\n\nEnd."
    new = "A brand new opening line appears.\n\nIntro stays.\n\nThe court ruled on Tuesday.\n\nEnd."
    assert paragraph_diff(old, new) == [
        ParagraphDiff("insert", [Segment("insert", "A brand new opening line appears.")]),
        ParagraphDiff("equal", [Segment("equal", "Intro stays.")]),
        ParagraphDiff(
            "changed",
            [
                Segment("equal", "The court ruled on "),
                Segment("delete", "Monday"),
                Segment("insert", "Tuesday"),
                Segment("equal", "."),
            ],
        ),
        ParagraphDiff("delete", [Segment("delete", "This one goes away entirely.")]),
        ParagraphDiff("equal", [Segment("equal", "End.")]),
    ]


def test_paragraph_diff_pairs_an_edited_paragraph_after_an_inserted_one():
    """In one changed block, the new paragraph is not diffed against the old one it
    displaced: pairing follows similarity, not position."""
    old = "The policy was announced on Monday by the council.\nClosing words."
    new = (
        "Something else entirely, new words.\n"
        "The policy was announced on Friday by the council.\nClosing words."
    )
    ops = [(p.op, p.segments) for p in paragraph_diff(old, new)]
    assert ops[0] == ("insert", [Segment("insert", "Something else entirely, new words.")])
    assert ops[1][0] == "changed"
    assert Segment("delete", "Monday") in ops[1][1] and Segment("insert", "Friday") in ops[1][1]
    assert ops[2] == ("equal", [Segment("equal", "Closing words.")])


def test_every_paragraph_of_both_revisions_is_rebuilt_from_the_diff():
    old = "One two three.\n\nFour five six.\nSeven.\n\n\nEight nine."
    new = "One 2 three.\nSeven, eight.\n\nEight nine.\nTen."
    diff = paragraph_diff(old, new)
    olds = ["".join(s.text for s in p.segments if s.op != "insert") for p in diff]
    news = ["".join(s.text for s in p.segments if s.op != "delete") for p in diff]
    assert [text for text in olds if text] == body_paragraphs(old)
    assert [text for text in news if text] == body_paragraphs(new)


def test_the_diff_page_keeps_paragraphs_in_two_queries(client, django_assert_num_queries):
    """One <p> per paragraph (not one block of text), words marked inside them; the page
    costs two queries (the article, then both revisions)."""
    first = "First paragraph stays.\n\nSecond paragraph says Monday.\n\nThird goes."
    article = revised(
        make_article(first), "First paragraph stays.\n\nSecond paragraph says Tuesday."
    )
    revised(article, article.body + "\n\nA fourth arrives.")
    url = reverse("article-revision-compare", args=[article.slug])
    with django_assert_num_queries(2):
        response = client.get(url, {"from": 1, "to": 3})
    html = response.content.decode()
    assert '<section class="revision-diff" aria-labelledby="diff-heading">' in html
    assert '<p class="diff-equal">First paragraph stays.</p>' in html
    assert (
        '<p class="diff-changed">Second paragraph says <del>Monday</del><ins>Tuesday</ins>.</p>'
    ) in html
    assert '<p class="diff-delete"><del>Third goes.</del></p>' in html
    assert '<p class="diff-insert"><ins>A fourth arrives.</ins></p>' in html
    assert html.index("First paragraph") < html.index("Third goes") < html.index("A fourth")


def test_the_diff_header_is_a_sentence_not_a_grid(client):
    """The header once had the grid class of the article page's <dl>, so its text runs
    and dates landed in separate cells ("From revision 1 ( / date / ) to ...")."""
    article = revised(make_article("Text one."), "Text two.", comment="outlet notice")
    html = client.get(reverse("article-revision-diff", args=[article.slug, 2])).content.decode()
    assert '<p class="revision-meta">From revision 1 (<time datetime="' in html
    assert "correction by the outlet by " in html and " — outlet notice.</p>" in html
    assert 'class="article-meta">From' not in html


def test_a_change_of_blank_lines_only_says_so(client):
    article = revised(make_article("One.\nTwo."), "One.\n\n\nTwo.")
    html = client.get(reverse("article-revision-diff", args=[article.slug, 2])).content.decode()
    assert "only the blank lines between them changed" in html
    assert "<ins>" not in html


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
