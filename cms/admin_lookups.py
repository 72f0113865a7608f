"""Changelist parameters checked before Django's admin applies them.

Django's admin answers a lookup it cannot apply ("incorrect lookup") by redirecting to the
unfiltered list with `?e=1`, but only for errors raised while it builds the queryset. Three
kinds of value slipped past that and became server errors: a NUL or lone surrogate, which
PostgreSQL refuses only when the page's query runs; digits that `str.isdigit()` accepts and
`int()` does not ("²"); and numbers too large for the date hierarchy's `datetime()`. Here
every parameter is checked first, against the field its lookup path names, and refused the
same way on every database. Searches (the changelist's and the autocomplete's) with such
text find nothing. `CheckedChangelistMiddleware` applies the same checks to the changelists
of ModelAdmins that are not ours (Django's users and groups, django-axes' records).

This module imports no app: every app's admin uses it.
"""

import re

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG, ChangeList
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpResponseRedirect

UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")
ASCII_INTEGER = re.compile(r"-?[0-9]{1,19}")
DATE_PART = re.compile(r"[0-9]{1,4}")  # no date has a year, month or day of more digits
DATE_PARTS = {"year", "iso_year", "quarter", "month", "week", "week_day", "iso_week_day", "day"}
DATE_PARTS |= {"hour", "minute", "second"}
INTEGER_FIELDS = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField"}
INTEGER_FIELDS |= {"BigIntegerField", "SmallIntegerField", "PositiveIntegerField"}
INTEGER_FIELDS |= {"PositiveBigIntegerField", "PositiveSmallIntegerField"}
LARGEST = 2**63 - 1  # a signed 64-bit column's largest value


def unsafe_text(value: str) -> bool:
    """True for text no database column should be compared with: a NUL or lone surrogate."""
    return UNSAFE_TEXT.search(value) is not None


def lookup_target(model, key: str):
    """The field a lookup path ends on (a relation's target field) and the lookups and
    transforms after it: "organization__id__exact" -> (Organization.id, ["exact"]). The
    field is None when the first part names no field (a custom filter's parameter)."""
    opts, field, parts = model._meta, None, key.split(LOOKUP_SEP)
    for index, part in enumerate(parts):
        try:
            if opts is None:
                raise FieldDoesNotExist(part)
            field = opts.get_field(part)
        except FieldDoesNotExist:
            return _target(field), parts[index:]
        opts = field.related_model._meta if field.is_relation and field.related_model else None
    return _target(field), []


def _target(field):
    if field is None or not field.is_relation or field.related_model is None:
        return field
    if isinstance(field, models.ForeignKey):
        return field.target_field
    return field.related_model._meta.pk


def value_refused(model, key: str, value: str) -> bool:
    """True when `value` cannot be a value of the lookup `key` on `model`."""
    if unsafe_text(key) or unsafe_text(value):
        return True
    field, lookups = lookup_target(model, key)
    if "isnull" in lookups:
        return False
    values = value.split(",") if lookups and lookups[-1] in ("in", "range") else [value]
    if lookups and lookups[0] in DATE_PARTS:
        return not all(DATE_PART.fullmatch(v) for v in values)
    if field is not None and field.get_internal_type() in INTEGER_FIELDS:
        return not all(ASCII_INTEGER.fullmatch(v) and abs(int(v)) <= LARGEST for v in values)
    return False


def parameters_refused(model, query) -> str | None:
    """The first parameter of `query` (a QueryDict) that `model`'s lookups cannot take."""
    for key, values in query.lists():
        for value in values:
            if value_refused(model, key, value):
                return key
    return None


class CheckedChangeList(ChangeList):
    """Django's changelist, refusing parameters its lookups cannot take (see the module)."""

    def get_queryset(self, request, exclude_parameters=None):
        refused = parameters_refused(self.model, request.GET)
        if refused is not None:
            raise IncorrectLookupParameters(f"Incorrect value for {refused}")
        return super().get_queryset(request, exclude_parameters)


class CheckedChangelistMiddleware:
    """Every admin changelist refuses what `CheckedChangeList` refuses, with the answer
    Django's admin gives an incorrect lookup: a redirect to the unfiltered list with `?e=1`.

    Defence in depth for ModelAdmins that are not `CheckedLookupsAdmin`: Django's own user
    and group admins and django-axes' answered `?username=%00` on PostgreSQL and
    `?date_joined__year=9223372036854775808` anywhere with a 500. A changelist view is
    recognised by the `model_admin` Django's admin sets on the views it wraps.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        model_admin = getattr(view_func, "model_admin", None)
        if model_admin is None or not (match.url_name or "").endswith("_changelist"):
            return None
        if parameters_refused(model_admin.model, request.GET) is None:
            return None
        return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")


class CheckedLookupsAdmin(admin.ModelAdmin):
    """A ModelAdmin whose changelist and searches refuse values no column can hold."""

    def get_changelist(self, request, **kwargs):
        return CheckedChangeList

    def get_search_results(self, request, queryset, search_term):
        if unsafe_text(search_term):
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)
