from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from annotations.models import Annotation
from articles import services
from articles.models import Article, ArticleRevision, Organization, Outlet
from cms.admin_lookups import CheckedLookupsAdmin


class ServiceWritesAdmin(CheckedLookupsAdmin):
    """An admin whose saves and deletes go through the model's services (history, counts).

    Subclasses name them: `save_service(obj, actor=..., via=...)` and likewise
    `delete_service`; a bulk delete runs them one by one in one transaction.
    """

    save_service = None
    delete_service = None

    def save_model(self, request, obj, form, change):
        self.save_service(obj, actor=request.user, via="admin")

    def delete_model(self, request, obj):
        self.delete_service(obj, actor=request.user, via="admin")

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


@admin.register(Outlet)
class OutletAdmin(ServiceWritesAdmin):
    list_display = ["name", "domain", "slug"]
    search_fields = ["name", "domain"]
    prepopulated_fields = {"slug": ["name"]}

    @staticmethod
    def save_service(outlet, **kwargs):
        return services.outlet_save(outlet=outlet, **kwargs)

    @staticmethod
    def delete_service(outlet, **kwargs):
        return services.outlet_delete(outlet=outlet, **kwargs)


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
        fields = ["name", "slug", "kind", "aliases", "homepage", "description"]


@admin.register(Organization)
class OrganizationAdmin(ServiceWritesAdmin):
    form = OrganizationForm
    list_display = ["name", "kind", "alias_list"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases"]
    prepopulated_fields = {"slug": ["name"]}

    @admin.display(description="Aliases")
    def alias_list(self, obj):
        return ", ".join(obj.aliases)

    @staticmethod
    def save_service(organization, **kwargs):
        return services.organization_save(organization=organization, **kwargs)

    @staticmethod
    def delete_service(organization, **kwargs):
        return services.organization_delete(organization=organization, **kwargs)


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
            .select_related("organization", "annotator")
            .prefetch_related("tags")
        )

    @admin.display(description="Quote")
    def quote(self, obj):
        return str(obj)

    @admin.display(description="Tags")
    def tag_names(self, obj):
        return ", ".join(tag.name for tag in obj.tags.all())


class ArticleForm(forms.ModelForm):
    base_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    revision_reason = forms.ChoiceField(
        choices=ArticleRevision.Reason.choices,
        initial=ArticleRevision.Reason.CORRECTION,
        required=False,
        help_text="Why the body changed (kept with the revision).",
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
        return data


@admin.register(Article)
class ArticleAdmin(CheckedLookupsAdmin):
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
        ("Text", {"fields": ["body", "revision_reason", "base_revision", "revision"]}),
        ("History", {"fields": ["created", "modified"], "classes": ["collapse"]}),
    ]

    def save_model(self, request, obj, form, change):
        """Route every write through the services: body changes become revisions."""
        data = form.cleaned_data
        if not change:
            article = services.article_create(
                title=data["title"],
                body=data["body"],
                outlet=data["outlet"],
                url=data["url"],
                published=data["published"],
                author=data["author"],
                status=data["status"],
                editor=request.user,
                via="admin",
            )
            obj.pk, obj.slug = article.pk, article.slug
            obj._state.adding = False
            return
        original = Article.objects.get(pk=obj.pk)
        with transaction.atomic():
            services.article_update(
                article=original,
                title=data["title"],
                slug=data["slug"],
                outlet=data["outlet"],
                url=data["url"],
                published=data["published"],
                author=data["author"],
                status=data["status"],
                actor=request.user,
                via="admin",
            )
            if data["body"] != original.body:
                try:
                    services.article_revise(
                        article=original,
                        body=data["body"],
                        editor=request.user,
                        reason=data.get("revision_reason") or ArticleRevision.Reason.OTHER,
                        base_revision=data.get("base_revision"),
                        via="admin",
                    )
                except services.RevisionConflict as conflict:
                    messages.error(request, conflict.messages[0])
                    raise PermissionDenied(conflict.messages[0]) from None

    def save_related(self, request, form, formsets, change):
        # Mentions are set from the form; detection then adds any it finds in the text.
        # The inline of passages is read-only: nothing to save, but the admin's change
        # message reads these lists.
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        services.article_set_organizations(
            article=form.instance,
            organizations=form.cleaned_data["organizations"],
            actor=request.user,
            via="admin",
        )

    def delete_model(self, request, obj):
        services.article_delete(article=obj, actor=request.user, via="admin")

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for article in queryset:
                services.article_delete(article=article, actor=request.user, via="admin")


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
