"""The filters of the public listings: `/articles/`, and `/passages/` with its CSV export.

Their query parameters are a contract (the API's passage listing filters with the same
`PassageFilterSet`). Every value is checked before it is cleaned (`CheckedForm`): text no
column can be compared with is a form error, never a database error.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from annotations import tag_tree
from annotations.models import Annotation, Tag, TaggedAnnotation
from articles import org_tree
from articles.models import Article, Organization, Outlet
from publishing.filters.checked import (
    AliasedSlugsFilter,
    CheckedFilterSet,
    CheckedForm,
    IdField,
    IdFilter,
    SearchLastFilterSet,
    SlugsFilter,
    read_trees,
    tag_match_filter,
)
from publishing.filters.fields import field_filters, field_parameters
from publishing.search import SEARCH_HELP

__all__ = [
    "ArticleFilterSet",
    "CheckedFilterSet",
    "CheckedForm",
    "IdField",
    "IdFilter",
    "PassageFilterSet",
    "field_parameters",
    "read_trees",
]
from publishing.search import search


class ArticleFilterSet(SearchLastFilterSet):
    q = django_filters.CharFilter(
        label="Search title and text", method="filter_q", help_text=SEARCH_HELP
    )
    outlet = SlugsFilter(label="Outlet", queryset=Outlet.objects.all(), method="filter_outlet")
    organization = AliasedSlugsFilter(
        label="Organization",
        queryset=Organization.objects.all(),
        method="filter_organization",
        help_text="Mentioned, or a passage attributed to it.",
    )
    tag = SlugsFilter(
        label="Tag",
        queryset=Tag.objects.all(),
        method="filter_tag",
        help_text="Has a passage with any (or each) of these tags.",
    )
    tag_match = tag_match_filter(
        "Whether an article needs a passage with any ticked tag, or one with each of them."
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

    not_narrowing = frozenset({"ordering", "tag_match"})

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
        """Mentioned, or a passage attributed to it, the organization or one of its
        affiliates (any depth), as on `/passages/`."""
        if not value:
            return queryset
        ids = sorted(
            org_tree.with_affiliates([row.pk for row in value], self.organization_parents())
        )
        mentions = Article.organizations.through.objects.filter(
            article_id=OuterRef("pk"), organization_id__in=ids
        )
        attributed = self.visible_passages().filter(article=OuterRef("pk"), organization_id__in=ids)
        return queryset.filter(Q(Exists(mentions)) | Q(Exists(attributed)))

    def filter_tag(self, queryset, name, value):
        """A passage carrying a ticked tag or a tag under it (any depth), as on
        `/passages/`; with `tag_match=all`, such a passage for each ticked tag (not
        necessarily the same passage: an article is one unit of analysis)."""
        if not value:
            return queryset
        tree = self.tag_parents()
        groups = (
            [[tag] for tag in value] if self.tags_match_all() else [list(value)]
        )  # one EXISTS per ticked tag, or one for them all
        for group in groups:
            ids = sorted(tag_tree.with_descendants([tag.pk for tag in group], tree))
            tagged = self.visible_passages().filter(article=OuterRef("pk"), tags__in=ids)
            queryset = queryset.filter(Exists(tagged))
        return queryset


# `field.<tag>.<name>=<value>`, and for numbers `field.<tag>.<name>.gte=` / `.lte=`.


class PassageFilterSet(SearchLastFilterSet):
    q = django_filters.CharFilter(
        label="Search quotes and notes", method="filter_q", help_text=SEARCH_HELP
    )
    tag = SlugsFilter(
        label="Tag",
        queryset=Tag.objects.all(),
        method="filter_tag",
        help_text="Passages with any (or every) one of these tags or of their sub-tags.",
    )
    tag_match = tag_match_filter("Whether a passage needs any ticked tag or every one.")
    outlet = SlugsFilter(
        label="Outlet",
        queryset=Outlet.objects.all(),
        field_name="article__outlet__slug",
        distinct=False,
    )
    organization = AliasedSlugsFilter(
        label="Organization",
        queryset=Organization.objects.all(),
        method="filter_organization",
        help_text="Attributed to it or to one of its affiliates; its slug, name or an alias.",
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
    # Pages show these as choosers (`publishing.choosers`): a list of annotators by name,
    # and a box with the articles' titles to pick from; the values stay username and slug.
    annotator = django_filters.CharFilter(label="Annotator", field_name="annotator__username")
    article = django_filters.CharFilter(
        label="Article", method="filter_article", help_text="Its title or slug."
    )
    adjudicated = django_filters.ChoiceFilter(
        label="Consensus passages",
        choices=[("yes", "Adjudicated only"), ("no", "Not adjudicated")],
        empty_label="Any passage",
        method="filter_adjudicated",
    )

    not_narrowing = frozenset({"ordering", "tag_match"})

    class Meta:
        model = Annotation
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        # Field filters exist only when asked for: no query for the definitions otherwise.
        names = field_parameters(self.data) if self.is_bound else []
        if names:
            for name, field_filter in field_filters(names, self.request).items():
                field_filter.model = self._meta.model
                field_filter.parent = self
                self.filters[name] = field_filter

    # Set by the listing pages to bound the search (see `text_search`); the export keeps None.
    search_limit: int | None = None

    def filter_q(self, queryset, name, value):
        return search(queryset, value, limit=self.search_limit)

    def filter_adjudicated(self, queryset, name, value):
        """A coding round's consensus passages (`yes`), or the others (`no`)."""
        return queryset.filter(adjudicated=value == "yes") if value else queryset

    def filter_tag(self, queryset, name, value):
        """A ticked tag matches the passages carrying it or any tag under it (at any
        depth): `?tag=evidence` finds those tagged `statistic` when statistic sits under
        evidence. With `tag_match=all`, every ticked tag must be matched so, each by the
        tag itself or by one of its sub-tags: ticking evidence and quote finds the passages
        carrying quote (which counts for evidence too), and ticking evidence and legal
        argument those carrying legal argument and evidence or any tag under it."""
        if not value:
            return queryset
        tree = self.tag_parents()
        if self.tags_match_all():
            # Every ticked tag (or one under it) on the passage: one EXISTS per tag.
            for tag in value:
                tagged = TaggedAnnotation.objects.filter(
                    content_object=OuterRef("pk"),
                    tag_id__in=sorted(tag_tree.with_descendants([tag.pk], tree)),
                )
                queryset = queryset.filter(Exists(tagged))
            return queryset
        # EXISTS rather than a join: a passage with two of the tags is still one row.
        ids = sorted(tag_tree.with_descendants([tag.pk for tag in value], tree))
        tagged = TaggedAnnotation.objects.filter(content_object=OuterRef("pk"), tag_id__in=ids)
        return queryset.filter(Exists(tagged))

    def filter_organization(self, queryset, name, value):
        """Attributed to the organization or to one of its affiliates (any depth)."""
        if not value:
            return queryset
        ids = org_tree.with_affiliates([row.pk for row in value], self.organization_parents())
        return queryset.filter(organization_id__in=sorted(ids))

    def filter_article(self, queryset, name, value):
        """The article of that slug, or of that exact title (what the chooser offers)."""
        if not value:
            return queryset
        return queryset.filter(Q(article__slug=value) | Q(article__title=value))
