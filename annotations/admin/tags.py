"""Tags in the admin: saved and deleted through the tag actions (history, counts)."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html

from annotations import tag_tree
from annotations.actions.fields import check_stored_values, tag_fields_save
from annotations.actions.tags import tag_delete, tag_save, tags_delete
from annotations.models import Tag, TagField
from cms.admin_actions import RecordedWritesAdmin


class TagChipsMedia:
    css = {"all": ["/tags.css"]}


def tag_chip(pk: int, name: str):
    return format_html('<span class="tag-chip tag-{}">{}</span>', pk, name)


class TagForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name", "slug", "colour", "description", "parent"]

    def clean(self):
        cleaned = super().clean()
        # The action checks these too; here they become form errors instead of failures.
        tag_tree.check_parent(self.instance, cleaned.get("parent"))
        colour = cleaned.get("colour")
        if colour and (self.instance.pk is None or colour != self.initial.get("colour")):
            tag_tree.check_colour(colour)
        return cleaned


class TagFieldForm(forms.ModelForm):
    class Meta:
        model = TagField
        fields = ["name", "label", "kind", "required", "minimum", "maximum", "position"]

    def clean(self):
        cleaned = super().clean()
        # The action refuses this too; here it becomes a form error instead of a failure.
        if self.instance.pk is not None and not self.errors:
            try:
                check_stored_values(self.instance)
            except forms.ValidationError as error:
                self.add_error(None, error.error_dict["kind"])
        return cleaned


class TagFieldInline(admin.TabularInline):
    """A tag's typed fields (statistic → value, unit, year), saved by `tag_fields_save`.

    Editors are whoever may change tags: the fields are part of the tag's definition."""

    model = TagField
    form = TagFieldForm
    extra = 0

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("annotations.view_tag")

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("annotations.change_tag")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("annotations.change_tag")

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("annotations.change_tag")


@admin.register(Tag)
class TagAdmin(RecordedWritesAdmin):
    form = TagForm
    inlines = [TagFieldInline]
    list_display = ["chip", "slug", "parent", "colour", "description"]
    list_select_related = ["parent"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "description"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    Media = TagChipsMedia

    @admin.display(description="Tag", ordering="name")
    def chip(self, obj):
        return tag_chip(obj.pk, obj.name)

    def save_formset(self, request, form, formset, change):
        if formset.model is not TagField:
            return super().save_formset(request, form, formset, change)
        saved = formset.save(commit=False)
        tag_fields_save(
            tag=form.instance,
            saved=saved,
            deleted=formset.deleted_objects,
            actor=request.user,
            via="admin",
        )
        return None

    @staticmethod
    def save_action(tag, **kwargs):
        return tag_save(tag=tag, **kwargs)

    @staticmethod
    def delete_action(tag, **kwargs):
        return tag_delete(tag=tag, **kwargs)

    @staticmethod
    def delete_many_action(tags, **kwargs):
        return tags_delete(tags=tags, **kwargs)
