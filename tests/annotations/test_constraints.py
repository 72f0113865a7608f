"""Invariants of passages live in the database, not only in Python."""

import pytest
from django.db import IntegrityError, transaction

from annotations.models import Annotation
from tests.factories import make_annotation, make_article

pytestmark = pytest.mark.django_db


def raw_update(annotation, **fields):
    """Bypass the services: what a buggy script or a manual SQL session could try."""
    with transaction.atomic():
        Annotation.objects.filter(pk=annotation.pk).update(**fields)


@pytest.mark.parametrize(
    "fields",
    [
        {"start": 5, "end": 5},
        {"start": 6, "end": 5},
        {"exact": ""},
        {"anchor_status": "anchored", "exact": "longer than the span"},
    ],
    ids=["empty-span", "reversed-span", "empty-quote", "anchored-length"],
)
def test_database_refuses_broken_passages(fields):
    passage = make_annotation(make_article("Hello brave new world"), exact="brave")
    with pytest.raises(IntegrityError):
        raw_update(passage, **fields)


def test_an_orphaned_passage_may_keep_a_quote_of_another_length():
    """Orphans keep their last quote whatever the body now says."""
    passage = make_annotation(make_article("Hello brave new world"), exact="brave")
    raw_update(passage, anchor_status="orphaned", exact="brave and bold")
    passage.refresh_from_db()
    assert passage.exact == "brave and bold"


def test_article_url_is_unique_only_when_present():
    make_article("One", url="")
    make_article("Two", url="")
    make_article("Three", url="https://example.org/a")
    with pytest.raises(Exception) as error:
        make_article("Four", url="https://example.org/a")
    assert "url" in str(error.value).lower()


def test_no_missing_migrations():
    """Models and migrations agree (also checked by `make check`)."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
