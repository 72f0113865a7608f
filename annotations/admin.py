import html
from urllib.parse import quote_plus

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_field, display_for_value, lookup_field
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import F, OuterRef, Subquery
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, gettext_lazy
from taggit.models import Tag as TaggitTag

from annotations import services
from annotations.models import Annotation, ApiToken, FacetCount, Tag, TaggedAnnotation
from annotations.paginators import EstimatedCountPaginator
from articles.admin import ServiceWritesAdmin
from cms.admin_lookups import CheckedChangeList, CheckedLookupsAdmin


def html_text(value) -> str:
    """`conditional_escape`'s bytes without its lazy-string wrapper (which cost more than
    the escaping, hundreds of times a page): safe HTML as it is, anything else escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


class TagChipsMedia:
    css = {"all": ["/tags.css"]}


@admin.register(Tag)
class TagAdmin(ServiceWritesAdmin):
    list_display = ["chip", "slug", "colour", "description"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    Media = TagChipsMedia

    @admin.display(description="Tag", ordering="name")
    def chip(self, obj):
        return format_html('<span class="tag-chip tag-{}">{}</span>', obj.pk, obj.name)

    @staticmethod
    def save_service(tag, **kwargs):
        return services.tag_save(tag=tag, **kwargs)

    @staticmethod
    def delete_service(tag, **kwargs):
        return services.tag_delete(tag=tag, **kwargs)


class StaticQuery:
    """A query whose SQL is the same on every request: compiled by the ORM once per process
    and database, then run as plain SQL.

    Building and compiling a queryset costs more than running a small one (about 1 ms
    against 0.15 ms for each list of filter options), and the filter sidebar asks for its
    lists on every changelist page. Rows come back as the database returns them, without
    field converters: for integer and text columns only.
    """

    def __init__(self, build):
        self.build = build
        self.compiled: dict[tuple, tuple[str, tuple]] = {}

    def rows(self, *args, params=None, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
        """Run the query `build(*args)` compiles to, with its own parameters or `params`
        in their place (as many, in the same order: e.g. the ids of an `__in` list)."""
        connection = connections[using]
        key = (using, connection.vendor, *args)
        if key not in self.compiled:
            self.compiled[key] = self.build(*args).query.get_compiler(using).as_sql()
        sql, compiled_params = self.compiled[key]
        if params is None:
            params = compiled_params
        elif len(params) != len(compiled_params):
            raise ValueError(f"{len(params)} parameters for a query taking {len(compiled_params)}")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


def busiest_options(model, facet: str, shown: int):
    """The `shown` options (outlets or organizations) holding the most passages, largest
    first, as (id, name) from the maintained staff counts."""
    counts = FacetCount.objects.filter(
        listing=FacetCount.Listing.PASSAGES,
        audience=FacetCount.Audience.STAFF,
        facet=facet,
        count__gt=0,
    )
    busiest = counts.order_by("-count", "value_id").values("value_id")[:shown]
    return (
        model.objects.filter(pk__in=busiest)
        .annotate(facet_count=Subquery(counts.filter(value_id=OuterRef("pk")).values("count")))
        .order_by("-facet_count", "pk")
        .values_list("pk", "name")
    )


class TagListFilter(admin.SimpleListFilter):
    title = "tag"
    parameter_name = "tag"
    tags = StaticQuery(lambda: Tag.objects.values_list("slug", "name"))

    def lookups(self, request, model_admin):
        return self.tags.rows()

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__slug=self.value())
        return queryset


class BusiestRelatedFilter(admin.RelatedFieldListFilter):
    """The options holding the most passages (largest first), plus the ones selected.

    Hundreds of outlets and organizations each made a filter link, and rendering them was
    most of the changelist's time; the maintained staff counts (annotations.facets) rank
    them without counting the passage table. Any option can still be reached by its id
    in the URL (`?organization__id__exact=…`) or by searching. Options display as their
    name (the `__str__` of outlets and organizations).
    """

    facet = ""
    shown = 25
    busiest = StaticQuery(busiest_options)

    def field_choices(self, field, request, model_admin):
        model = field.remote_field.model
        options = self.busiest.rows(model, self.facet, self.shown)
        listed = {pk for pk, _ in options}
        selected = [int(value) for value in self.lookup_val or [] if str(value).isdigit()]
        if missing := [pk for pk in selected if pk not in listed]:
            options += model.objects.filter(pk__in=missing).order_by("pk").values_list("pk", "name")
        return options


class BusiestOutletFilter(BusiestRelatedFilter):
    facet = FacetCount.Facet.OUTLET


class BusiestOrganizationFilter(BusiestRelatedFilter):
    facet = FacetCount.Facet.ORGANIZATION


class UserFilter(admin.RelatedFieldListFilter):
    """Users by their username (what `str(user)` shows), without loading whole users."""

    users = StaticQuery(
        lambda ordering: (
            get_user_model()
            ._default_manager.order_by(*ordering)
            .values_list("pk", get_user_model().USERNAME_FIELD)
        )
    )

    def field_choices(self, field, request, model_admin):
        return self.users.rows(tuple(self.field_admin_ordering(field, request, model_admin)))


class PassageChangeList(CheckedChangeList):
    """The passage changelist's page, fetched lean: the passages alone (50 model instances,
    not 250 with their article, outlet, organization and annotator) with those four names
    as annotated values, no bodies or context, and the tags of the 50 rows as plain
    (id, name) pairs in one query, where taggit's prefetch joined with DISTINCT and built
    a queryset per row."""

    page_fields = ["id", "exact", "article_id", "organization_id", "annotator_id"]
    page_fields += ["status", "anchor_status"]
    # The tags of the page's rows, in the order they were added; compiled once for each
    # number of rows (the ids are the only parameters).
    page_tags = StaticQuery(
        lambda rows: (
            TaggedAnnotation.objects.filter(content_object_id__in=range(1, rows + 1))
            .order_by("pk")
            .values_list("content_object_id", "tag_id", "tag__name")
        )
    )

    def get_results(self, request):
        super().get_results(request)
        # The page only: the paginator counted the plain queryset, without these joins.
        page = self.result_list.select_related(None).only(*self.page_fields)
        self.result_list = list(
            page.annotate(
                article_title=F("article__title"),
                outlet_name=F("article__outlet__name"),
                organization_name=F("organization__name"),
                annotator_name=F(f"annotator__{get_user_model().USERNAME_FIELD}"),
            )
        )
        chips: dict[int, list[tuple[int, str]]] = {passage.pk: [] for passage in self.result_list}
        tagged = self.page_tags.rows(len(chips), params=list(chips)) if chips else []
        for passage_id, tag_id, name in tagged:
            chips[passage_id].append((tag_id, name))
        for passage in self.result_list:
            passage.tag_chip_list = chips[passage.pk]

    def get_query_string(self, new_params=None, remove=None):
        """Django's query string, built with less machinery: the filter sidebar asks for
        ~200 of them a page. Same pairs, same order (sorted by name), same encoding; a
        plain str or int value is quoted as `urlencode` quotes it, anything else goes
        through `urlencode` itself."""
        encoded = {key: self._encoded(key, value) for key, value in self.filter_params.items()}
        for prefix in remove or ():
            for key in [key for key in encoded if key.startswith(prefix)]:
                del encoded[key]
        for key, value in (new_params or {}).items():
            if value is None:
                encoded.pop(key, None)
            else:
                encoded[key] = self._encoded(key, value)
        return "?" + "&".join(encoded[key] for key in sorted(encoded) if encoded[key])

    @staticmethod
    def _encoded(key: str, value) -> str:
        if type(value) is str or type(value) is int:
            return quote_plus(key) + "=" + quote_plus(str(value))
        return urlencode([(key, value)], doseq=True)

    @cached_property
    def result_table(self) -> dict | None:
        """The page's table as Django's `result_list` renders it, each row written at once.

        Django resolves every cell of every row (lookup_field, display_for_field, a
        reverse() and add_preserved_filters per link, format_html per cell): 450 cells
        were a third of the page's time. Here each column is resolved once per page and
        each row is one join. None (Django renders the table) for what this does not
        cover: popups, list_editable, and columns other than model fields and ModelAdmin
        methods. A test compares the bytes with Django's."""
        links = self.list_display_links
        if self.is_popup or self.formset is not None or (links is not None and not links):
            return None
        headers = list(result_headers(self))
        if not self.result_list:
            return {"headers": headers, "num_sorted_fields": 0, "rows": []}
        cells = [self._column_cell(name, self.result_list[0]) for name in self.list_display]
        if None in cells:
            return None
        # Every cell escapes its value (or keeps a SafeString, as format_html does).
        # SafeString() rather than mark_safe(), whose lazy-string wrapper costs more here.
        rows = [
            SafeString("<tr>" + "".join(cell(passage) for cell in cells) + "</tr>")
            for passage in self.result_list
        ]
        return {
            "headers": headers,
            "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
            "rows": rows,
        }

    def _column_cell(self, name, sample):
        """A function writing one column's cell of a row, as `items_for_result` would."""
        if not isinstance(name, str):
            return None
        model_admin = self.model_admin
        empty = model_admin.get_empty_value_display()
        field, attr, _ = lookup_field(name, sample, model_admin)
        classes = ["field-" + name]
        if field is None:
            if name == "action_checkbox":
                classes = ["action-checkbox"]
            if not (callable(attr) and getattr(model_admin, name, None) == attr):
                return None  # a model property or method: left to Django
            empty = getattr(attr, "empty_value_display", empty)
            boolean = getattr(attr, "boolean", False)

            def text(obj):
                value = attr(obj)
                if boolean:
                    return display_for_value(value, empty, boolean)
                # display_for_value's commonest cases, as it treats them.
                if type(value) is str:
                    return value.strip() or empty
                if type(value) is SafeString:
                    return value or empty
                return display_for_value(value, empty, boolean)

        elif field.auto_created:
            return None
        else:
            if isinstance(field, (models.DateField, models.TimeField, models.ForeignKey)):
                classes.append("nowrap")
            if isinstance(field.remote_field, models.ManyToOneRel):

                def text(obj):
                    value = getattr(obj, name)
                    return empty if value is None else value

            elif field.flatchoices:
                labels = dict(field.flatchoices)

                def text(obj):
                    return labels.get(getattr(obj, name), empty)

            else:

                def text(obj):
                    return display_for_field(getattr(obj, name), field, empty)

        cell_class = " ".join(classes)
        if name not in (self.list_display_links or ()):
            opening = f'<td class="{cell_class}">'
            return lambda obj: opening + html_text(text(obj)) + "</td>"
        # The change link: reverse() and the preserved filters once, the pk per row.
        url = self.url_for_result(_Pk(0))
        full = add_preserved_filters(
            {"preserved_filters": self.preserved_filters, "opts": self.opts}, url
        )
        at = url.rindex("/0/") + 1
        head, tail = html.escape(full[:at]), html.escape(full[at + 1 :])
        first_link = next(n for n in self.list_display if n in self.list_display_links)
        tag = "th" if name == first_link else "td"
        opening = f'<{tag} class="{cell_class}"><a href="{head}'
        closing = f"</a></{tag}>"

        def link(obj):
            return opening + str(obj.pk) + tail + '">' + html_text(text(obj)) + closing

        return link

    @cached_property
    def filter_list(self) -> SafeString | None:
        """The filter sidebar's sections, as `admin/filter.html` renders each, written at
        once (a template per filter and a loop per link were a fifth of the page). None
        (Django renders them) for a filter with its own template."""
        sections = []
        for spec in self.filter_specs:
            if spec.template != "admin/filter.html":
                return None
            items = "".join(
                ('<li class="selected">' if choice["selected"] else "<li>")
                + '<a href="'
                + html.escape(iri_to_uri(choice["query_string"]))
                + '">'
                + html_text(choice["display"])
                + "</a></li>"
                for choice in spec.choices(self)
            )
            summary = gettext(" By %(filter_title)s ") % {
                "filter_title": conditional_escape(spec.title)
            }
            sections.append(
                f'<details data-filter-title="{escape(spec.title)}" open>'
                f"<summary>{summary}</summary><ul>{items}</ul></details>"
            )
        return SafeString("".join(sections))  # every part is escaped above


class _Pk:
    """Stands in for a row in `url_for_result`, so the change URL is reversed once."""

    def __init__(self, pk):
        self.pk = self.id = pk


class RenderedOnce:
    """A widget mixin: the HTML of an unbound widget depends only on its name, attributes,
    choices and language, so it is rendered once per process for each of those (the
    changelist's action menu rendered a template per option on every page). Values from
    a bound form, which could be anything, render as usual and are never kept."""

    rendered: dict[str, str]
    kept = 64

    def render(self, name, value, attrs=None, renderer=None):
        if not (value is None or isinstance(value, int)):
            return super().render(name, value, attrs, renderer)
        choices = list(getattr(self, "choices", ()))
        key = repr((name, value, attrs, self.attrs, choices, get_language(), type(renderer)))
        if (html_ := self.rendered.get(key)) is None:
            html_ = super().render(name, value, attrs, renderer)
            if len(self.rendered) < self.kept:
                self.rendered[key] = html_
        return html_


class RenderedOnceSelect(RenderedOnce, forms.Select):
    rendered = {}


class RenderedOnceHiddenInput(RenderedOnce, forms.HiddenInput):
    rendered = {}


class PassageActionForm(helpers.ActionForm):
    """Django's action form, its two widgets rendered once per process (see RenderedOnce)."""

    action = forms.ChoiceField(label=gettext_lazy("Action:"), widget=RenderedOnceSelect)
    select_across = forms.BooleanField(
        label="",
        required=False,
        initial=0,
        widget=RenderedOnceHiddenInput({"class": "select-across"}),
    )


class AnnotationForm(forms.ModelForm):
    """Passages are created and re-coded here through the same services as the API."""

    tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Annotation
        fields = ["article", "start", "end", "exact", "tags", "organization", "note", "status"]
        help_texts = {
            "start": "Code-point offset into the article body where the passage starts.",
            "end": "Code-point offset just after the passage.",
            "exact": "The passage text; must read the same as the body there (up to whitespace).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "exact" in self.fields:  # read-only once the passage exists
            self.fields["exact"].strip = False
        if self.instance.pk:
            self.fields["tags"].initial = list(self.instance.tags.all())

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and not self.errors:
            # Validate the span with the service's own rules, so the admin shows its codes.
            try:
                data["exact"] = services.resolve_span(
                    body=data["article"].body,
                    start=data["start"],
                    end=data["end"],
                    exact=data["exact"],
                )
            except ValidationError as error:
                self.add_error(None, error)
        return data


@admin.register(Annotation)
class AnnotationAdmin(CheckedLookupsAdmin):
    form = AnnotationForm
    list_display = [
        "quote",
        "article_title",
        "outlet",
        "tag_chips",
        "organization_name",
        "annotator_name",
        "status",
        "anchor_status",
    ]
    list_filter = [
        TagListFilter,
        # Not "related only" (DISTINCT over the whole passage table on each page), and
        # not every one of hundreds either: the busiest, from the maintained counts.
        ("article__outlet", BusiestOutletFilter),
        ("organization", BusiestOrganizationFilter),
        ("annotator", UserFilter),
        "status",
        "anchor_status",
    ]
    search_fields = ["exact", "note"]
    autocomplete_fields = ["article", "organization"]
    show_full_result_count = False
    list_per_page = 50
    # Newest first by primary key: an index scan, where the model's ordering (by article
    # date, joined) sorts every passage; and no COUNT(*) per page (see the paginator).
    ordering = ["-id"]
    paginator = EstimatedCountPaginator
    # "Show counts" would count every filter option over the whole passage table.
    show_facets = admin.ShowFacets.NEVER
    actions = ["accept_fuzzy"]
    action_form = PassageActionForm
    Media = TagChipsMedia

    def get_changelist(self, request, **kwargs):
        return PassageChangeList

    def get_readonly_fields(self, request, obj=None):
        base = [
            "annotator",
            "prefix",
            "suffix",
            "anchor_status",
            "anchored_revision",
            "created",
            "modified",
        ]
        if obj is not None:
            # The span is fixed once made; re-attaching is done from the orphan queue.
            return ["article", "start", "end", "exact", "previous_exact", *base]
        return base

    def get_fields(self, request, obj=None):
        fields = ["article", "start", "end", "exact", "tags", "organization", "note", "status"]
        if obj is not None:
            fields += [
                "annotator",
                "prefix",
                "suffix",
                "anchor_status",
                "anchored_revision",
                "previous_exact",
                "created",
                "modified",
            ]
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return services.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return super().has_delete_permission(request)
        return services.can_delete(request.user, obj)

    def action_checkbox(self, obj):
        """The row's checkbox, the same bytes as Django's, without rendering a widget
        template per row (50 of those were a third of the changelist's time)."""
        label = gettext("Select this object for an action - {}").format(html.escape(str(obj)))
        return SafeString(  # the label's object and the values are escaped
            f'<input type="checkbox" name="{html.escape(helpers.ACTION_CHECKBOX_NAME)}"'
            f' value="{html.escape(str(obj.pk))}" class="action-select" aria-label="{label}">'
        )

    @admin.display(description="Quote", ordering="exact")
    def quote(self, obj):
        return str(obj)

    # The related names are values annotated on the page (PassageChangeList), so a row
    # needs no article, outlet, organization or user instance. Sorting by these columns
    # is what it was for the foreign keys: by the related model's own ordering.
    @admin.display(description="article", ordering="article")
    def article_title(self, obj):
        return obj.article_title

    @admin.display(description="Outlet", ordering="article__outlet__name")
    def outlet(self, obj):
        return obj.outlet_name

    @admin.display(description="Tags")
    def tag_chips(self, obj):
        chips = getattr(obj, "tag_chip_list", None)
        if chips is None:
            chips = [(tag.pk, tag.name) for tag in obj.tags.all()]
        return SafeString(  # ids and names are escaped
            " ".join(
                f'<span class="tag-chip tag-{html.escape(str(pk))}">{html.escape(name)}</span>'
                for pk, name in chips
            )
        )

    @admin.display(description="organization", ordering="organization")
    def organization_name(self, obj):
        return obj.organization_name

    @admin.display(description="annotator", ordering="annotator")
    def annotator_name(self, obj):
        return obj.annotator_name

    @admin.action(description="Accept fuzzy matches")
    def accept_fuzzy(self, request, queryset):
        """Confirm each selected fuzzy passage through the service; others are skipped."""
        accepted, refused = 0, []
        selected = queryset.count()
        fuzzy = queryset.filter(anchor_status=Annotation.AnchorStatus.FUZZY).select_related(None)
        for annotation in list(fuzzy):
            try:
                services.annotation_accept_fuzzy(
                    annotation=annotation, user=request.user, via="admin"
                )
            except (ValidationError, PermissionDenied) as error:
                reason = " ".join(getattr(error, "messages", [str(error) or "Not allowed."]))
                refused.append(f"{annotation}: {reason}")
            else:
                accepted += 1
        skipped = selected - accepted - len(refused)
        self.message_user(
            request,
            f"Accepted {accepted} fuzzy match(es); {skipped} selected passage(s) were not fuzzy.",
            messages.SUCCESS if accepted else messages.WARNING,
        )
        for message in refused:
            self.message_user(request, f"Not accepted: {message}", messages.ERROR)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.annotation_update(
                annotation=obj,
                user=request.user,
                tags=list(data["tags"]),
                organization=data["organization"],
                note=data["note"],
                status=data["status"],
                via="admin",
            )
        else:
            created = services.annotation_create(
                article=data["article"],
                start=data["start"],
                end=data["end"],
                exact=data["exact"],
                tags=list(data["tags"]),
                organization=data["organization"],
                note=data["note"],
                status=data["status"],
                annotator=request.user,
                via="admin",
            )
            obj.pk = created.pk
            obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        # Tags were set by the service in save_model.
        pass

    def delete_model(self, request, obj):
        services.annotation_delete(annotation=obj, user=request.user, via="admin")

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for annotation in queryset:
                services.annotation_delete(annotation=annotation, user=request.user, via="admin")

    def history_view(self, request, object_id, extra_context=None):
        """The passage's own history (every write, with restore), not the admin's log."""
        return redirect(
            reverse("admin:audit_historyrecord_changelist")
            + f"?content_type__id__exact={ContentType.objects.get_for_model(Annotation).pk}"
            + f"&object_id={int(object_id)}"
        )


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name"]


@admin.register(ApiToken)
class ApiTokenAdmin(CheckedLookupsAdmin):
    """Personal API tokens. The key is shown once, on creation; only its hash is kept."""

    form = ApiTokenForm
    list_display = ["name", "user", "key_prefix", "created", "last_used", "revoked"]
    list_select_related = ["user"]
    actions = ["revoke"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(user=request.user)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        key = services.api_token_create(user=request.user, name=obj.name, token=obj)
        messages.warning(
            request,
            format_html(
                "Your new API token (copy it now; it will not be shown again): <code>{}</code>",
                key,
            ),
        )

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset):
        services.api_tokens_revoke(tokens=queryset, at=timezone.now())


# Gloss uses its own Tag model; taggit's default one would only confuse editors.
if admin.site.is_registered(TaggitTag):
    admin.site.unregister(TaggitTag)
