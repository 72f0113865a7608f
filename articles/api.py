"""The JSON API over articles: read one, and revise its body (`/api/articles/<id>/`).

Authentication is the annotations API's (`annotations.auth`): a personal token, or the
session with Django's CSRF check for writes. Every failure is
`{"error": {"code", "message", "fields"}}`, as in the annotations API. All parsing happens
before `article_revise`, which is atomic, so nothing is written on any error.
"""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from annotations.auth import InvalidToken, caller_for, csrf_failure
from annotations.models import Annotation
from articles import services
from articles.models import Article, ArticleRevision

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

# Field: (accepted types, description for the message).
PATCH_FIELDS = {
    "body": ((str,), "text"),
    "base_revision": ((int,), "a whole number"),
    "reason": ((str,), "text"),
    "comment": ((str,), "text"),
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}

    def response(self) -> JsonResponse:
        body = {"error": {"code": self.code, "message": self.message, "fields": self.fields}}
        response = JsonResponse(body, status=self.status)
        if self.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="gloss"'
        return response


def field_error(code: str, message: str) -> dict:
    return {"code": code, "message": message}


def _rendered(error: ValidationError) -> list[dict]:
    return [
        field_error(e.code or "invalid", e.message % e.params if e.params else e.message)
        for e in error.error_list
    ]


def from_validation_error(error: ValidationError, status: int = 400) -> ApiError:
    """A service's ValidationError as an ApiError whose code is its first error's code."""
    if hasattr(error, "error_dict"):
        fields = {
            ("non_field" if name == "__all__" else name): _rendered(ValidationError(errors))
            for name, errors in error.error_dict.items()
        }
        first = next(iter(fields.values()))[0]
        return ApiError(status, first["code"], first["message"], fields)
    first = _rendered(error)[0]
    return ApiError(status, first["code"], first["message"])


def parse_patch(request) -> dict:
    """The body as a JSON object of known fields with the right types; `base_revision`
    is required with `body`."""
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "malformed_json", "The body is not valid UTF-8 JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "malformed_json", "The body must be a JSON object.")
    fields: dict[str, list[dict]] = {}
    for name, value in data.items():
        if name not in PATCH_FIELDS:
            fields[name] = [field_error("unknown_field", f"{name!r} cannot be set here.")]
            continue
        types, label = PATCH_FIELDS[name]
        # bool is an int subclass; `true` is never a revision number.
        if isinstance(value, bool) or not isinstance(value, types):
            fields[name] = [field_error("invalid_type", f"Must be {label}.")]
    if "body" not in data:
        fields.setdefault("body", [field_error("required", "This field is required.")])
    if "base_revision" not in data:
        fields["base_revision"] = [
            field_error(
                "required",
                "Send the revision your change is based on, so a concurrent edit is not lost.",
            )
        ]
    if fields:
        first = next(iter(fields.values()))[0]
        raise ApiError(400, first["code"], first["message"], fields)
    return data


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


@method_decorator(csrf_exempt, name="dispatch")
class ArticleDetailApiView(View):
    """`GET` and `PATCH /api/articles/<id>/`.

    Exempt from the CSRF middleware because token requests carry no cookie to forge;
    session writes are checked here with Django's own CSRF logic.
    """

    http_method_names = ["get", "patch", "head", "options"]

    def dispatch(self, request, *args, **kwargs):
        try:
            caller = caller_for(request)
        except InvalidToken as error:
            return ApiError(401, "invalid_token", str(error)).response()
        request.user = caller.user
        if request.method not in SAFE_METHODS:
            if not caller.user.is_authenticated:
                return ApiError(
                    401, "authentication_required", "Log in or send an API token."
                ).response()
            if not caller.by_token:
                reason = csrf_failure(request)
                if reason:
                    return ApiError(403, "csrf_failed", f"CSRF check failed: {reason}").response()
        try:
            return super().dispatch(request, *args, **kwargs)
        except ApiError as error:
            return error.response()
        except services.RevisionConflict as error:
            return from_validation_error(error, status=409).response()
        except ValidationError as error:
            return from_validation_error(error).response()
        except PermissionDenied as error:
            return ApiError(403, "forbidden", str(error) or "Not allowed.").response()

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = ApiError(
            405, "method_not_allowed", f"{request.method} is not allowed here."
        ).response()
        response["Allow"] = ", ".join(m.upper() for m in self._allowed_methods())
        return response

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
        data = parse_patch(request)
        reason = data.get("reason", ArticleRevision.Reason.OTHER)
        if reason not in ArticleRevision.Reason.values:
            message = f"Reason must be one of: {', '.join(ArticleRevision.Reason.values)}."
            raise ApiError(
                400, "unknown_reason", message, {"reason": [field_error("unknown_reason", message)]}
            )
        max_comment = ArticleRevision._meta.get_field("comment").max_length
        if len(data.get("comment", "")) > max_comment:
            message = f"Keep the comment to {max_comment} characters."
            raise ApiError(
                400, "comment_too_long", message, {"comment": [field_error("max_length", message)]}
            )
        revision = services.article_revise(
            article=article,
            body=data["body"],
            editor=request.user,
            reason=reason,
            comment=data.get("comment", ""),
            base_revision=data["base_revision"],
        )
        fresh = Article.objects.select_related("outlet").get(pk=pk)
        return JsonResponse(
            {
                **article_json(fresh),
                "changed": revision is not None,
                "passages": anchor_counts(fresh),
            }
        )
