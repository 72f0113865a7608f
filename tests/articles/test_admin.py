"""Editors manage articles and organizations in the admin, through the services."""

import pytest
from django.urls import reverse

from articles.models import Article, Organization
from tests.factories import make_annotation, make_article, make_editor, make_organization

pytestmark = pytest.mark.django_db


def article_form(article, **changes):
    data = {
        "title": article.title,
        "slug": article.slug,
        "outlet": article.outlet_id,
        "url": article.url,
        "published": article.published.isoformat() if article.published else "",
        "author": article.author,
        "status": article.status,
        "organizations": [o.pk for o in article.organizations.all()],
        "body": article.body,
        "revision_reason": "correction",
        "base_revision": article.revision,
        "annotations-TOTAL_FORMS": "0",
        "annotations-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_editing_the_body_makes_a_revision_and_keeps_passages_on_their_words(client):
    article = make_article("The court ruled on Monday that the policy was unlawful.")
    passage = make_annotation(article, exact="the policy was unlawful")
    client.force_login(make_editor())
    new_body = "Correction: the court ruled on Tuesday that the policy was unlawful."
    response = client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_form(article, body=new_body),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    passage.refresh_from_db()
    assert article.body == new_body and article.revision == 2
    assert article.revisions.get(number=2).reason == "correction"
    assert new_body[passage.start : passage.end] == passage.exact == "the policy was unlawful"
    assert passage.anchored_revision == 2


def test_a_stale_form_is_refused_not_overwritten(client):
    """Concurrent edits: the second editor's form was based on revision 1."""
    article = make_article("Original text of the article.")
    editor = make_editor()
    client.force_login(editor)
    url = reverse("admin:articles_article_change", args=[article.pk])
    first = client.post(url, article_form(article, body="First editor's text."))
    assert first.status_code == 302
    stale = client.post(url, article_form(article, body="Second editor's text."))
    assert stale.status_code == 200
    assert "changed this article" in stale.content.decode()
    article.refresh_from_db()
    assert article.body == "First editor's text." and article.revision == 2


def test_the_body_keeps_leading_and_trailing_whitespace(client):
    article = make_article("Text.")
    client.force_login(make_editor())
    client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_form(article, body="  Indented\u00a0text.\n"),
    )
    article.refresh_from_db()
    assert article.body == "  Indented\u00a0text.\n"


def test_editor_adds_an_article_and_mentions_are_detected(client):
    aclu = make_organization("American Civil Liberties Union", aliases=["ACLU"])
    outlet_article = make_article()
    client.force_login(make_editor())
    response = client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "New one",
            "slug": "new-one",
            "outlet": outlet_article.outlet_id,
            "url": "",
            "published": "2024-01-02",
            "author": "",
            "status": "published",
            "body": "The ACLU sued.",
            "revision_reason": "correction",
            "annotations-TOTAL_FORMS": "0",
            "annotations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(title="New one")
    assert list(article.organizations.all()) == [aclu]
    assert article.revisions.count() == 1


def test_organization_aliases_are_edited_one_per_line(client):
    org = make_organization("United Nations", aliases=["UN"])
    client.force_login(make_editor())
    response = client.post(
        reverse("admin:articles_organization_change", args=[org.pk]),
        {
            "name": "United Nations",
            "slug": org.slug,
            "kind": "intergovernmental",
            "aliases": "UN\r\nU.N.\r\n\r\nUN\r\n",
            "homepage": "",
            "description": "",
        },
    )
    assert response.status_code == 302
    assert Organization.objects.get().aliases == ["UN", "U.N."]
    page = client.get(reverse("admin:articles_organization_change", args=[org.pk]))
    assert "UN\nU.N.</textarea>" in page.content.decode()


def test_an_annotator_sees_the_article_admin_page_read_only(client):
    """Annotators may view articles but not change them: the change page is the read-only
    one (no form fields for the body or the revision), not a server error."""
    from tests.factories import make_annotator

    article = make_article("The court ruled on Monday.")
    make_annotation(article, exact="court")
    client.force_login(make_annotator())
    response = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The court ruled on Monday." in html
    for name in ["body", "title", "revision_reason", "base_revision"]:
        assert f'name="{name}"' not in html
    assert response.context["has_change_permission"] is False


def test_one_admin_save_is_one_action_and_one_history_record(client):
    """Title, body and mentions changed in one form: one write, one history record (the
    article's, holding all three changes), not one per service."""
    from audit.models import HistoryRecord

    article = make_article("The council met on Monday.")
    union = make_organization("Harbour Union")
    client.force_login(make_editor())
    before = HistoryRecord.objects.count()
    response = client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_form(
            article,
            title="The council met",
            body="The council met on Tuesday.",
            organizations=[union.pk],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    records = list(HistoryRecord.objects.order_by("pk")[before:])
    assert len(records) == 1
    assert records[0].via == "admin"
    assert {"title", "organizations"} <= set(records[0].changes)
    article.refresh_from_db()
    assert (article.title, article.revision) == ("The council met", 2)
    assert list(article.organizations.all()) == [union]


def test_a_bulk_delete_is_all_or_nothing(client):
    """One action for the selection: an article that still holds passages stops the lot."""
    empty = make_article("Nothing coded here.")
    coded = make_article("The court ruled.")
    make_annotation(coded, exact="court")
    client.force_login(make_editor())
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "delete_selected", "_selected_action": [empty.pk, coded.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert Article.objects.filter(pk__in=[empty.pk, coded.pk]).count() == 2


def test_an_editor_can_clear_the_publication_date(client):
    """One sentinel for "not given" (UNSET): `None` is a value, the empty date."""
    from datetime import date

    from articles.actions.articles import article_update

    article = make_article("Dated text.")
    article_update(article=article, published=date(2024, 5, 1))
    client.force_login(make_editor())
    response = client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_form(Article.objects.get(pk=article.pk), published=""),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Article.objects.get(pk=article.pk).published is None
    article_update(article=article, published=date(2024, 5, 1))
    article_update(article=article, published=None)
    assert Article.objects.get(pk=article.pk).published is None
    article_update(article=article, title="Untouched date")
    assert Article.objects.get(pk=article.pk).published is None


def test_a_changed_body_needs_an_explicit_reason_and_nothing_is_written_without_one(client):
    """The reason has no default: leaving it unchosen is a form error on that field."""
    article = make_article("The council met on Monday.")
    client.force_login(make_editor())
    url = reverse("admin:articles_article_change", args=[article.pk])
    page = client.get(url).content.decode()
    assert '<option value="" selected>Choose why the text changed…</option>' in page
    assert 'value="import"' not in page and 'value="reimport"' not in page
    response = client.post(
        url, article_form(article, body="The council met on Tuesday.", revision_reason="")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["revision_reason"]] == ["reason_required"]
    article.refresh_from_db()
    assert (article.body, article.revision, article.revisions.count()) == (
        "The council met on Monday.",
        1,
        1,
    )


def test_a_metadata_only_save_needs_no_reason(client):
    article = make_article("Unchanged text.")
    client.force_login(make_editor())
    response = client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_form(article, title="A new title", revision_reason=""),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    assert (article.title, article.revision) == ("A new title", 1)


def test_the_reason_and_comment_are_kept_with_the_revision(client):
    """The comment goes through the same action (`article_change`) into the revision."""
    article = make_article("The council met on Monday.")
    editor = make_editor("rosa")
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_form(
            article,
            body="The council met on Monday evening.",
            revision_reason="cleanup",
            revision_comment="Scraper dropped a word",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    revision = article.revisions.get(number=2)
    assert (revision.reason, revision.comment, revision.editor) == (
        "cleanup",
        "Scraper dropped a word",
        editor,
    )
    diff = client.get(reverse("article-revision-diff", args=[article.slug, 2])).content.decode()
    assert "cleanup of scraped text by rosa — Scraper dropped a word." in diff


def test_an_overlong_comment_is_a_form_error(client):
    article = make_article("The council met on Monday.")
    client.force_login(make_editor())
    response = client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_form(article, body="The council met.", revision_comment="x" * 501),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["revision_comment"]] == ["max_length"]
    assert Article.objects.get(pk=article.pk).revision == 1


def test_the_body_box_is_tall_and_the_add_form_asks_no_reason(client):
    article = make_article("Text.")
    client.force_login(make_editor())
    change = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert 'rows="36"' in change.content.decode()
    assert 'name="revision_comment"' in change.content.decode()
    add = client.get(reverse("admin:articles_article_add")).content.decode()
    assert 'name="body"' in add and 'rows="36"' in add
    assert 'name="revision_reason"' not in add and 'name="revision_comment"' not in add
