"""The JSON API over articles: read one, and revise its body (`/api/articles/<id>/`).

Authentication is the annotations API's (`annotations.auth`): a personal token, or the
session with Django's CSRF check for writes. Every failure is
`{"error": {"code", "message", "fields"}}`, as in the annotations API. All parsing happens
before `article_revise`, which is atomic, so nothing is written on any error.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import JsonResponse

from annotations.actions.revisions import article_revise
from annotations.models import Annotation
from articles.models import Article, ArticleRevision
from cms.jsonapi import ApiError, ApiView, field_error, parse_object

# Field: (accepted types, description for the message).
PATCH_FIELDS = {
    "body": ((str,), "text"),
    "base_revision": ((int,), "a whole number"),
    "reason": ((str,), "text"),
    "comment": ((str,), "text"),
}


PATCH_REQUIRED = {
    "body": "",
    "base_revision": "Send the revision your change is based on, so a concurrent edit is not lost.",
}


def article_json(article: Article) -> dict:
    return {
        "id": article.pk,
        "slug": article.slug,
        "title": article.title,
        "outlet": article.outlet.name,
        "url": article.url,
        "published": article.published.isoformat() if article.published else None,
        "author": article.author,
        "status": article.status,
        "body": article.body,
        "revision": article.revision,
        "modified": article.modified.isoformat(),
    }


def anchor_counts(article: Article) -> dict[str, int]:
    """How many of the article's passages are in each anchor status (one query)."""
    counts = dict.fromkeys(Annotation.AnchorStatus.values, 0)
    rows = (
        Annotation.objects.filter(article=article)
        .order_by()
        .values_list("anchor_status")
        .annotate(n=Count("pk"))
    )
    counts.update(dict(rows))
    return counts


class ArticleDetailApiView(ApiView):
    """`GET` and `PATCH /api/articles/<id>/` (a stale `base_revision` is a 409)."""

    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self, request, pk: int) -> Article:
        article = (
            Article.objects.visible_to(request.user).select_related("outlet").filter(pk=pk).first()
        )
        if article is None:
            raise ApiError(404, "not_found", f"No article with id {pk}.")
        return article

    def get(self, request, pk: int):
        return JsonResponse(article_json(self.get_object(request, pk)))

    def patch(self, request, pk: int):
        if not request.user.has_perm("articles.change_article"):
            raise PermissionDenied("Only editors may change articles.")
        article = self.get_object(request, pk)
        data = parse_object(request, PATCH_FIELDS, PATCH_REQUIRED)
        max_comment = ArticleRevision._meta.get_field("comment").max_length
        if len(data.get("comment", "")) > max_comment:
            message = f"Keep the comment to {max_comment} characters."
            raise ApiError(
                400, "comment_too_long", message, {"comment": [field_error("max_length", message)]}
            )
        revision = article_revise(
            article=article,
            body=data["body"],
            editor=request.user,
            reason=data.get("reason", ArticleRevision.Reason.OTHER),
            comment=data.get("comment", ""),
            base_revision=data["base_revision"],
            via="api",
        )
        fresh = Article.objects.select_related("outlet").get(pk=pk)
        return JsonResponse(
            {
                **article_json(fresh),
                "changed": revision is not None,
                "passages": anchor_counts(fresh),
            }
        )
