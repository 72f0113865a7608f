"""The codebook's actions: merge (history, recounts), unused-only delete, contrast on
save, reorder and nest; `import_organizations` with a parent column (issue 19)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from annotations.actions.tags import (
    tag_create,
    tag_delete,
    tag_merge,
    tag_reorder,
    tag_update,
)
from annotations.models import Annotation, Tag, TaggedAnnotation
from articles.models import Organization
from audit.models import HistoryRecord
from publishing.counts import contributions, stored_counts
from publishing.facets import facet_options
from tests.factories import make_annotation, make_article, make_editor

pytestmark = pytest.mark.django_db


def code_of(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return next(iter(error.error_dict.values()))[0].code
    return error.code


def maintained_tag_counts() -> dict[str, int]:
    options = facet_options("passages", "public", ["tag"])["tag"]
    return {option["slug"]: option["count"] for option in options}


def stored_counts_match_a_recount() -> bool:
    stored = dict(stored_counts())
    fresh = {key: n for key, n in contributions().items() if n}
    return stored == fresh


def test_merge_moves_every_passage_once_records_history_and_recounts():
    editor = make_editor()
    source = tag_create(name="number", colour="#ffe0b2")
    target = Tag.objects.get(slug="statistic")
    child = tag_create(name="percentage", parent=source)
    article = make_article("one two three four")
    only_source = make_annotation(article, exact="one", tags=[source])
    both = make_annotation(article, exact="two", tags=[source, target])
    only_target = make_annotation(article, exact="three", tags=[target])
    tag_update(tag=source, example_passage=only_source)
    assert maintained_tag_counts() == {"number": 2, "statistic": 2}

    merged = tag_merge(source=source, target=target, actor=editor)

    assert merged.pk == target.pk
    assert not Tag.objects.filter(pk=source.pk).exists()
    for passage in (only_source, both, only_target):
        assert list(passage.tags.values_list("slug", flat=True)) == ["statistic"]
    assert TaggedAnnotation.objects.filter(tag=target).count() == 3
    assert Tag.objects.get(pk=child.pk).parent_id == target.pk
    assert Tag.objects.get(pk=target.pk).example_passage_id == only_source.pk
    assert maintained_tag_counts() == {"statistic": 3}
    assert stored_counts_match_a_recount()
    deleted = HistoryRecord.objects.for_object(source).get(action="delete")
    assert deleted.actor == editor
    for passage in (only_source, both):
        update = HistoryRecord.objects.for_object(passage).filter(action="update").latest("pk")
        assert update.changes["tags"][1] == ["statistic"]
        assert "number" in update.changes["tags"][0]
    assert not HistoryRecord.objects.for_object(only_target).filter(action="update").exists()
    moved = HistoryRecord.objects.for_object(child).filter(action="update").latest("pk")
    assert moved.changes["parent_id"] == [source.pk, target.pk]


def test_merge_into_itself_or_a_sub_tag_is_refused_and_writes_nothing():
    parent = tag_create(name="evidence", colour="#e0e0e0")
    child = tag_create(name="claim", parent=parent)
    passage = make_annotation(tags=[parent])
    for source, target, code in (
        (parent, parent, "tag_merge_same"),
        (parent, child, "tag_merge_into_descendant"),
    ):
        with pytest.raises(ValidationError) as refused:
            tag_merge(source=source, target=target)
        assert refused.value.code == code
    assert list(passage.tags.all()) == [parent]


def test_delete_only_an_unused_tag():
    used = tag_create(name="used")
    make_annotation(tags=[used])
    with pytest.raises(ValidationError) as refused:
        tag_delete(tag=used, unused_only=True)
    assert refused.value.code == "tag_in_use"
    assert Tag.objects.filter(pk=used.pk).exists()
    unused = tag_create(name="unused")
    tag_delete(tag=unused, unused_only=True)
    assert not Tag.objects.filter(pk=unused.pk).exists()
    assert HistoryRecord.objects.for_object(unused).filter(action="delete").exists()


@pytest.mark.parametrize("colour", ["#000000", "#1f5fbf", "#ff0000", "#767676"])
def test_an_unreadable_colour_is_refused_on_create_and_on_recolour(colour):
    with pytest.raises(ValidationError) as refused:
        tag_create(name="dark", colour=colour)
    assert code_of(refused.value) == "colour_contrast"
    assert not Tag.objects.filter(name="dark").exists()
    tag = tag_create(name="light", colour="#fff3c4")
    with pytest.raises(ValidationError) as refused:
        tag_update(tag=tag, colour=colour)
    assert code_of(refused.value) == "colour_contrast"
    assert Tag.objects.get(pk=tag.pk).colour == "#fff3c4"


def test_an_old_dark_tag_can_still_be_renamed():
    """The check is on the colour being set: a tag stored before it keeps working."""
    tag = Tag.objects.create(name="legacy", slug="legacy", colour="#000000")
    renamed = tag_update(tag=tag, name="legacy code")
    assert renamed.name == "legacy code"


def test_example_passage_must_carry_the_tag():
    tag = tag_create(name="example")
    other = make_annotation(tags=[Tag.objects.get(slug="quote")])
    with pytest.raises(ValidationError) as refused:
        tag_update(tag=tag, example_passage=other)
    assert code_of(refused.value) == "example_not_tagged"


def test_reorder_swaps_siblings_and_nesting_goes_last():
    parent = tag_create(name="evidence")
    a = tag_create(name="a", parent=parent)
    tag_create(name="b", parent=parent)
    c = tag_create(name="c", parent=parent)

    def order():
        return list(
            Tag.objects.filter(parent=parent)
            .order_by("position", "name")
            .values_list("name", flat=True)
        )

    assert order() == ["a", "b", "c"]
    tag_reorder(tag=c, direction="up")
    assert order() == ["a", "c", "b"]
    tag_reorder(tag=a, direction="up")  # already first: nothing moves
    assert order() == ["a", "c", "b"]
    tag_reorder(tag=a, direction="down")
    assert order() == ["c", "a", "b"]
    top = tag_create(name="top")
    tag_update(tag=top, parent=parent)
    assert order() == ["c", "a", "b", "top"]
    with pytest.raises(ValidationError) as refused:
        tag_update(tag=parent, parent=Tag.objects.get(pk=a.pk))
    assert code_of(refused.value) == "tag_cycle"
    with pytest.raises(ValidationError):
        tag_reorder(tag=a, direction="sideways")


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_import_organizations_sets_parents_in_any_order(tmp_path):
    path = write(
        tmp_path / "o.csv",
        "name,kind,aliases,parent\n"
        "ACLU of Massachusetts,advocacy,,American Civil Liberties Union\n"
        "American Civil Liberties Union,advocacy,ACLU,\n",
    )
    call_command("import_organizations", path, verbosity=0)
    child = Organization.objects.get(name="ACLU of Massachusetts")
    assert child.parent.name == "American Civil Liberties Union"
    # Without the column, parents are left alone; an empty parent clears it.
    write(path, "name,kind,aliases\nACLU of Massachusetts,advocacy,\n")
    call_command("import_organizations", path, verbosity=0)
    assert Organization.objects.get(pk=child.pk).parent_id is not None
    write(path, "name,kind,aliases,parent\nACLU of Massachusetts,advocacy,,\n")
    call_command("import_organizations", path, verbosity=0)
    assert Organization.objects.get(pk=child.pk).parent_id is None


def test_import_organizations_refuses_an_unknown_parent_or_a_cycle(tmp_path):
    path = write(
        tmp_path / "o.csv",
        "name,kind,aliases,parent\nNew Chapter,advocacy,,Nobody Known\nOther,advocacy,,\n",
    )
    with pytest.raises(CommandError, match=r"unknown parent organization 'Nobody Known'") as error:
        call_command("import_organizations", path, verbosity=0)
    assert "\n" not in str(error.value)
    assert not Organization.objects.filter(name__in=["New Chapter", "Other"]).exists()
    write(path, "name,kind,aliases,parent\nA,advocacy,,B\nB,advocacy,,A\n")
    with pytest.raises(CommandError, match="affiliate of itself"):
        call_command("import_organizations", path, verbosity=0)
    assert not Organization.objects.filter(name__in=["A", "B"]).exists()


def test_counts_after_merge_match_the_passages(client):
    source = tag_create(name="figure")
    target = Tag.objects.get(slug="statistic")
    for word in ("alpha", "beta"):
        make_annotation(make_article(f"{word} text"), exact=word, tags=[source])
    tag_merge(source=source, target=target)
    response = client.get("/passages/?tag=statistic")
    assert (
        len(response.context_data["passages"])
        == Annotation.objects.filter(tags=target).count()
        == 2
    )
