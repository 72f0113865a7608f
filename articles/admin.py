from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from annotations.actions.revisions import RevisionConflict, article_change
from annotations.models import Annotation
from articles import org_tree
from articles.actions.articles import article_create, article_delete, articles_delete
from articles.actions.organizations import (
    organization_delete,
    organization_save,
    organizations_delete,
)
from articles.actions.outlets import outlet_delete, outlet_save, outlets_delete
from articles.models import Article, ArticleRevision, Organization, Outlet
from cms.admin_actions import ActionsAdmin, RecordedWritesAdmin
from cms.admin_lookups import CheckedLookupsAdmin


@admin.register(Outlet)
class OutletAdmin(RecordedWritesAdmin):
    list_display = ["name", "domain", "slug"]
    search_fields = ["name", "domain"]
    prepopulated_fields = {"slug": ["name"]}

    @staticmethod
    def save_action(outlet, **kwargs):
        return outlet_save(outlet=outlet, **kwargs)

    @staticmethod
    def delete_action(outlet, **kwargs):
        return outlet_delete(outlet=outlet, **kwargs)

    @staticmethod
    def delete_many_action(outlets, **kwargs):
        return outlets_delete(outlets=outlets, **kwargs)


class AliasesField(forms.CharField):
    """Edits the JSON list of aliases as one alias per line."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


class OrganizationForm(forms.ModelForm):
    aliases = AliasesField(
        required=False,
        help_text="One per line: acronyms and other names it goes by (matched as whole words).",
    )

    class Meta:
        model = Organization
        fields = ["name", "slug", "kind", "parent", "aliases", "homepage", "description"]

    def clean(self):
        cleaned = super().clean()
        # The action refuses a cycle too; here it becomes a form error instead of a failure.
        org_tree.check_parent(self.instance, cleaned.get("parent"))
        return cleaned


@admin.register(Organization)
class OrganizationAdmin(RecordedWritesAdmin):
    form = OrganizationForm
    list_display = ["name", "kind", "alias_list"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}

    @admin.display(description="Aliases")
    def alias_list(self, obj):
        return ", ".join(obj.aliases)

    @staticmethod
    def save_action(organization, **kwargs):
        return organization_save(organization=organization, **kwargs)

    @staticmethod
    def delete_action(organization, **kwargs):
        return organization_delete(organization=organization, **kwargs)

    @staticmethod
    def delete_many_action(organizations, **kwargs):
        return organizations_delete(organizations=organizations, **kwargs)


class AnnotationInline(admin.TabularInline):
    """Passages of the article, read-only here: they are coded in the workspace."""

    model = Annotation
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["quote", "tag_names", "organization", "annotator", "status", "anchor_status"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)  # a blind round's coder: not the others' passages
            .select_related("organization", "annotator")
            .prefetch_related("tags")
        )

    @admin.display(description="Quote")
    def quote(self, obj):
        return str(obj)

    @admin.display(description="Tags")
    def tag_names(self, obj):
        return ", ".join(tag.name for tag in obj.tags.all())


# Reasons the importers record; an editor's save in the admin is never one of them.
REASONS_OF_IMPORTS = {ArticleRevision.Reason.IMPORT, ArticleRevision.Reason.REIMPORT}


class ArticleForm(forms.ModelForm):
    base_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # No default: a changed body needs the editor to say why (a silent "Correction by the
    # outlet" mislabelled cleanups). Required only when the body changed (see `clean`).
    revision_reason = forms.ChoiceField(
        choices=[("", "Choose why the text changed…")]
        + [
            (value, label)
            for value, label in ArticleRevision.Reason.choices
            if value not in REASONS_OF_IMPORTS
        ],
        required=False,
        help_text="Why the body changed (kept with the revision); needed when the text changes.",
    )
    revision_comment = forms.CharField(
        max_length=ArticleRevision._meta.get_field("comment").max_length,
        required=False,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text="Optional note kept with the revision (e.g. the outlet's correction notice).",
    )

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "outlet",
            "url",
            "published",
            "author",
            "status",
            "organizations",
            "body",
        ]
        # A 4.5 KB article is about sixty lines: show most of it without scrolling the box.
        widgets = {"body": forms.Textarea(attrs={"rows": 36, "class": "vLargeTextField"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A view-only page (an annotator's) builds the form without the fields it shows.
        if self.instance.pk and "base_revision" in self.fields:
            self.fields["base_revision"].initial = self.instance.revision
        if "body" in self.fields:
            # Keep the text exactly as stored: Django strips CharField/TextField input.
            self.fields["body"].strip = False

    def clean_body(self):
        # Browsers submit textareas with CRLF line breaks; bodies are stored with LF (as
        # imported), so an unchanged text must compare equal and make no revision.
        return self.cleaned_data["body"].replace("\r\n", "\n").replace("\r", "\n")

    def body_changed(self) -> bool:
        return self.instance.pk is not None and self.cleaned_data.get("body") != self.instance.body

    def clean(self):
        data = super().clean()
        if self.body_changed() and data.get("base_revision") not in (None, self.instance.revision):
            raise ValidationError(
                "Someone else changed this article's text since you opened it (now revision "
                "%(now)s). Reload the page and apply your change again.",
                code="revision_conflict",
                params={"now": self.instance.revision},
            )
        if (
            self.body_changed()
            and "revision_reason" in self.fields
            and not data.get("revision_reason")
        ):
            self.add_error(
                "revision_reason",
                ValidationError(
                    "Say why the text changed: choose a revision reason.",
                    code="reason_required",
                ),
            )
        return data


@admin.register(Article)
class ArticleAdmin(ActionsAdmin):
    form = ArticleForm
    list_display = ["title", "outlet", "published", "status", "revision"]
    list_select_related = ["outlet"]
    list_filter = ["status", "outlet", "published", "organizations"]
    search_fields = ["title", "body"]
    date_hierarchy = "published"
    autocomplete_fields = ["outlet", "organizations"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["revision", "created", "modified"]
    inlines = [AnnotationInline]
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["title", "slug", "outlet", "url", "published", "author", "status"]}),
        ("Mentions", {"fields": ["organizations"]}),
        (
            "Text",
            {
                "fields": [
                    "body",
                    "revision_reason",
                    "revision_comment",
                    "base_revision",
                    "revision",
                ]
            },
        ),
        ("History", {"fields": ["created", "modified"], "classes": ["collapse"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is not None:
            return self.fieldsets
        # A new article's text is its first revision ("Imported"): no reason to give.
        skip = {"revision_reason", "revision_comment", "base_revision", "revision"}
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in skip]})
            for name, options in self.fieldsets
        ]

    def save_model(self, request, obj, form, change):
        """One action per save: a new article, or the whole form's change (metadata, body
        as a new revision, mentions) with one history record."""
        data = form.cleaned_data
        if not change:
            article = article_create(
                title=data["title"],
                body=data["body"],
                outlet=data["outlet"],
                url=data["url"],
                published=data["published"],
                author=data["author"],
                status=data["status"],
                organizations=data["organizations"],
                editor=request.user,
                via="admin",
            )
            obj.pk, obj.slug = article.pk, article.slug
            obj._state.adding = False
            return
        try:
            article_change(
                article=Article.objects.get(pk=obj.pk),
                title=data["title"],
                slug=data["slug"],
                outlet=data["outlet"],
                url=data["url"],
                published=data["published"],
                author=data["author"],
                status=data["status"],
                body=data["body"],
                # `clean` made the reason required whenever the body changed.
                reason=data.get("revision_reason") or ArticleRevision.Reason.OTHER,
                comment=data.get("revision_comment", ""),
                base_revision=data.get("base_revision"),
                organizations=data["organizations"],
                actor=request.user,
                via="admin",
            )
        except RevisionConflict as conflict:
            messages.error(request, conflict.messages[0])
            raise PermissionDenied(conflict.messages[0]) from None

    def save_related(self, request, form, formsets, change):
        # The mentions were saved by the action in save_model. The inline of passages is
        # read-only: nothing to save, but the admin's change message reads these lists.
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request, obj):
        article_delete(article=obj, actor=request.user, via="admin")

    def delete_queryset(self, request, queryset):
        articles_delete(articles=list(queryset), actor=request.user, via="admin")


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(CheckedLookupsAdmin):
    """Revisions are immutable: view only."""

    list_display = ["article", "number", "reason", "editor", "created"]
    list_select_related = ["article", "editor"]
    list_filter = ["reason"]
    search_fields = ["article__title", "comment"]
    readonly_fields = ["article", "number", "body", "editor", "reason", "comment", "created"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
