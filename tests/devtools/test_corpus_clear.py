"""The bench's `corpus_clear` empties the corpus and keeps the tags, on either database
(PostgreSQL's TRUNCATE ... CASCADE would also empty the tags: a tag's example is a passage)."""

import pytest

from annotations.actions.fields import tag_field_define
from annotations.models import Annotation, Tag, TagField
from articles.models import Article
from tests.bench.synthetic import corpus_clear
from tests.factories import make_annotation, make_article, make_editor, make_tag

pytestmark = pytest.mark.django_db


def test_corpus_clear_keeps_the_tags_their_fields_and_their_nesting():
    parent = make_tag("evidence")
    child = make_tag("figure")
    child.parent = parent
    passage = make_annotation(make_article("Some 60,000 people came."), tags=[child])
    child.example_passage = passage
    child.save()
    tag_field_define(tag=child, name="value", kind="number", actor=make_editor())
    tags = sorted(Tag.objects.values_list("pk", "slug", "parent_id"))
    corpus_clear()
    assert not Article.objects.exists() and not Annotation.objects.exists()
    assert sorted(Tag.objects.values_list("pk", "slug", "parent_id")) == tags
    assert Tag.objects.get(pk=child.pk).example_passage_id is None
    assert TagField.objects.filter(tag=child, name="value").exists()
    assert make_tag("later").pk > max(pk for pk, _, _ in tags)  # the sequence moved on
