"""Typed fields per tag: definitions by editors, values checked by the passage actions
(type, required, range, organization), coded errors, nothing invalid stored."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from annotations.actions.fields import (
    tag_field_define,
    tag_field_delete,
    tag_field_update,
)
from annotations.actions.passages import annotation_create, annotation_update
from annotations.actions.tags import tag_delete, tag_save
from annotations.models import Annotation, Tag, TagField
from audit.models import HistoryRecord
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_editor,
    make_organization,
    make_tag,
)

pytestmark = pytest.mark.django_db

BODY = "Officials said 60,000 people came in 2024, said the ACLU spokesperson."


@pytest.fixture
def statistic():
    tag = Tag.objects.get(slug="statistic")  # a starting tag
    editor = make_editor("ed")
    tag_field_define(tag=tag, name="value", kind="number", required=True, minimum=0, actor=editor)
    tag_field_define(tag=tag, name="unit", kind="text", actor=editor)
    tag_field_define(tag=tag, name="year", kind="integer", minimum=1800, maximum=2100, actor=editor)
    tag_field_define(tag=tag, name="speaker", kind="organization", actor=editor)
    return tag


def create(article, annotator, **kwargs):
    return annotation_create(
        article=article, start=15, end=21, exact="60,000", annotator=annotator, **kwargs
    )


def all_codes(error: ValidationError) -> list[str]:
    errors = (
        sum(error.error_dict.values(), []) if hasattr(error, "error_dict") else error.error_list
    )
    return [e.code for e in errors]


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {key: [e.code for e in errors] for key, errors in error.error_dict.items()}


def test_values_are_stored_as_canonical_text_in_definition_order(statistic):
    org = make_organization("ACLU")
    passage = create(
        make_article(BODY),
        make_annotator(),
        tags=["statistic"],
        fields={
            "statistic.year": "2024",
            "statistic.value": 60000.0,
            "statistic.unit": "  people ",
            "statistic.speaker": "aclu",
        },
    )
    passage.refresh_from_db()
    assert passage.fields == {
        "statistic.value": "60000",
        "statistic.unit": "people",
        "statistic.year": "2024",
        "statistic.speaker": org.slug,
    }
    assert (
        list(passage.fields)
        == [
            "statistic.value",
            "statistic.unit",
            "statistic.year",
            "statistic.speaker",
        ]
        or connection_reorders()
    )


def connection_reorders() -> bool:
    """PostgreSQL's jsonb keeps keys in its own order (shorter first)."""
    from django.db import connection

    return connection.vendor == "postgresql"


def full(key: str) -> str:
    return key if "." in key else f"statistic.{key}"


@pytest.mark.parametrize(
    ("values", "key", "code"),
    [
        ({"value": "lots"}, "value", "invalid_number"),
        ({"value": True}, "value", "invalid_number"),
        ({"value": "1e400"}, "value", "number_too_large"),
        ({"value": "NaN"}, "value", "invalid_number"),
        ({"value": -1}, "value", "below_minimum"),
        ({"value": 5, "year": "20.5"}, "year", "invalid_integer"),
        ({"value": 5, "year": 1700}, "year", "below_minimum"),
        ({"value": 5, "year": 2200}, "year", "above_maximum"),
        ({"value": 5, "unit": 12}, "unit", "invalid_field_text"),
        ({"value": 5, "unit": "x" * 501}, "unit", "field_too_long"),
        ({"value": 5, "speaker": "nobody"}, "speaker", "unknown_organization"),
        ({"unit": "people"}, "value", "field_required"),
        ({"value": ""}, "value", "field_required"),
        ({"value": 5, "quote.speaker": "x"}, "quote.speaker", "unknown_field"),
    ],
)
def test_each_bad_value_is_a_coded_error_and_nothing_is_stored(statistic, values, key, code):
    article, annotator = make_article(BODY), make_annotator()
    values = {full(k): v for k, v in values.items()}
    with pytest.raises(ValidationError) as caught:
        create(article, annotator, tags=["statistic"], fields=values)
    assert codes(caught.value) == {f"fields.{full(key)}": [code]}
    assert not Annotation.objects.exists()


def test_required_applies_only_when_the_tag_is_on_the_passage(statistic):
    passage = create(make_article(BODY), make_annotator(), tags=["quote"])
    assert passage.fields == {}
    with pytest.raises(ValidationError) as caught:
        annotation_update(annotation=passage, user=passage.annotator, tags=["quote", "statistic"])
    assert codes(caught.value) == {"fields.statistic.value": ["field_required"]}
    passage.refresh_from_db()
    assert sorted(t.slug for t in passage.tags.all()) == ["quote"]


def test_a_value_for_a_tag_not_on_the_passage_is_refused(statistic):
    with pytest.raises(ValidationError) as caught:
        create(make_article(BODY), make_annotator(), fields={"statistic.value": 5})
    assert codes(caught.value) == {"fields.statistic.value": ["unknown_field"]}


def test_update_merges_values_and_null_removes_one(statistic):
    passage = create(
        make_article(BODY),
        make_annotator(),
        tags=["statistic"],
        fields={"statistic.value": 60000, "statistic.unit": "people"},
    )
    annotation_update(
        annotation=passage,
        user=passage.annotator,
        fields={"statistic.year": 2024, "statistic.unit": None},
    )
    passage.refresh_from_db()
    assert passage.fields == {"statistic.value": "60000", "statistic.year": "2024"}


def test_values_of_a_removed_tag_are_dropped_and_the_history_shows_it(statistic):
    passage = create(
        make_article(BODY), make_annotator(), tags=["statistic"], fields={"statistic.value": 7}
    )
    annotation_update(annotation=passage, user=passage.annotator, tags=["quote"])
    passage.refresh_from_db()
    assert passage.fields == {}
    record = HistoryRecord.objects.filter(object_id=passage.pk, action="update").get()
    assert record.changes["fields"] == [{"statistic.value": "7"}, {}]


def test_only_editors_define_fields_and_bad_definitions_are_coded():
    tag = make_tag("measure")
    with pytest.raises(PermissionDenied):
        tag_field_define(tag=tag, name="value", kind="number", actor=make_annotator())
    editor = make_editor()
    cases = [
        ({"name": "Bad.Name"}, "invalid_field_name"),
        ({"name": "unit", "kind": "text", "minimum": 1}, "bounds_on_numbers_only"),
        ({"name": "v", "kind": "number", "minimum": 5, "maximum": 1}, "minimum_above_maximum"),
        ({"name": "v", "kind": "colour"}, "invalid_choice"),
    ]
    for kwargs, code in cases:
        with pytest.raises(ValidationError) as caught:
            tag_field_define(tag=tag, actor=editor, **{"kind": "number", **kwargs})
        assert code in all_codes(caught.value), kwargs
    assert not TagField.objects.exists()
    tag_field_define(tag=tag, name="value", kind="number", actor=editor)
    with pytest.raises(ValidationError) as caught:
        tag_field_define(tag=tag, name="value", kind="text", actor=editor)
    assert all_codes(caught.value) == ["duplicate_field"]
    assert TagField.objects.count() == 1
    assert HistoryRecord.objects.filter(content_type__model="tagfield").count() == 1


def test_renaming_a_field_or_its_tag_moves_the_values(statistic):
    passage = create(
        make_article(BODY), make_annotator(), tags=["statistic"], fields={"statistic.value": 1}
    )
    field = TagField.objects.get(name="value")
    tag_field_update(field=field, name="amount", actor=make_editor())
    passage.refresh_from_db()
    assert passage.fields == {"statistic.amount": "1"}
    statistic.refresh_from_db()
    statistic.slug = "stat"
    tag_save(tag=statistic)
    passage.refresh_from_db()
    assert passage.fields == {"stat.amount": "1"}


def test_a_kind_change_that_a_stored_value_does_not_fit_is_refused(statistic):
    create(
        make_article(BODY),
        make_annotator(),
        tags=["statistic"],
        fields={"statistic.value": 1, "statistic.unit": "people"},
    )
    unit = TagField.objects.get(name="unit")
    with pytest.raises(ValidationError) as caught:
        tag_field_update(field=unit, kind="number", actor=make_editor())
    assert all_codes(caught.value) == ["stored_values_refused"]
    assert TagField.objects.get(name="unit").kind == "text"
    value = TagField.objects.get(name="value")
    with pytest.raises(ValidationError):
        tag_field_update(field=value, minimum=5, actor=make_editor())
    assert TagField.objects.get(name="value").minimum == 0


def test_deleting_a_field_or_its_tag_drops_the_values(statistic):
    article, annotator = make_article(BODY), make_annotator()
    passage = create(
        article, annotator, tags=["statistic"], fields={"statistic.value": 1, "statistic.unit": "x"}
    )
    tag_field_delete(field=TagField.objects.get(name="unit"), actor=make_editor())
    passage.refresh_from_db()
    assert passage.fields == {"statistic.value": "1"}
    tag_delete(tag=statistic)
    passage.refresh_from_db()
    assert passage.fields == {}
    assert not TagField.objects.exists()


# The JSON API.


def api_client(client, user):
    client.force_login(user)
    return client


def post(client, data):
    return client.post("/api/annotations/", json.dumps(data), content_type="application/json")


def test_the_api_accepts_and_returns_typed_fields(client, statistic):
    article = make_article(BODY)
    api_client(client, make_annotator())
    response = post(
        client,
        {
            "article": article.pk,
            "start": 15,
            "end": 21,
            "exact": "60,000",
            "tags": ["statistic"],
            "fields": {
                "statistic.value": "60000",
                "statistic.year": 2024,
                "statistic.unit": "people",
            },
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["fields"] == {
        "statistic.value": 60000,
        "statistic.unit": "people",
        "statistic.year": 2024,
    }
    pk = response.json()["id"]
    response = client.patch(
        f"/api/annotations/{pk}/",
        json.dumps({"fields": {"statistic.value": 2.5}}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["fields"]["statistic.value"] == 2.5
    listing = client.get("/api/annotations/").json()
    assert listing["results"][0]["fields"]["statistic.year"] == 2024


def test_the_api_refuses_bad_values_with_the_envelope_and_stores_nothing(client, statistic):
    article = make_article(BODY)
    api_client(client, make_annotator())
    response = post(
        client,
        {
            "article": article.pk,
            "start": 15,
            "end": 21,
            "exact": "60,000",
            "tags": ["statistic"],
            "fields": {"statistic.value": "many", "statistic.year": 3000},
        },
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_number"
    assert {k: [e["code"] for e in v] for k, v in error["fields"].items()} == {
        "fields.statistic.value": ["invalid_number"],
        "fields.statistic.year": ["above_maximum"],
    }
    response = post(
        client,
        {"article": article.pk, "start": 15, "end": 21, "exact": "60,000", "fields": [1]},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_type"
    assert not Annotation.objects.exists()


def test_the_api_listing_reads_field_kinds_once(client, statistic, django_assert_max_num_queries):
    article = make_article(BODY)
    annotator = make_annotator()
    for _ in range(5):
        create(article, annotator, tags=["statistic"], fields={"statistic.value": 3})
    api_client(client, annotator)
    client.get("/api/annotations/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as five:
        client.get("/api/annotations/")
    for _ in range(5):
        create(article, annotator, tags=["statistic"], fields={"statistic.value": 3})
    with CaptureQueriesContext(connection) as ten:
        client.get("/api/annotations/")
    assert len(ten) == len(five)
    assert sum("annotations_tagfield" in q["sql"] for q in ten.captured_queries) == 1


def test_make_annotation_passes_fields(statistic):
    passage = make_annotation(
        make_article(BODY), exact="60,000", tags=["statistic"], fields={"statistic.value": "6e4"}
    )
    assert passage.fields == {"statistic.value": "60000"}


# The admin.


def test_editors_define_fields_in_the_tag_admin_inline(client, statistic):
    from django.urls import reverse

    editor = make_editor()
    client.force_login(editor)
    url = reverse("admin:annotations_tag_change", args=[statistic.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"Tag fields" in page.content
    existing = list(TagField.objects.filter(tag=statistic).order_by("position"))
    data = {
        "name": statistic.name,
        "slug": statistic.slug,
        "colour": statistic.colour,
        "description": statistic.description,
        "parent": "",
        "fields-TOTAL_FORMS": str(len(existing) + 1),
        "fields-INITIAL_FORMS": str(len(existing)),
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "1000",
    }
    for i, field in enumerate(existing):
        data |= {
            f"fields-{i}-id": str(field.pk),
            f"fields-{i}-tag": str(statistic.pk),
            f"fields-{i}-name": field.name,
            f"fields-{i}-label": field.label,
            f"fields-{i}-kind": field.kind,
            f"fields-{i}-position": str(field.position),
            f"fields-{i}-minimum": "" if field.minimum is None else str(field.minimum),
            f"fields-{i}-maximum": "" if field.maximum is None else str(field.maximum),
        } | ({f"fields-{i}-required": "on"} if field.required else {})
    n = len(existing)
    data |= {f"fields-{i}-DELETE": "on" for i, f in enumerate(existing) if f.name == "unit"}
    data |= {
        f"fields-{n}-tag": str(statistic.pk),
        f"fields-{n}-name": "source",
        f"fields-{n}-kind": "text",
        f"fields-{n}-position": "9",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert sorted(TagField.objects.filter(tag=statistic).values_list("name", flat=True)) == [
        "source",
        "speaker",
        "value",
        "year",
    ]
    assert HistoryRecord.objects.filter(content_type__model="tagfield", via="admin").count() == 2


def test_the_passage_admin_edits_values_with_the_actions_checks(client, statistic):
    from django.urls import reverse

    passage = create(
        make_article(BODY), make_annotator(), tags=["statistic"], fields={"statistic.value": 1}
    )
    client.force_login(make_editor())
    url = reverse("admin:annotations_annotation_change", args=[passage.pk])
    base = {"tags": [statistic.pk], "organization": "", "note": "", "status": "published"}
    response = client.post(url, base | {"fields": '{"statistic.value": "many"}'})
    assert response.status_code == 200
    assert "enter a number" in response.content.decode()
    passage.refresh_from_db()
    assert passage.fields == {"statistic.value": "1"}
    response = client.post(url, base | {"fields": '{"statistic.value": 60000}'})
    assert response.status_code == 302
    passage.refresh_from_db()
    assert passage.fields == {"statistic.value": "60000"}


def test_restoring_a_passage_brings_back_the_values_its_fields_still_accept(statistic):
    from annotations.actions.passages import annotation_delete
    from annotations.actions.restore import annotation_restore

    passage = create(
        make_article(BODY),
        make_annotator(),
        tags=["statistic"],
        fields={"statistic.value": 60000, "statistic.unit": "people"},
    )
    editor, pk = make_editor(), passage.pk
    annotation_delete(annotation=passage, user=editor)
    tag_field_delete(field=TagField.objects.get(name="unit"), actor=editor)
    record = HistoryRecord.objects.filter(object_id=pk, action="delete").get()
    restored = annotation_restore(record=record, user=editor)
    restored.refresh_from_db()
    assert restored.fields == {"statistic.value": "60000"}


def test_removing_a_value_of_a_tag_not_on_the_passage_is_a_no_op(statistic):
    """What the workspace's Undo sends: nulls for values the previous version lacked."""
    passage = create(make_article(BODY), make_annotator(), tags=["quote"])
    annotation_update(annotation=passage, user=passage.annotator, fields={"statistic.value": None})
    passage.refresh_from_db()
    assert passage.fields == {}


def test_the_workspace_form_holds_each_tags_fields_without_javascript(client, statistic):
    """The inputs are in the page (the script only shows the ticked tag's); the page's
    passages carry their typed values."""
    article = make_article(BODY)
    annotator = make_annotator()
    create(article, annotator, tags=["statistic"], fields={"statistic.value": 60000})
    client.force_login(annotator)
    response = client.get(f"/workspace/articles/{article.slug}/")
    html = response.content.decode()
    assert '<fieldset class="tag-fields" data-tag-fields="statistic">' in html
    assert 'name="field.statistic.value"' in html and 'inputmode="decimal"' in html
    assert 'name="field.statistic.year"' in html and 'inputmode="numeric"' in html
    assert 'name="field.statistic.speaker"' in html and 'list="organization-options"' in html
    assert "Value (required)" in html and "A number, at least 0." in html
    data = response.context["workspace_data"]
    assert data["passages"][0]["fields"] == {"statistic.value": 60000}


def test_an_organization_value_follows_its_slug_and_goes_with_it(statistic):
    """Values name an organization by slug: an editor changing the slug moves them, and
    deleting the organization drops them (as its attributions go), each passage's change
    in its history; values naming another organization stay."""
    from articles.actions.organizations import organization_delete, organization_save

    aclu, other = make_organization("ACLU"), make_organization("Union of Readers")
    article = make_article(BODY)
    named = create(
        article,
        make_annotator(),
        tags=["statistic"],
        fields={"statistic.value": 3, "statistic.speaker": "aclu"},
    )
    kept = create(
        article,
        make_annotator(),
        tags=["statistic"],
        fields={"statistic.value": 4, "statistic.speaker": other.slug},
    )
    editor = make_editor("slugger")
    aclu.slug = "american-civil-liberties-union"
    organization_save(organization=aclu, actor=editor)
    named.refresh_from_db()
    assert named.fields == {"statistic.value": "3", "statistic.speaker": aclu.slug}
    changes = HistoryRecord.objects.filter(
        content_type__model="annotation", object_id=named.pk, actor=editor
    )
    assert changes.count() == 1
    organization_delete(organization=aclu, actor=editor)
    named.refresh_from_db()
    kept.refresh_from_db()
    assert named.fields == {"statistic.value": "3"}
    assert kept.fields == {"statistic.value": "4", "statistic.speaker": other.slug}
