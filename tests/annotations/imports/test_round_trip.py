"""Round trip: the W3C export read back by `import_annotations` gives the same passages.

The container and `export.jsonld` are exported, every passage is removed (a fresh database
holding the same articles), and the file is imported: offsets, quotes, tags, notes and
organizations come back exactly, emoji and non-breaking spaces included.
"""

import json

import pytest
from django.core.management import call_command

from annotations.actions.passages import annotation_delete
from annotations.models import Annotation
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_editor,
    make_organization,
    make_outlet,
    make_tag,
)

pytestmark = pytest.mark.django_db

BODY = (
    "The union\u00a0said 42\u00a0percent 😀 of claims failed. The court said the policy "
    "\u201cabandons our tradition\u201d. The union said 42\u00a0percent 😀 of claims failed."
)


def passages():
    return sorted(
        (
            p.article_id,
            p.start,
            p.end,
            p.exact,
            tuple(sorted(t.name for t in p.tags.all())),
            p.note,
            p.organization_id,
            p.status,
        )
        for p in Annotation.objects.prefetch_related("tags")
    )


@pytest.fixture
def coded(db):
    make_tag("sub-rule 2", colour="#00ff00")  # a tag name with a space, beside the starting tags
    union = make_organization("Service Employees Union")
    court = make_organization("Ninth Circuit")
    outlet = make_outlet("Newsweek", domain="newsweek.com")
    first = make_article(BODY, outlet=outlet, url="https://www.newsweek.com/remain?utm_source=x")
    second = make_article("Other words \u00a0with\u00a0spaces 😀😀 and more words.", outlet=outlet)
    annotator = make_annotator("coder")
    # The second occurrence of a repeated sentence: the prefix must pick it, not the first.
    make_annotation(
        first, exact="42\u00a0percent 😀 of claims failed", occurrence=1, annotator=annotator,
        tags=["statistic"], note="second time 😀", organization=union,
    )  # fmt: skip
    make_annotation(
        first, exact="abandons our tradition", tags=["quote", "statistic", "sub-rule 2"],
        annotator=annotator, organization=court,
    )  # fmt: skip
    make_annotation(first, exact="The union", annotator=annotator)
    make_annotation(second, exact="😀😀", tags=["quote"], note="emoji", annotator=annotator)
    return annotator


def test_export_jsonld_imported_into_the_same_articles_gives_the_same_passages(
    client, coded, tmp_path
):
    before = passages()
    exported = b"".join(client.get("/passages/export.jsonld").streaming_content)
    assert json.loads(exported)["total"] == 4
    editor = make_editor("ed")
    for passage in Annotation.objects.all():
        annotation_delete(annotation=passage, user=editor)
    assert passages() == []

    path = tmp_path / "export.jsonld"
    path.write_bytes(exported)
    call_command("import_annotations", str(path), "--annotator", "coder", stdout=None)
    assert passages() == before

    # Importing the same file again updates in place: still the same passages, no copies.
    call_command("import_annotations", str(path), "--annotator", "coder", stdout=None)
    assert passages() == before


def test_the_containers_pages_imported_give_the_same_passages(client, coded, tmp_path):
    before = passages()
    container = json.loads(client.get("/annotations/").content)
    page = container["first"]
    editor = make_editor("ed")
    for passage in Annotation.objects.all():
        annotation_delete(annotation=passage, user=editor)
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page), encoding="utf-8")
    call_command("import_annotations", str(path), "--annotator", "coder", stdout=None)
    assert passages() == before


def export_file(client, tmp_path, name="export.jsonld"):
    path = tmp_path / name
    path.write_bytes(b"".join(client.get("/passages/export.jsonld").streaming_content))
    return path


def test_an_export_read_back_into_its_own_archive_makes_no_copies(client, coded, tmp_path):
    before = passages()
    ids = sorted(Annotation.objects.values_list("pk", flat=True))
    path = export_file(client, tmp_path)
    # An editor reads the archive's own export back: every item is the passage it came from.
    make_editor("ed")
    call_command("import_annotations", str(path), "--annotator", "ed", stdout=None)
    assert passages() == before
    assert sorted(Annotation.objects.values_list("pk", flat=True)) == ids
    assert set(Annotation.objects.values_list("annotator__username", flat=True)) == {"coder"}


def test_an_edited_own_export_updates_the_passages_in_place_with_history(client, coded, tmp_path):
    from audit.models import HistoryRecord

    target = Annotation.objects.get(exact="abandons our tradition")
    document = json.loads(export_file(client, tmp_path).read_bytes())
    items = document["first"]["items"]
    item = next(i for i in items if i["id"].endswith(f"/annotations/{target.pk}"))
    for body in item["body"]:
        if body.get("purpose") == "commenting":
            body["value"] = "Checked against the ruling."
    if not any(b.get("purpose") == "commenting" for b in item["body"]):
        item["body"].append(
            {"type": "TextualBody", "purpose": "commenting", "value": "Checked against the ruling."}
        )
    path = tmp_path / "edited.jsonld"
    path.write_text(json.dumps(document), encoding="utf-8")
    count = Annotation.objects.count()
    call_command("import_annotations", str(path), "--annotator", "coder", stdout=None)
    assert Annotation.objects.count() == count
    target.refresh_from_db()
    assert target.note == "Checked against the ruling."
    update = HistoryRecord.objects.filter(object_id=str(target.pk), action="update").get()
    assert update.via == "import"


def test_another_annotator_may_not_take_over_passages_by_importing_them(client, coded, tmp_path):
    from django.core.management.base import CommandError

    make_annotator("other")
    path = export_file(client, tmp_path)
    count = Annotation.objects.count()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_annotations", str(path), "--annotator", "other", stdout=None)
    assert Annotation.objects.count() == count


def test_an_id_from_another_archive_naming_a_passage_elsewhere_here_is_imported_as_new(
    client, coded, tmp_path
):
    other_article = Annotation.objects.get(exact="😀😀")
    document = json.loads(export_file(client, tmp_path).read_bytes())
    item = next(i for i in document["first"]["items"] if "abandons" in json.dumps(i))
    # Another Gloss gave this passage the id of our emoji passage, on another article.
    item["id"] = f"https://elsewhere.example/annotations/{other_article.pk}"
    path = tmp_path / "foreign.json"
    path.write_text(json.dumps(item), encoding="utf-8")
    count = Annotation.objects.count()
    call_command("import_annotations", str(path), "--annotator", "coder", stdout=None)
    assert Annotation.objects.count() == count + 1
    other_article.refresh_from_db()
    assert other_article.exact == "😀😀"
