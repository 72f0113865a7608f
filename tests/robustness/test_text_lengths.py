"""Notes, organization names, aliases and tag names have documented lengths (issue 12,
defect 11): a clear error in the API, the admin forms and the import command, nothing
written, and the database refuses longer text on SQLite and PostgreSQL alike."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DataError, IntegrityError, transaction

from annotations.actions.passages import annotation_create, annotation_update
from annotations.admin.passages import AnnotationForm
from annotations.models import NOTE_MAX_LENGTH, Annotation, Tag
from articles.actions.organizations import organization_upsert
from articles.admin import OrganizationForm
from articles.models import (
    ALIAS_MAX_LENGTH,
    MAX_ALIASES,
    ORGANIZATION_NAME_MAX_LENGTH,
    Organization,
)
from tests.factories import make_annotation, make_annotator, make_article, make_organization

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"
TAG_NAME_MAX_LENGTH = Tag._meta.get_field("name").max_length


def test_the_limits_are_the_documented_ones():
    assert (NOTE_MAX_LENGTH, ORGANIZATION_NAME_MAX_LENGTH) == (10_000, 200)
    assert (ALIAS_MAX_LENGTH, MAX_ALIASES, TAG_NAME_MAX_LENGTH) == (200, 50, 100)
    readme = README.read_text(encoding="utf-8")
    for documented in ("10,000 characters", "200 characters", "50 aliases", "100 characters"):
        assert documented in readme


def test_the_readme_says_the_admin_log_is_not_backed_up():
    backups = README.read_text(encoding="utf-8").split("## Backups", 1)[1].split("\n## ", 1)[0]
    assert "`django_admin_log`" in backups


# --- Notes ---------------------------------------------------------------------------------


def post(client, payload):
    return client.post("/api/annotations/", json.dumps(payload), content_type="application/json")


def test_the_api_refuses_a_note_over_the_limit_and_writes_nothing(client):
    article = make_article("The quick brown fox.")
    client.force_login(make_annotator())
    payload = {"article": article.pk, "start": 4, "end": 9, "exact": "quick"}
    response = post(client, {**payload, "note": "x" * (NOTE_MAX_LENGTH + 1)})
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], list(error["fields"])) == ("note_too_long", ["note"])
    assert "10,000" in error["message"]
    assert not Annotation.objects.exists()
    assert post(client, {**payload, "note": "x" * NOTE_MAX_LENGTH}).status_code == 201


def test_the_api_refuses_a_longer_note_in_a_patch(client):
    annotator = make_annotator()
    passage = make_annotation(annotator=annotator, note="short")
    client.force_login(annotator)
    response = client.patch(
        f"/api/annotations/{passage.pk}/",
        json.dumps({"note": "y" * (NOTE_MAX_LENGTH + 1)}),
        content_type="application/json",
    )
    assert (response.status_code, response.json()["error"]["code"]) == (400, "note_too_long")
    passage.refresh_from_db()
    assert passage.note == "short"


def test_the_services_refuse_a_long_note_with_a_code():
    passage = make_annotation()
    with pytest.raises(ValidationError) as raised:
        annotation_update(annotation=passage, user=passage.annotator, note="z" * 10_001)
    assert raised.value.error_dict["note"][0].code == "note_too_long"
    with pytest.raises(ValidationError):
        annotation_create(
            article=passage.article,
            start=passage.start,
            end=passage.end,
            exact=passage.exact,
            note="z" * 10_001,
            annotator=passage.annotator,
        )


def test_the_admin_passage_form_refuses_a_long_note():
    passage = make_annotation(note="short")
    data = {
        "article": passage.article_id,
        "start": passage.start,
        "end": passage.end,
        "exact": passage.exact,
        "status": passage.status,
        "note": "x" * (NOTE_MAX_LENGTH + 1),
    }
    form = AnnotationForm(data=data, instance=passage)
    assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()["note"]] == ["max_length"]
    assert AnnotationForm(data={**data, "note": "ok"}, instance=passage).is_valid()


def test_the_database_refuses_a_long_note():
    passage = make_annotation()
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Annotation.objects.filter(pk=passage.pk).update(note="n" * (NOTE_MAX_LENGTH + 1))


# --- Organizations and aliases -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "aliases", "field"),
    [
        ("o" * (ORGANIZATION_NAME_MAX_LENGTH + 1), [], "name"),
        ("Fine name", ["a" * (ALIAS_MAX_LENGTH + 1)], "aliases"),
        ("Fine name", [f"alias {i}" for i in range(MAX_ALIASES + 1)], "aliases"),
    ],
)
def test_organization_upsert_refuses_long_names_and_aliases(name, aliases, field):
    with pytest.raises(ValidationError) as raised:
        organization_upsert(name=name, aliases=aliases)
    assert field in raised.value.error_dict
    assert not Organization.objects.exists()


def test_the_admin_organization_form_refuses_long_names_and_aliases():
    form = OrganizationForm(
        data={
            "name": "o" * (ORGANIZATION_NAME_MAX_LENGTH + 1),
            "slug": "o",
            "kind": "other",
            "aliases": "a" * (ALIAS_MAX_LENGTH + 1),
        }
    )
    assert not form.is_valid()
    assert set(form.errors) == {"name", "aliases"}


@pytest.mark.parametrize(
    "row",
    [
        "o" * (ORGANIZATION_NAME_MAX_LENGTH + 1) + ",other,",
        "Fine name,other," + "a" * (ALIAS_MAX_LENGTH + 1),
        "Fine name,other," + "|".join(f"alias {i}" for i in range(MAX_ALIASES + 1)),
    ],
)
def test_import_organizations_refuses_long_text_with_one_line(tmp_path, row):
    make_organization("Existing")
    path = tmp_path / "organizations.csv"
    path.write_text(f"name,kind,aliases\nSecond,other,\n{row}\n", encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("import_organizations", str(path), stdout=StringIO())
    message = str(raised.value)
    assert message.startswith(f"{path}, line 3: ") and "\n" not in message
    assert list(Organization.objects.values_list("name", flat=True)) == ["Existing"]


def test_the_database_refuses_a_long_organization_name():
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Organization.objects.create(name="o" * (ORGANIZATION_NAME_MAX_LENGTH + 1), slug="o")


# --- Tags ----------------------------------------------------------------------------------


def test_the_database_refuses_a_long_tag_name():
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Tag.objects.create(name="t" * (TAG_NAME_MAX_LENGTH + 1), slug="t")


# --- load_demo -----------------------------------------------------------------------------


def test_load_demo_run_again_says_nothing_was_updated(seeds_dir):
    first, second = StringIO(), StringIO()
    call_command("load_demo", seeds=seeds_dir, stdout=first)
    created = int(first.getvalue().split("Organizations: ", 1)[1].split(" created")[0])
    assert created > 0
    call_command("load_demo", seeds=seeds_dir, stdout=second)
    lines = second.getvalue().splitlines()
    assert f"Organizations: 0 created, 0 updated, {created} unchanged." in lines
    assert "Articles: 0 created, 0 revised, 0 updated, 5 unchanged." in lines
