"""The passage services as the API and workspace use them: whitespace, code points, atomicity."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given
from hypothesis import strategies as st

from annotations.actions.passages import annotation_create, annotation_update
from annotations.actions.resolve import resolve_span
from annotations.models import Annotation
from tests.factories import make_annotation, make_annotator, make_article


def test_selection_with_spaces_for_nbsp_stores_the_bodys_text():
    """Browsers report NBSP as a space; the body's own NBSP is what gets stored."""
    body = "Rates rose 5\u00a0percent."
    assert resolve_span(body=body, start=11, end=20, exact="5 percent") == "5\u00a0percent"


def test_selection_across_paragraphs_may_differ_in_line_breaks():
    body = "End of one.\n\nStart of two."
    assert resolve_span(body=body, start=4, end=19, exact="of one. Start") == body[4:19]


@given(
    prefix=st.text(max_size=10),
    passage=st.text(min_size=1, max_size=10).filter(lambda t: t.strip()),
    suffix=st.text(max_size=10),
)
def test_code_point_offsets_address_any_text(prefix, passage, suffix):
    """Emoji, combining marks or anything else before the passage: offsets are str indices."""
    body = prefix + passage + suffix
    start = len(prefix)
    assert resolve_span(body=body, start=start, end=start + len(passage), exact=passage) == passage


@pytest.mark.django_db
def test_failed_update_writes_nothing():
    annotator = make_annotator()
    passage = make_annotation(make_article("alpha beta"), exact="alpha", annotator=annotator)
    with pytest.raises(ValidationError):
        annotation_update(annotation=passage, user=annotator, note="changed", tags=["nonsense"])
    assert Annotation.objects.get(pk=passage.pk).note == ""


@pytest.mark.django_db
def test_another_annotator_cannot_update():
    passage = make_annotation(make_article("alpha beta"), exact="alpha")
    with pytest.raises(PermissionDenied):
        annotation_update(annotation=passage, user=make_annotator(), note="mine now")


@pytest.mark.django_db
def test_create_stores_context_around_emoji():
    article = make_article("\U0001f600 x said: yes.")
    passage = annotation_create(
        article=article, start=2, end=8, exact="x said", annotator=make_annotator()
    )
    assert (passage.prefix, passage.exact, passage.suffix) == ("\U0001f600 ", "x said", ": yes.")
