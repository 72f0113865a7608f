"""The pieces both listings' filters are built from: forms and filters that check every
value before it is cleaned (text no column can be compared with is a form error, never a
database error), row ids, slugs with aliases, the tag and organization trees, and the
FilterSet that runs the text search last."""

import functools
import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.forms.renderers import Jinja2
from django_filters.fields import ModelMultipleChoiceField

from annotations import tag_tree
from annotations.models import Tag
from articles import org_tree
from articles.models import Organization
from cms.admin_lookups import LARGEST, unsafe_text

ASCII_ID = re.compile(r"[0-9]{1,19}")
INVALID_TEXT = "Text may not contain NUL characters or unpaired surrogates."


def holds_unsafe_text(value) -> bool:
    """True if `value` (a parameter's text, or the list of a repeated one) holds a NUL or a
    lone surrogate: PostgreSQL refuses the first in a query, and neither database's driver
    can encode the second."""
    if isinstance(value, str):
        return unsafe_text(value)
    if isinstance(value, list | tuple):
        return any(holds_unsafe_text(item) for item in value)
    return False


# The filter forms' widgets are printed with Django's own Jinja2 widget templates: the
# public pages are Jinja2 already, and the Django-template widgets (an include per
# `<option>`) were the largest part of /passages/'s rendering (5.5 ms of widgets for its
# filter form at 52 annotators; 2.1 ms so). Only these forms: the admin's widgets have
# Django templates alone.
WIDGETS = Jinja2()


class CheckedForm(forms.Form):
    """A form whose fields holding unsafe text (`holds_unsafe_text`) get the error
    `invalid_text` and are not cleaned at all: cleaning a slug filter's value is a query
    with it (`ModelMultipleChoiceField` looks the slugs up), so refusing it afterwards is
    too late on PostgreSQL. Its widgets render with Jinja2 (`WIDGETS`)."""

    default_renderer = WIDGETS

    def full_clean(self):
        refused = [
            name for name in self.fields if self.is_bound and holds_unsafe_text(self[name].data)
        ]
        if not refused:
            return super().full_clean()
        fields = self.fields
        self.fields = {name: field for name, field in fields.items() if name not in refused}
        try:
            super().full_clean()
        finally:
            self.fields = fields
        for name in refused:
            self.add_error(name, ValidationError(INVALID_TEXT, code="invalid_text"))
        return None


class IdField(forms.IntegerField):
    """A row id: ASCII digits only, at most a 64-bit column's largest value.

    `int()` reads other scripts' digits ("١" is 1) and `str.isdigit()` accepts "²", which
    `int()` then refuses; a number past the column's range is no id either.
    """

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value).strip()
        if not ASCII_ID.fullmatch(value) or int(value) > LARGEST:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(value)


class IdFilter(django_filters.Filter):
    field_class = IdField


class CheckedFilterSet(django_filters.FilterSet):
    """A FilterSet whose form is a `CheckedForm`."""

    def get_form_class(self):
        """The FilterSet's form as a `CheckedForm`, built once per FilterSet class while
        its filters are the declared ones: django-filter builds a form class (every
        filter's field, two classes through Django's metaclass) for each FilterSet it
        binds, a millisecond of every listing page, for fields that never change. A
        FilterSet with filters of its own (a typed field's) gets a class of its own.
        Forms deep-copy their class's fields, so sharing the class shares nothing a
        request changes."""
        if set(self.filters) != set(self.base_filters):
            return self.checked_form_class()
        cls = type(self)
        if "_shared_form_class" not in cls.__dict__:
            cls._shared_form_class = self.checked_form_class()
        return cls._shared_form_class

    def checked_form_class(self):
        form = super().get_form_class()
        return type(form.__name__, (CheckedForm, form), {})

    # Parameters that change how the rows are shown or combined, not which rows: a
    # listing with only these set is still unfiltered (its counts are the maintained ones).
    not_narrowing: frozenset[str] = frozenset({"ordering"})

    def selected(self, name: str) -> list[str]:
        """The request's values of parameter `name` that a query may hold (the facets show
        them ticked even when the form refused them, so they can be unticked); a value the
        form resolved to a row (an organization's alias) as that row's slug."""
        return list(self.selected_names(name))

    def selected_names(self, name: str) -> dict[str, str]:
        """`selected(name)` with each slug's name, read from the rows the form already
        looked up (no query); a value the form refused is its own name."""
        values = self.data.getlist(name) if hasattr(self.data, "getlist") else []
        values = [value for value in values if not unsafe_text(value)]
        form = self.form
        if not values or not form.is_bound or name in form.errors:
            return {value: value for value in values}
        rows = list(form.cleaned_data.get(name) or ())
        if not all(hasattr(row, "slug") and hasattr(row, "name") for row in rows):
            return {value: value for value in values}
        return {row.slug: row.name for row in rows}


class SlugsFilter(django_filters.ModelMultipleChoiceFilter):
    """A repeatable `?name=slug&name=slug` filter: rows matching any of the slugs.

    An unknown slug makes the form invalid (the listing is then empty, with the error
    shown), never a server error.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(*args, **kwargs)


class AliasedChoiceField(ModelMultipleChoiceField):
    """Slugs, or for a value no slug matches, a name or alias (case-insensitive, whole).

    The cleaned value is the list of rows found, in no particular order. An alias is
    looked up only when some value is no slug: one more query then, none otherwise.
    """

    def _check_values(self, value):
        values = list(dict.fromkeys(str(item) for item in value))
        for item in values:
            self.validate_no_null_characters(item)
        rows = {row.slug: row for row in self.queryset.filter(slug__in=values)}
        missing = [item for item in values if item not in rows]
        if missing:
            wanted = {item.casefold(): item for item in missing}
            candidates = Q()
            for item in missing:
                candidates |= Q(name__iexact=item) | Q(aliases__icontains=item)
            for row in self.queryset.filter(candidates):
                for name in row.names:
                    item = wanted.pop(name.casefold(), None)
                    if item is not None:
                        rows[item] = row
            for item in missing:
                if item not in rows:
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": item},
                    )
        return list({row.pk: row for row in rows.values()}.values())


class AliasedSlugsFilter(SlugsFilter):
    """`SlugsFilter` for organizations: `?organization=ACLU` works as its slug does."""

    field_class = AliasedChoiceField


TAG_MATCH_CHOICES = (("any", "any ticked tag"), ("all", "every ticked tag"))


def tag_match_filter(help_text: str):
    """`tag_match=any|all`: how the ticked tags combine (read by the FilterSet's
    `filter_tag`, so it filters nothing itself); unset is `any`."""
    return django_filters.ChoiceFilter(
        label="Match",
        choices=TAG_MATCH_CHOICES,
        empty_label=None,
        method="filter_nothing",
        widget=forms.RadioSelect,
        help_text=help_text,
    )


def read_trees() -> tuple[dict[int, tag_tree.Node], dict[int, org_tree.Node]]:
    """Every tag (`tag_tree.Node`s) and the organizations in a hierarchy (`org_tree.Node`s:
    those with a parent or an affiliate), by id, in one query: a listing needs both trees
    for its filters and facets, and reading them apart cost it a query more. Plain SQL
    (`TREES_SQL`), as the corpus version's read is: every listing page makes it, and
    building the union through the ORM took longer than running it."""
    tag_nodes: dict[int, tag_tree.Node] = {}
    organization_nodes: dict[int, org_tree.Node] = {}
    with connection.cursor() as cursor:
        cursor.execute(trees_sql())
        for kind, pk, parent_id, name, slug, position in cursor.fetchall():
            if kind == "t":
                tag_nodes[pk] = tag_tree.Node(pk, parent_id, name, slug, position)
            else:
                organization_nodes[pk] = org_tree.Node(pk, parent_id, name, slug)
    return tag_nodes, organization_nodes


@functools.cache
def trees_sql() -> str:
    """`read_trees`'s query, from the models' own table and column names."""
    tags, organizations = Tag._meta.db_table, Organization._meta.db_table
    return TREES_SQL.format(tags=tags, organizations=organizations)


TREES_SQL = (
    "SELECT 't', id, parent_id, name, slug, position FROM \"{tags}\" UNION ALL "
    "SELECT 'o', id, parent_id, name, slug, 0 FROM \"{organizations}\" "
    "WHERE parent_id IS NOT NULL OR id IN "
    '(SELECT parent_id FROM "{organizations}" WHERE parent_id IS NOT NULL)'
)


class SearchLastFilterSet(CheckedFilterSet):
    """Applies `q` after every other filter.

    Pages bound a search to its first `search_limit` matches (`text_search(limit=...)`);
    run last, that bound counts only rows the other filters keep, so `?q=word&outlet=x`
    finds the outlet's matches even when the word matches thousands of other rows.
    """

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        for name in sorted(data, key=lambda name: name == "q"):  # stable: q moves last
            queryset = self.filters[name].filter(queryset, data[name])
        return queryset

    def filter_nothing(self, queryset, name, value):
        return queryset

    def tag_nodes(self) -> dict:
        """Every tag as a `tag_tree.Node`, read once per listing with the organizations'
        tree (`read_trees`, one query) and shared with the facets' FilterSets
        (`share_trees`)."""
        return self.trees()[0]

    def tag_parents(self) -> dict[int, int | None]:
        """`{tag_id: parent_id}` of every tag (`tag_nodes`)."""
        return {pk: node.parent_id for pk, node in self.tag_nodes().items()}

    def organization_nodes(self) -> dict:
        """The organizations in a hierarchy (with a parent or an affiliate) as
        `org_tree.Node`s, read with the tags (`read_trees`)."""
        return self.trees()[1]

    def organization_parents(self) -> dict[int, int | None]:
        """`{organization_id: parent_id}` of the organizations in a hierarchy: enough for
        `org_tree.with_affiliates` (one without affiliates is only itself)."""
        return {pk: node.parent_id for pk, node in self.organization_nodes().items()}

    def trees(self) -> tuple[dict, dict]:
        if getattr(self, "_trees", None) is None:
            self._trees = read_trees()
        return self._trees

    def share_trees(self, other) -> None:
        """Give `other` (a FilterSet of the same listing) the trees this one has read."""
        other._trees = getattr(self, "_trees", None)

    def tags_match_all(self) -> bool:
        """Whether `tag_match=all` is asked for (read from the data: `filtered_without`
        applies filters without cleaning its copy of the form again)."""
        return "tag_match" in self.filters and self.data.get("tag_match") == "all"
