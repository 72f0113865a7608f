"""annotation_create validates everything and writes nothing on failure; each failure has a code."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from annotations.actions.passages import annotation_create, annotation_delete, annotation_update
from annotations.models import Annotation, TaggedAnnotation
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_editor,
    make_organization,
    make_user,
)

pytestmark = pytest.mark.django_db

BODY = "Officials said\u00a060,000 people waited.\nThe \u201cpolicy\u201d failed \U0001f600 twice."


def codes(error: ValidationError) -> set[str]:
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


@pytest.fixture
def article():
    return make_article(BODY)


def create(article, annotator=None, **overrides):
    start = BODY.index("60,000")
    fields = {
        "article": article,
        "start": start,
        "end": start + len("60,000 people"),
        "exact": "60,000 people",
        "tags": ["statistic"],
        "annotator": annotator or make_annotator(),
    }
    fields.update(overrides)
    return annotation_create(**fields)


def test_create_stores_exact_and_context(article):
    passage = create(article, organization=make_organization("Department of Homeland Security"))
    assert passage.exact == BODY[passage.start : passage.end] == "60,000 people"
    assert passage.prefix == "Officials said\u00a0"
    assert passage.suffix == " waited.\nThe \u201cpolicy\u201d failed \U0001f600 t"
    assert len(passage.suffix) == 32
    assert [t.slug for t in passage.tags.all()] == ["statistic"]
    assert passage.anchored_revision == article.revision


def test_selection_differing_only_in_whitespace_stores_the_bodys_own_text(article):
    """Browsers turn NBSP into a space and may drop line breaks: the body's text is kept."""
    start = BODY.index("said")
    end = BODY.index("The") + len("The")
    passage = create(article, start=start, end=end, exact="said 60,000 people waited. The")
    assert passage.exact == "said\u00a060,000 people waited.\nThe"


def test_offsets_after_an_emoji_are_code_points(article):
    start = BODY.index("twice")
    passage = create(article, start=start, end=start + 5, exact="twice")
    assert passage.exact == "twice"
    assert passage.prefix.endswith("\U0001f600 ")


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"start": -1}, "offsets_out_of_range"),
        ({"end": len(BODY) + 1}, "offsets_out_of_range"),
        ({"end": 15}, "empty_passage"),
        ({"exact": "60,000 persons"}, "quote_mismatch"),
        ({"start": "15"}, "invalid_offset"),
        ({"end": 3.5}, "invalid_offset"),
        ({"start": True}, "invalid_offset"),
        ({"exact": None}, "invalid_exact"),
        ({"tags": ["no such tag"]}, "unknown_tag"),
        ({"tags": [3]}, "invalid_tag"),
        ({"organization": 999_999}, "unknown_organization"),
        ({"organization": "ACLU"}, "invalid_organization"),
        ({"status": "secret"}, "invalid_status"),
        ({"note": ["x"]}, "invalid_note"),
    ],
)
def test_invalid_input_raises_a_coded_error_and_writes_nothing(article, overrides, code):
    annotator = make_annotator()
    with pytest.raises(ValidationError) as error:
        create(article, annotator=annotator, **overrides)
    assert code in codes(error.value)
    assert Annotation.objects.count() == 0
    assert TaggedAnnotation.objects.count() == 0


def test_whitespace_only_passage_is_refused(article):
    start = BODY.index("\n")
    with pytest.raises(ValidationError) as error:
        create(article, start=start, end=start + 1, exact="\n")
    assert codes(error.value) == {"blank_passage"}


def test_a_user_without_permission_cannot_create(article):
    with pytest.raises(PermissionDenied):
        create(article, annotator=make_user(group=None))
    assert Annotation.objects.count() == 0


def test_tags_resolve_by_slug_or_name(article):
    passage = create(article, tags=["Legal Argument", "quote", "statistic"])
    assert sorted(t.slug for t in passage.tags.all()) == ["legal-argument", "quote", "statistic"]


def test_annotators_change_only_their_own_passages_and_editors_any():
    owner, other, editor = make_annotator(), make_annotator(), make_editor()
    passage = make_annotation(annotator=owner)
    with pytest.raises(PermissionDenied):
        annotation_update(annotation=passage, user=other, note="mine now")
    with pytest.raises(PermissionDenied):
        annotation_delete(annotation=passage, user=other)
    annotation_update(annotation=passage, user=owner, note="by owner", tags=["quote"])
    annotation_update(annotation=passage, user=editor, note="by editor")
    passage.refresh_from_db()
    assert passage.note == "by editor"
    assert [t.slug for t in passage.tags.all()] == ["quote"]
    annotation_delete(annotation=passage, user=editor)
    assert not Annotation.objects.exists()


def test_failed_update_leaves_the_passage_as_it_was():
    owner = make_annotator()
    passage = make_annotation(annotator=owner, tags=["quote"], note="before")
    with pytest.raises(ValidationError):
        annotation_update(annotation=passage, user=owner, note="after", tags=["nope"])
    passage = Annotation.objects.get(pk=passage.pk)
    assert passage.note == "before"
    assert [t.slug for t in passage.tags.all()] == ["quote"]
