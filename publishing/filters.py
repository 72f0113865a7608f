"""The filters of the public listings: `/articles/`, and `/passages/` with its CSV export.

Their query parameters are a contract (the API's passage listing filters with the same
`PassageFilterSet`). Every value is checked before it is cleaned (`CheckedForm`): text no
column can be compared with is a form error, never a database error.
"""

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q

from annotations.models import Annotation, Tag, TaggedAnnotation
from articles.models import Article, Organization, Outlet
from cms.admin_lookups import LARGEST, unsafe_text
from publishing.search import search

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


class CheckedForm(forms.Form):
    """A form whose fields holding unsafe text (`holds_unsafe_text`) get the error
    `invalid_text` and are not cleaned at all: cleaning a slug filter's value is a query
    with it (`ModelMultipleChoiceField` looks the slugs up), so refusing it afterwards is
    too late on PostgreSQL."""

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
        form = super().get_form_class()
        return type(form.__name__, (CheckedForm, form), {})

    def selected(self, name: str) -> list[str]:
        """The request's values of parameter `name` that a query may hold (the facets show
        them ticked even when the form refused them, so they can be unticked)."""
        values = self.data.getlist(name) if hasattr(self.data, "getlist") else []
        return [value for value in values if not unsafe_text(value)]


class SlugsFilter(django_filters.ModelMultipleChoiceFilter):
    """A repeatable `?name=slug&name=slug` filter: rows matching any of the slugs.

    An unknown slug makes the form invalid (the listing is then empty, with the error
    shown), never a server error.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(*args, **kwargs)


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


class ArticleFilterSet(SearchLastFilterSet):
    q = django_filters.CharFilter(label="Search title and text", method="filter_q")
    outlet = SlugsFilter(label="Outlet", queryset=Outlet.objects.all(), method="filter_outlet")
    organization = SlugsFilter(
        label="Organization",
        queryset=Organization.objects.all(),
        method="filter_organization",
        help_text="Mentioned, or a passage attributed to it.",
    )
    tag = SlugsFilter(
        label="Tag",
        queryset=Tag.objects.all(),
        method="filter_tag",
        help_text="Has a passage with any of these tags.",
    )
    published_after = django_filters.DateFilter(
        label="Published on or after",
        field_name="published",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    published_before = django_filters.DateFilter(
        label="Published on or before",
        field_name="published",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ordering = django_filters.OrderingFilter(
        label="Sort by",
        fields=(("published", "published"), ("title", "title")),
        field_labels={
            "-published": "Newest first",
            "published": "Oldest first",
            "title": "Title A–Z",
            "-title": "Title Z–A",
        },
        empty_label=None,
        null_label=None,
    )

    class Meta:
        model = Article
        fields: list[str] = []

    def visible_passages(self):
        user = getattr(self.request, "user", None)
        return Annotation.objects.visible_to(user)

    # Set by the listing pages to bound the search (see `text_search`); the export keeps None.
    search_limit: int | None = None

    def filter_q(self, queryset, name, value):
        return search(queryset, value, limit=self.search_limit)

    def filter_outlet(self, queryset, name, value):
        return queryset.filter(outlet__in=value) if value else queryset

    def filter_organization(self, queryset, name, value):
        if not value:
            return queryset
        mentions = Article.organizations.through.objects.filter(
            article_id=OuterRef("pk"), organization__in=value
        )
        attributed = self.visible_passages().filter(article=OuterRef("pk"), organization__in=value)
        return queryset.filter(Q(Exists(mentions)) | Q(Exists(attributed)))

    def filter_tag(self, queryset, name, value):
        if not value:
            return queryset
        tagged = self.visible_passages().filter(article=OuterRef("pk"), tags__in=value)
        return queryset.filter(Exists(tagged))


class PassageFilterSet(SearchLastFilterSet):
    q = django_filters.CharFilter(label="Search quotes and notes", method="filter_q")
    tag = SlugsFilter(
        label="Tag",
        queryset=Tag.objects.all(),
        method="filter_tag",
        help_text="Passages with any of these tags.",
    )
    outlet = SlugsFilter(
        label="Outlet",
        queryset=Outlet.objects.all(),
        field_name="article__outlet__slug",
        distinct=False,
    )
    organization = SlugsFilter(
        label="Organization",
        queryset=Organization.objects.all(),
        field_name="organization__slug",
        distinct=False,
    )
    published_after = django_filters.DateFilter(
        label="Article published on or after",
        field_name="article__published",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    published_before = django_filters.DateFilter(
        label="Article published on or before",
        field_name="article__published",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    annotator = django_filters.CharFilter(
        label="Annotator (username)", field_name="annotator__username"
    )
    article = django_filters.CharFilter(label="Article (slug)", field_name="article__slug")
    adjudicated = django_filters.ChoiceFilter(
        label="Consensus passages",
        choices=[("yes", "Adjudicated only"), ("no", "Not adjudicated")],
        empty_label="Any passage",
        method="filter_adjudicated",
    )

    class Meta:
        model = Annotation
        fields: list[str] = []

    # Set by the listing pages to bound the search (see `text_search`); the export keeps None.
    search_limit: int | None = None

    def filter_q(self, queryset, name, value):
        return search(queryset, value, limit=self.search_limit)

    def filter_adjudicated(self, queryset, name, value):
        """A coding round's consensus passages (`yes`), or the others (`no`)."""
        return queryset.filter(adjudicated=value == "yes") if value else queryset

    def filter_tag(self, queryset, name, value):
        if not value:
            return queryset
        # EXISTS rather than a join: a passage with two of the tags is still one row.
        tagged = TaggedAnnotation.objects.filter(content_object=OuterRef("pk"), tag__in=value)
        return queryset.filter(Exists(tagged))
