from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from taggit.models import Tag as TaggitTag

from annotations import services
from annotations.models import Annotation, ApiToken, Tag
from annotations.paginators import EstimatedCountPaginator


class TagChipsMedia:
    css = {"all": ["/tags.css"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["chip", "slug", "colour", "description"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    Media = TagChipsMedia

    @admin.display(description="Tag", ordering="name")
    def chip(self, obj):
        return format_html('<span class="tag-chip tag-{}">{}</span>', obj.pk, obj.name)

    def save_model(self, request, obj, form, change):
        services.tag_save(tag=obj, actor=request.user, via="admin")

    def delete_model(self, request, obj):
        services.tag_delete(tag=obj, actor=request.user, via="admin")

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for tag in queryset:
                services.tag_delete(tag=tag, actor=request.user, via="admin")


class TagListFilter(admin.SimpleListFilter):
    title = "tag"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        return list(Tag.objects.values_list("slug", "name"))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__slug=self.value())
        return queryset


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
class AnnotationAdmin(admin.ModelAdmin):
    form = AnnotationForm
    list_display = [
        "quote",
        "article",
        "outlet",
        "tag_chips",
        "organization",
        "annotator",
        "status",
        "anchor_status",
    ]
    list_select_related = ["article__outlet", "organization", "annotator"]
    list_filter = [
        TagListFilter,
        # Every outlet, organization and user, not only those with passages: "related
        # only" asks for the DISTINCT values over the whole passage table on each page.
        "article__outlet",
        "organization",
        "annotator",
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
    actions = ["accept_fuzzy"]
    Media = TagChipsMedia

    def get_queryset(self, request):
        # taggit's manager refuses custom Prefetch querysets; a plain prefetch is one query.
        return super().get_queryset(request).prefetch_related("tags")

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

    @admin.display(description="Quote", ordering="exact")
    def quote(self, obj):
        return str(obj)

    @admin.display(description="Outlet", ordering="article__outlet__name")
    def outlet(self, obj):
        return obj.article.outlet.name

    @admin.display(description="Tags")
    def tag_chips(self, obj):
        return format_html_join(
            " ",
            '<span class="tag-chip tag-{}">{}</span>',
            ((tag.pk, tag.name) for tag in obj.tags.all()),
        )

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
class ApiTokenAdmin(admin.ModelAdmin):
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
