"""Passages in the admin: created and re-coded through the same actions as the API.

Annotators add passages and change or delete only their own; editors may do everything
(annotations.permissions.can_edit / can_delete). The changelist is Django's own, tuned so
its queries do not grow with the page or the archive: the related names are annotated
values (no article bodies or user rows per row), the tags of a page come in one query,
filters are bounded (annotations.admin.filters), pages are counted up to a cap
(annotations.paginators) and "Show counts" is off.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Prefetch
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html_join

from annotations.actions.fields import resolve_field_values
from annotations.actions.passages import (
    annotation_accept_fuzzy,
    annotation_create,
    annotation_delete,
    annotation_update,
    annotations_delete,
)
from annotations.actions.resolve import resolve_span
from annotations.admin.filters import BusiestOrganizationFilter, BusiestOutletFilter, TagListFilter
from annotations.admin.tags import TagChipsMedia
from annotations.models import Annotation, Tag, TaggedAnnotation
from annotations.paginators import EstimatedCountPaginator
from annotations.permissions import can_delete, can_edit
from cms.admin_actions import ActionsAdmin
from cms.admin_lookups import CheckedChangeList

FIELDS = ["article", "start", "end", "exact", "tags", "organization", "note", "fields", "status"]


def replacing(current: dict, wanted: dict) -> dict:
    """`wanted` as the merge patch the passage actions take: every current key it leaves
    out is removed (the admin edits the whole object)."""
    return {**dict.fromkeys(current or {}), **(wanted or {})}


RECORDED = ["annotator", "prefix", "suffix", "anchor_status", "anchored_revision"]


class AnnotationForm(forms.ModelForm):
    tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Annotation
        fields = FIELDS
        help_texts = {
            "fields": 'Values of its tags\' fields, e.g. {"statistic.value": 60000}.',
            "start": "Code-point offset into the article body where the passage starts.",
            "end": "Code-point offset just after the passage.",
            "exact": "The passage text; must read the same as the body there (up to whitespace).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "exact" in self.fields:  # read-only once the passage exists
            self.fields["exact"].strip = False
        if self.instance.pk and "tags" in self.fields:
            self.fields["tags"].initial = list(self.instance.tags.all())

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and not self.errors:
            # Validate the span with the service's own rules, so the admin shows its codes.
            try:
                data["exact"] = resolve_span(
                    body=data["article"].body,
                    start=data["start"],
                    end=data["end"],
                    exact=data["exact"],
                )
            except ValidationError as error:
                self.add_error(None, error)
        if not self.errors and "fields" in self.fields:
            # The actions' own check, so a bad value is a form error, not a failed save.
            try:
                resolve_field_values(
                    tags=list(data.get("tags") or ()),
                    given=replacing(self.instance.fields, data.get("fields")),
                    current=self.instance.fields,
                )
            except ValidationError as error:
                self.add_error("fields", list(error.messages))
        return data


class PassageChangeList(CheckedChangeList):
    """Django's changelist, with each row's related names as annotated values and the
    page's tags in one query. They are added to the page's rows only, so counting pages
    (annotations.paginators) joins no other table."""

    def get_results(self, request):
        super().get_results(request)
        self.result_list = self.result_list.annotate(
            article_title=F("article__title"),
            outlet_name=F("article__outlet__name"),
            organization_name=F("organization__name"),
            annotator_name=F(f"annotator__{get_user_model().USERNAME_FIELD}"),
        ).prefetch_related(
            Prefetch(
                "tagged_items",
                queryset=TaggedAnnotation.objects.select_related("tag").order_by("pk"),
                to_attr="tags_in_order",
            )
        )


@admin.register(Annotation)
class AnnotationAdmin(ActionsAdmin):
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
        BusiestOutletFilter,
        BusiestOrganizationFilter,
        "annotator",
        "status",
        "anchor_status",
    ]
    search_fields = ["exact", "note"]
    autocomplete_fields = ["article", "organization"]
    list_per_page = 50
    # Newest first by primary key: an index scan, where the model's ordering (by article,
    # joined) sorts every passage.
    ordering = ["-id"]

    def get_queryset(self, request):
        # The one visibility rule: a blind round's coder does not find the others' passages
        # on its articles here either.
        return super().get_queryset(request).visible_to(request.user)

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = ["accept_fuzzy"]
    Media = TagChipsMedia

    def get_changelist(self, request, **kwargs):
        return PassageChangeList

    def lookup_allowed(self, lookup, value, request=None):
        # Django allows a filter's own parameter only when it spans one relation at most.
        if lookup == BusiestOutletFilter.parameter_name:
            return True
        return super().lookup_allowed(lookup, value, request)

    def get_fields(self, request, obj=None):
        if obj is None:
            return FIELDS
        return [*FIELDS, *RECORDED, "previous_exact", "created", "modified"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return [*RECORDED, "created", "modified"]
        # The span is fixed once made; re-attaching is done from the orphan queue.
        return [
            "article",
            "start",
            "end",
            "exact",
            "previous_exact",
            *RECORDED,
            "created",
            "modified",
        ]

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return super().has_delete_permission(request)
        return can_delete(request.user, obj)

    @admin.display(description="Quote", ordering="exact")
    def quote(self, obj):
        return str(obj)

    # Sorting by these columns is what it was for the foreign keys: by the related
    # model's own ordering.
    @admin.display(description="article", ordering="article")
    def article_title(self, obj):
        return obj.article_title

    @admin.display(description="Outlet", ordering="article__outlet__name")
    def outlet(self, obj):
        return obj.outlet_name

    @admin.display(description="Tags")
    def tag_chips(self, obj):
        return format_html_join(
            " ",
            '<span class="tag-chip tag-{}">{}</span>',
            ((item.tag_id, item.tag.name) for item in obj.tags_in_order),
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
        fuzzy = queryset.filter(anchor_status=Annotation.AnchorStatus.FUZZY)
        for annotation in list(fuzzy):
            try:
                annotation_accept_fuzzy(annotation=annotation, user=request.user, via="admin")
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
        coding = {
            "tags": list(data["tags"]),
            "organization": data["organization"],
            "note": data["note"],
            "status": data["status"],
            "via": "admin",
        }
        if "fields" in data:
            coding["fields"] = replacing(
                form.initial.get("fields") if change else {}, data["fields"]
            )
        if change:
            annotation_update(annotation=obj, user=request.user, **coding)
            return
        created = annotation_create(
            article=data["article"],
            start=data["start"],
            end=data["end"],
            exact=data["exact"],
            annotator=request.user,
            **coding,
        )
        obj.pk = created.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        # Tags were set by the service in save_model.
        pass

    def delete_model(self, request, obj):
        annotation_delete(annotation=obj, user=request.user, via="admin")

    def delete_queryset(self, request, queryset):
        annotations_delete(annotations=list(queryset), user=request.user, via="admin")

    def history_view(self, request, object_id, extra_context=None):
        """The passage's own history (every write, with restore), not the admin's log."""
        return redirect(
            reverse("admin:audit_historyrecord_changelist")
            + f"?content_type__id__exact={ContentType.objects.get_for_model(Annotation).pk}"
            + f"&object_id={int(object_id)}"
        )
