"""One visibility rule for drafts (`articles.visibility`), used by every read path."""

import pytest
from django.contrib.auth.models import AnonymousUser

from annotations.models import Annotation
from articles.models import Article
from articles.visibility import passage_visible_q, sees_drafts
from publishing.facets import audience_of
from tests.factories import make_annotation, make_annotator, make_article

pytestmark = pytest.mark.django_db


def test_visitors_see_published_rows_and_staff_see_drafts_everywhere():
    shown = make_article("The court ruled on Monday.")
    hidden = make_article("A draft about the court.", status="draft")
    public = make_annotation(shown, exact="court")
    draft_passage = make_annotation(shown, exact="Monday", status="draft")
    in_draft = make_annotation(hidden, exact="draft")
    anonymous, staff = AnonymousUser(), make_annotator()
    assert not sees_drafts(anonymous) and not sees_drafts(None) and sees_drafts(staff)
    assert list(Article.objects.visible_to(anonymous)) == [shown]
    assert set(Article.objects.visible_to(staff)) == {shown, hidden}
    assert list(Annotation.objects.visible_to(anonymous)) == [public]
    assert list(Annotation.objects.published()) == [public]
    assert set(Annotation.objects.visible_to(staff)) == {public, draft_passage, in_draft}
    assert list(Article.objects.filter(annotations__in=[in_draft])) == [hidden]
    # Through a relation: the articles that hold a passage a visitor may see.
    through = Article.objects.filter(passage_visible_q(prefix="annotations__")).distinct()
    assert list(through) == [shown]
    assert (audience_of(anonymous), audience_of(staff)) == ("public", "staff")
