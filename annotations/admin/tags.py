"""Tags in the admin: saved and deleted through the tag actions (history, counts)."""

from django.contrib import admin
from django.utils.html import format_html

from annotations.actions.tags import tag_delete, tag_save, tags_delete
from annotations.models import Tag
from cms.admin_actions import RecordedWritesAdmin


class TagChipsMedia:
    css = {"all": ["/tags.css"]}


def tag_chip(pk: int, name: str):
    return format_html('<span class="tag-chip tag-{}">{}</span>', pk, name)


@admin.register(Tag)
class TagAdmin(RecordedWritesAdmin):
    list_display = ["chip", "slug", "colour", "description"]
    search_fields = ["name", "description"]
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
