"""The JSON API over passages (documented in docs/api.md).

Views are thin: they parse JSON strictly, check types at the edge, and call the same
services as the admin. Every failure is `{"error": {"code", "message", "fields"}}` with
a stable `code`; nothing is written on any error because the services are atomic and
all parsing happens before them.
"""

import json

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from annotations import services
from annotations.auth import InvalidToken, caller_for, csrf_failure
from annotations.filters import PassageFilterSet
from annotations.models import Annotation
from articles.models import Article, Organization

PAGE_SIZE = 100
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


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


def _field_error(code: str, message: str) -> dict:
    return {"code": code, "message": message}


def _messages(error: ValidationError) -> list[dict]:
    return [
        _field_error(e.code or "invalid", e.message % e.params if e.params else e.message)
        for e in error.error_list
    ]


def from_validation_error(error: ValidationError) -> ApiError:
    """A service's ValidationError as a 400 whose code is its first error's code."""
    if hasattr(error, "error_dict"):
        fields = {
            ("non_field" if name == "__all__" else name): _messages(ValidationError(errors))
            for name, errors in error.error_dict.items()
        }
        first = next(iter(fields.values()))[0]
        return ApiError(400, first["code"], first["message"], fields)
    first = _messages(error)[0]
    return ApiError(400, first["code"], first["message"])


def annotation_json(annotation: Annotation) -> dict:
    """The API's representation of a passage (tags as slugs, annotator as username)."""
    return {
        "id": annotation.pk,
        "article": annotation.article_id,
        "start": annotation.start,
        "end": annotation.end,
        "exact": annotation.exact,
        "prefix": annotation.prefix,
        "suffix": annotation.suffix,
        "tags": sorted(tag.slug for tag in annotation.tags.all()),
        "organization": annotation.organization_id,
        "note": annotation.note,
        "status": annotation.status,
        "annotator": annotation.annotator.get_username(),
        "created": annotation.created.isoformat(),
        "modified": annotation.modified.isoformat(),
    }


def organization_json(organization: Organization, *, mentioned: bool) -> dict:
    return {
        "id": organization.pk,
        "name": organization.name,
        "aliases": list(organization.aliases),
        "mentioned": mentioned,
    }


# What a JSON body may hold, per field: (accepted types, type name for the message).
_INT = ((int,), "a whole number")
_STR = ((str,), "text")
_INT_OR_NULL = ((int, type(None)), "an id or null")
_TAGS = ((list,), "a list of tag slugs or names")
CREATE_FIELDS = {
    "article": _INT,
    "start": _INT,
    "end": _INT,
    "exact": _STR,
    "tags": _TAGS,
    "organization": _INT_OR_NULL,
    "note": _STR,
    "status": _STR,
}
CREATE_REQUIRED = ("article", "start", "end", "exact")
UPDATE_FIELDS = {"tags": _TAGS, "organization": _INT_OR_NULL, "note": _STR, "status": _STR}


def parse_object(request, allowed: dict, required: tuple[str, ...] = ()) -> dict:
    """The request body as a JSON object whose fields have the expected types."""
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "malformed_json", "The body is not valid UTF-8 JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "malformed_json", "The body must be a JSON object.")
    fields: dict[str, list[dict]] = {}
    for name in data:
        if name not in allowed:
            fields[name] = [_field_error("unknown_field", f"{name!r} cannot be set here.")]
    for name in required:
        if name not in data:
            fields[name] = [_field_error("required", "This field is required.")]
    for name, (types, label) in allowed.items():
        if name not in data:
            continue
        value = data[name]
        # bool is an int subclass; `true` is never a valid offset or id.
        if isinstance(value, bool) or not isinstance(value, types):
            fields[name] = [_field_error("invalid_type", f"Must be {label}.")]
        elif name == "tags" and not all(isinstance(tag, str) for tag in value):
            fields[name] = [_field_error("invalid_type", f"Must be {label}.")]
    if fields:
        first = next(iter(fields.values()))[0]
        raise ApiError(400, first["code"], first["message"], fields)
    return data


class AnnotationFilter(PassageFilterSet):
    """The public listing's filters (`q`, `tag`, `outlet`, `annotator`, dates), except that
    the API names articles and organizations by id, as its JSON does, and adds `status`."""

    article = django_filters.NumberFilter(field_name="article_id")
    organization = django_filters.NumberFilter(field_name="organization_id")
    status = django_filters.ChoiceFilter(choices=Annotation.Status.choices)


@method_decorator(csrf_exempt, name="dispatch")
class ApiView(View):
    """Authenticates the caller, enforces CSRF for session writes, and turns errors into JSON.

    Exempt from the CSRF middleware because token requests carry no cookie to forge;
    session requests are checked here instead, with Django's own CSRF logic.
    """

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

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


class AnnotationListView(ApiView):
    """`GET /api/annotations/` (filtered, paginated) and `POST /api/annotations/`."""

    def get(self, request):
        queryset = Annotation.objects.visible_to(request.user).for_api()
        filterset = AnnotationFilter(request.GET, queryset=queryset)
        if not filterset.is_valid():
            fields = {
                name: [_field_error(e.code or "invalid", str(e.message % (e.params or {})))]
                for name, errors in filterset.errors.as_data().items()
                for e in errors[:1]
            }
            first = next(iter(fields.values()))[0]
            raise ApiError(400, "invalid_filter", first["message"], fields)
        paginator = Paginator(filterset.qs, PAGE_SIZE)
        try:
            page = paginator.page(request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            raise ApiError(404, "not_found", "No such page.") from None
        return JsonResponse(
            {
                "count": paginator.count,
                "next": self._page_url(request, page.next_page_number())
                if page.has_next()
                else None,
                "previous": self._page_url(request, page.previous_page_number())
                if page.has_previous()
                else None,
                "results": [annotation_json(a) for a in page.object_list],
            }
        )

    @staticmethod
    def _page_url(request, number: int) -> str:
        query = request.GET.copy()
        query["page"] = number
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    def post(self, request):
        data = parse_object(request, CREATE_FIELDS, CREATE_REQUIRED)
        article = Article.objects.filter(pk=data["article"]).first()
        if article is None:
            message = f"No article with id {data['article']}."
            raise ApiError(
                400,
                "unknown_article",
                message,
                {"article": [_field_error("unknown_article", message)]},
            )
        annotation = services.annotation_create(
            article=article,
            start=data["start"],
            end=data["end"],
            exact=data["exact"],
            tags=data.get("tags", []),
            organization=data.get("organization"),
            note=data.get("note", ""),
            status=data.get("status", Annotation.Status.PUBLISHED),
            annotator=request.user,
        )
        fresh = Annotation.objects.for_api().get(pk=annotation.pk)
        response = JsonResponse(annotation_json(fresh), status=201)
        response["Location"] = request.build_absolute_uri(f"{request.path}{fresh.pk}/")
        return response


class AnnotationDetailView(ApiView):
    """`GET`, `PATCH` and `DELETE /api/annotations/<id>/`."""

    def get_object(self, request, pk: int) -> Annotation:
        annotation = Annotation.objects.visible_to(request.user).for_api().filter(pk=pk).first()
        if annotation is None:
            raise ApiError(404, "not_found", f"No passage with id {pk}.")
        return annotation

    def get(self, request, pk: int):
        return JsonResponse(annotation_json(self.get_object(request, pk)))

    def patch(self, request, pk: int):
        annotation = self.get_object(request, pk)
        data = parse_object(request, UPDATE_FIELDS)
        services.annotation_update(annotation=annotation, user=request.user, **data)
        fresh = Annotation.objects.for_api().get(pk=pk)
        return JsonResponse(annotation_json(fresh))

    def delete(self, request, pk: int):
        services.annotation_delete(annotation=self.get_object(request, pk), user=request.user)
        return HttpResponse(status=204)


def organizations_ranked(article_id: int | None, query: str = ""):
    """Organizations, those `article_id` mentions first, then by name; (org, mentioned) pairs."""
    organizations = Organization.objects.only("id", "name", "aliases").order_by("name")
    mentioned_ids: set[int] = set()
    if article_id is not None:
        mentioned_ids = set(
            Article.organizations.through.objects.filter(article_id=article_id).values_list(
                "organization_id", flat=True
            )
        )
    if query:
        organizations = organizations.matching_name(query)
    ranked = sorted(organizations, key=lambda org: org.pk not in mentioned_ids)
    return [(org, org.pk in mentioned_ids) for org in ranked]


class OrganizationListView(ApiView):
    """`GET /api/organizations/?q=<text>&article=<id>`: names and aliases for autocomplete."""

    http_method_names = ["get", "head", "options"]

    def get(self, request):
        article = request.GET.get("article")
        if article is not None and not article.isdigit():
            message = "`article` must be an article id."
            raise ApiError(
                400, "invalid_filter", message, {"article": [_field_error("invalid", message)]}
            )
        ranked = organizations_ranked(
            int(article) if article else None, request.GET.get("q", "").strip()
        )
        return JsonResponse({"results": [organization_json(org, mentioned=m) for org, m in ranked]})
