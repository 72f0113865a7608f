"""Filters on typed tag fields: `field.<tag>.<name>=<value>`, and `.gte`/`.lte` bounds
for numbers, built from the defined `TagField`s."""

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, FloatField, Q, TextField, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from annotations import tag_fields
from annotations.models import TagField

FIELD_PREFIX = "field."
FIELD_OPERATORS = {"gte": "at least", "lte": "at most"}
CANONICAL_NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"  # `annotations.tag_fields.number_text`


def field_parameters(data) -> list[str]:
    """The names of the request's field filters, in the order sent."""
    return [name for name in data if isinstance(name, str) and name.startswith(FIELD_PREFIX)]


class FieldValueField(forms.CharField):
    """One field filter's value: a number for a number or integer field (its canonical
    text), else text. `problem` makes the parameter itself an error (an unknown field, an
    operator a text field has not), whatever its value."""

    def __init__(self, *, kind: str | None, problem: tuple[str, str] | None = None, **kwargs):
        self.kind, self.problem = kind, problem
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        if self.problem is not None and value not in self.empty_values:
            message, code = self.problem
            raise ValidationError(message, code=code)
        value = super().clean(value)
        if value in self.empty_values or self.kind not in tag_fields.NUMERIC_KINDS:
            return value
        return tag_fields.canonical(tag_fields.NUMBER, value, label=self.label or "Value")


class FieldValueFilter(django_filters.Filter):
    """A passage's value of one field: equal (numbers as numbers, text ignoring case,
    organizations by slug), or for numbers at least / at most (`gte`, `lte`)."""

    field_class = FieldValueField

    def __init__(self, *, key: str, kind: str | None, operator: str = "exact", **kwargs):
        self.key, self.kind, self.operator = key, kind, operator
        super().__init__(kind=kind, **kwargs)

    def filter(self, qs, value):
        if value in ("", None):
            return qs
        # As plain text: a JSON key's own `exact` would compare `value` parsed as JSON.
        text = Cast(KeyTextTransform(self.key, "fields"), TextField())
        alias = "_field_" + re.sub(r"[^0-9a-z_]", "_", f"{self.key}_{self.operator}")
        if self.kind in tag_fields.NUMERIC_KINDS:
            # Only canonical numbers are cast (the actions write no other): a stray text
            # (a restored backup's) matches nothing instead of failing PostgreSQL's cast.
            number = Case(
                When(
                    Q(**{f"{alias}_text__regex": CANONICAL_NUMBER}), then=Cast(text, FloatField())
                ),
                default=None,
                output_field=FloatField(),
            )
            return (
                qs.alias(**{f"{alias}_text": text})
                .alias(**{alias: number})
                .filter(**{f"{alias}__{self.operator}": float(value)})
            )
        if self.kind == tag_fields.TEXT:
            return qs.alias(**{alias: text}).filter(**{f"{alias}__iexact": value})
        return qs.alias(**{alias: text}).filter(**{alias: value})


def field_filters(names: list[str], request=None) -> dict[str, FieldValueFilter]:
    """A filter for each `field.*` parameter, from the field definitions (one query, kept
    on the request for the facets' copies of the FilterSet); an unknown field or an
    operator its kind has not is a filter whose value is an error."""
    definitions = getattr(request, "_gloss_tag_fields", None)
    if definitions is None:
        rows = TagField.objects.values_list("tag__slug", "name", "kind", "label", "tag__name")
        definitions = {tag_fields.key(s, n): (k, lbl or n, t) for s, n, k, lbl, t in rows}
        if request is not None:
            request._gloss_tag_fields = definitions
    filters = {}
    for name in names:
        rest = name.removeprefix(FIELD_PREFIX)
        key, operator = rest, "exact"
        head, _, last = rest.rpartition(".")
        if last in FIELD_OPERATORS and head.count(".") == 1:
            key, operator = head, last
        definition = definitions.get(key) if key.count(".") == 1 else None
        problem = None
        if definition is None:
            kind, label = None, rest
            problem = (f"No tag field {key}: check the tag's and field's names.", "unknown_field")
        else:
            kind, field_label, tag_name = definition
            label = f"{tag_name}: {field_label}"
            if operator != "exact":
                label += f" ({FIELD_OPERATORS[operator]})"
                if kind not in tag_fields.NUMERIC_KINDS:
                    problem = (f"{key} is not a number: filter it by equality.", "invalid_lookup")
        filters[name] = FieldValueFilter(
            key=key, kind=kind, operator=operator, label=label, problem=problem
        )
    return filters
