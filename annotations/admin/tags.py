"""Tags in the admin: saved and deleted through the tag actions (history, counts)."""

from django.contrib import admin
from django.utils.html import format_html

from annotations import services
from annotations.models import Tag
from articles.admin import ServiceWritesAdmin


class TagChipsMedia:
    css = {"all": ["/tags.css"]}


def tag_chip(pk: int, name: str):
    return format_html('<span class="tag-chip tag-{}">{}</span>', pk, name)


@admin.register(Tag)
class TagAdmin(ServiceWritesAdmin):
    list_display = ["chip", "slug", "colour", "description"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    Media = TagChipsMedia

    @admin.display(description="Tag", ordering="name")
    def chip(self, obj):
        return tag_chip(obj.pk, obj.name)

    @staticmethod
    def save_service(tag, **kwargs):
        return services.tag_save(tag=tag, **kwargs)

    @staticmethod
    def delete_service(tag, **kwargs):
        return services.tag_delete(tag=tag, **kwargs)
