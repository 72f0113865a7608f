"""The admin of tags, passages and API tokens: Django's own admin, with bounded queries.

Django's autodiscover imports `annotations.admin`; importing the modules registers them.
"""

from django.contrib import admin
from taggit.models import Tag as TaggitTag

from annotations.admin import passages, tags, tokens

__all__ = ["passages", "tags", "tokens"]

# Gloss uses its own Tag model; taggit's default one would only confuse editors.
if admin.site.is_registered(TaggitTag):
    admin.site.unregister(TaggitTag)
