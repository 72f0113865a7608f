"""Tags in the admin: saved and deleted through the tag actions (history, counts)."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html

from annotations import tag_tree
from annotations.actions.tags import tag_delete, tag_save, tags_delete
from annotations.models import Tag
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


@admin.register(Tag)
class TagAdmin(RecordedWritesAdmin):
    form = TagForm
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

    @staticmethod
    def save_action(tag, **kwargs):
        return tag_save(tag=tag, **kwargs)

    @staticmethod
    def delete_action(tag, **kwargs):
        return tag_delete(tag=tag, **kwargs)

    @staticmethod
    def delete_many_action(tags, **kwargs):
        return tags_delete(tags=tags, **kwargs)
