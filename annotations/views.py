"""Public views of passages and tags."""

from django.http import HttpResponse
from django.views import View

from annotations.models import Tag


class TagStylesView(View):
    """`/tags.css`: one class per tag (`.tag-<id>`) carrying its colour.

    Colours live in the database, and the Content Security Policy forbids inline style
    attributes, so highlights and chips get their colour from this small stylesheet.
    Colours are validated as #rrggbb, so nothing else can reach the CSS.
    """

    def get(self, request):
        rules = [
            f".tag-{pk}{{--tag-colour:{colour};background-color:{colour}}}"
            for pk, colour in Tag.objects.order_by("pk").values_list("pk", "colour")
        ]
        response = HttpResponse("\n".join(rules) + "\n", content_type="text/css; charset=utf-8")
        response["Cache-Control"] = "public, max-age=60"
        return response
