"""The filters of the public passage listing, shared by `/passages/` and its CSV export."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef

from annotations.models import Annotation, Tag, TaggedAnnotation
from articles.filters import SearchLastFilterSet, SlugsFilter
from articles.models import Organization, Outlet


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

    class Meta:
        model = Annotation
        fields: list[str] = []

    # Set by the listing pages to bound the search (see `text_search`); the export keeps None.
    search_limit: int | None = None

    def filter_q(self, queryset, name, value):
        return queryset.search(value, limit=self.search_limit)

    def filter_tag(self, queryset, name, value):
        if not value:
            return queryset
        # EXISTS rather than a join: a passage with two of the tags is still one row.
        tagged = TaggedAnnotation.objects.filter(content_object=OuterRef("pk"), tag__in=value)
        return queryset.filter(Exists(tagged))
