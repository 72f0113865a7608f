"""`cms.bulk` writes the rows `bulk_create` would, on either database."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from annotations.models import Annotation, TaggedAnnotation
from audit.models import HistoryRecord
from cms import bulk
from tests.factories import make_article, make_tag, make_user

pytestmark = pytest.mark.django_db

WHEN = datetime.datetime(2026, 12, 3, 10, 11, 12, 345678, tzinfo=datetime.UTC)


def records(n: int, *, offset: int = 0) -> list[HistoryRecord]:
    passage_type = ContentType.objects.get_for_model(Annotation)
    return [
        HistoryRecord(
            created=WHEN,
            action=HistoryRecord.Action.CREATE,  # an enum member: stored as its value
            content_type=passage_type,
            object_id=offset + i,
            object_repr=f"passage “{i}” 🎉",
            snapshot={"exact": "a\u00a0b 🎉", "n": i, "tags": ["x"], "when": None},
            changes={},
            via=HistoryRecord.Via.IMPORT,
        )
        for i in range(n)
    ]


def fields(record: HistoryRecord) -> tuple:
    return (
        record.created, record.action, record.content_type_id, record.object_id,
        record.object_repr, record.snapshot, record.changes, record.via,
    )  # fmt: skip


@pytest.mark.parametrize("count", [1, 1_203])  # more than one SQLite statement
def test_insert_gives_pks_and_stores_what_bulk_create_stores(count):
    ours, theirs = records(count), records(count, offset=10_000)
    bulk.insert(ours)
    HistoryRecord.objects.bulk_create(theirs)
    assert all(r.pk is not None and not r._state.adding for r in ours)
    assert len({r.pk for r in ours}) == count
    stored = {r.pk: r for r in HistoryRecord.objects.filter(pk__in=[r.pk for r in ours])}
    assert [fields(stored[r.pk]) for r in ours] == [fields(r) for r in ours]
    compare = {r.pk: r for r in HistoryRecord.objects.filter(pk__in=[r.pk for r in theirs])}
    for mine, other in zip(ours, theirs, strict=True):
        a, b = fields(stored[mine.pk]), fields(compare[other.pk])
        assert a[:3] + a[4:6] + a[6:] == b[:3] + b[4:6] + b[6:]  # object ids differ
    assert stored[ours[0].pk].action == "create"


def test_a_later_save_takes_the_next_id():
    first = records(3)
    bulk.insert(first)
    (later,) = records(1)
    later.save()
    assert later.pk > max(r.pk for r in first)


def test_auto_now_fields_are_filled_as_bulk_create_fills_them():
    article = make_article("Some words here.")
    user = make_user("coder")
    before = timezone.now()
    passage = Annotation(article=article, annotator=user, start=0, end=4, exact="Some")
    bulk.insert([passage])
    stored = Annotation.objects.get(pk=passage.pk)
    assert stored.created >= before and stored.modified >= before
    assert (stored.status, stored.anchor_status) == (passage.status, passage.anchor_status)


def test_insert_values_writes_link_rows():
    article = make_article("Some words here.")
    passage = Annotation.objects.create(
        article=article, annotator=make_user("coder"), start=0, end=4, exact="Some"
    )
    tags = [make_tag("one"), make_tag("two")]
    bulk.insert_values(
        TaggedAnnotation, ["content_object_id", "tag_id"], [(passage.pk, t.pk) for t in tags]
    )
    assert sorted(passage.tags.values_list("name", flat=True)) == ["one", "two"]
