"""The filters of the public listings: `/articles/`, and `/passages/` with its CSV export.

Their query parameters are a contract (the API's passage listing filters with the same
`PassageFilterSet`). Every value is checked before it is cleaned (`CheckedForm`): text no
column can be compared with is a form error, never a database error.
"""

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, FloatField, OuterRef, Q, TextField, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django_filters.fields import ModelMultipleChoiceField

from annotations import tag_fields, tag_tree
from annotations.models import Annotation, Tag, TagField, TaggedAnnotation
from articles import org_tree
from articles.models import Article, Organization, Outlet
from cms.admin_lookups import LARGEST, unsafe_text
from publishing.search import SEARCH_HELP, search

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
    for its filters and facets, and reading them apart cost it a query more."""
    tags = (
        Tag.objects.order_by()
        .annotate(tree_kind=Value("t"))
        .values_list("tree_kind", "pk", "parent_id", "name", "slug", "position")
    )
    in_hierarchy = Q(parent__isnull=False) | Q(
        pk__in=Organization.objects.filter(parent__isnull=False).values("parent_id")
    )
    organizations = (
        Organization.objects.order_by()
        .filter(in_hierarchy)
        .annotate(tree_kind=Value("o"), place=Value(0))
        .values_list("tree_kind", "pk", "parent_id", "name", "slug", "place")
    )
    tag_nodes: dict[int, tag_tree.Node] = {}
    organization_nodes: dict[int, org_tree.Node] = {}
    for kind, pk, parent_id, name, slug, position in tags.union(organizations, all=True):
        if kind == "t":
            tag_nodes[pk] = tag_tree.Node(pk, parent_id, name, slug, position)
        else:
            organization_nodes[pk] = org_tree.Node(pk, parent_id, name, slug)
    return tag_nodes, organization_nodes


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
        if self.tags_match_all():
            # A passage with each ticked tag (not necessarily the same passage: an article
            # is one unit of analysis): one EXISTS per tag.
            for tag in value:
                tagged = self.visible_passages().filter(article=OuterRef("pk"), tags=tag)
                queryset = queryset.filter(Exists(tagged))
            return queryset
        tagged = self.visible_passages().filter(article=OuterRef("pk"), tags__in=value)
        return queryset.filter(Exists(tagged))


# `field.<tag>.<name>=<value>`, and for numbers `field.<tag>.<name>.gte=` / `.lte=`.
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
