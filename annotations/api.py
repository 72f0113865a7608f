"""The JSON API over passages (documented in docs/api.md).

Views are thin: they parse JSON strictly, check types at the edge, and call the same
services as the admin. Every failure is `{"error": {"code", "message", "fields"}}` with
a stable `code`; nothing is written on any error because the services are atomic and
all parsing happens before them.
"""

from datetime import datetime

import django_filters
from django import forms
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpResponse, JsonResponse

from annotations import tag_fields
from annotations.actions.passages import annotation_create, annotation_delete, annotation_update
from annotations.models import Annotation, Tag, TagField, TaggedAnnotation
from articles.models import Article, Organization
from cms.jsonapi import ApiError, ApiView, field_error, invalid_parameters, parse_object
from publishing.filters import CheckedForm, IdField, IdFilter, PassageFilterSet
from suggestions.actions import suggestion_accept

PAGE_SIZE = 100


def field_kinds(passages) -> dict[str, str]:
    """Kind of every defined field by key, if any of `passages` holds a value (one query,
    none when no passage does)."""
    if not any(passage.fields for passage in passages):
        return {}
    rows = TagField.objects.values_list("tag__slug", "name", "kind")
    return {tag_fields.key(slug, name): kind for slug, name, kind in rows}


def fields_json(values: dict, kinds: dict[str, str]) -> dict:
    """A passage's field values as JSON: numbers as numbers, the rest as text."""
    return {key: tag_fields.typed(kinds.get(key, "text"), value) for key, value in values.items()}


def annotation_json(annotation: Annotation, kinds: dict[str, str] | None = None) -> dict:
    """The API's representation of a passage (tags as slugs, annotator as username).

    `kinds` (`field_kinds`) types the field values; a single passage reads them itself."""
    if kinds is None:
        kinds = field_kinds([annotation])
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
        "fields": fields_json(annotation.fields, kinds),
        "status": annotation.status,
        "adjudicated": annotation.adjudicated,
        "annotator": annotation.annotator.get_username(),
        "created": annotation.created.isoformat(),
        "modified": annotation.modified.isoformat(),
    }


def etag(annotation: Annotation) -> str:
    """The passage's version for `ETag` / `If-Match`: its `modified` time, quoted."""
    return f'"{annotation.modified.isoformat()}"'


def with_etag(response: JsonResponse, annotation: Annotation) -> JsonResponse:
    response["ETag"] = etag(annotation)
    return response


def if_match(request) -> datetime | None:
    """The version the client says it read (`If-Match`), or None when it sent none or `*`."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    value = header.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ApiError(
            400,
            "invalid_if_match",
            "If-Match must be the passage's ETag, as GET, POST and PATCH send it.",
        )
    return parsed


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
_TAGS = ((list,), "a list of tag slugs or names", str)
_FIELDS = ((dict,), 'an object of "<tag>.<field>": value')
CREATE_FIELDS = {
    "article": _INT,
    "start": _INT,
    "end": _INT,
    "exact": _STR,
    "tags": _TAGS,
    "organization": _INT_OR_NULL,
    "note": _STR,
    "status": _STR,
    # The kind of suggestion the passage was made from (quote, statistic, mention), if any:
    # the same passage, and the acceptance is counted (suggestions.actions).
    "suggestion": _STR,
    "fields": _FIELDS,
}
CREATE_REQUIRED = ("article", "start", "end", "exact")
UPDATE_FIELDS = {
    "tags": _TAGS,
    "organization": _INT_OR_NULL,
    "note": _STR,
    "status": _STR,
    "fields": _FIELDS,
}


class AnnotationFilter(PassageFilterSet):
    """The public listing's filters (`q`, `tag`, `outlet`, `annotator`, dates), except that
    the API names articles and organizations by id, as its JSON does, and adds `status`."""

    article = IdFilter(field_name="article_id")
    organization = IdFilter(field_name="organization_id")
    status = django_filters.ChoiceFilter(choices=Annotation.Status.choices)


class AnnotationListView(ApiView):
    """`GET /api/annotations/` (filtered, paginated) and `POST /api/annotations/`."""

    def get(self, request):
        queryset = Annotation.objects.visible_to(request.user).for_api()
        filterset = AnnotationFilter(request.GET, queryset=queryset)
        if not filterset.is_valid():
            raise invalid_parameters(filterset.form)
        paginator = Paginator(filterset.qs, PAGE_SIZE)
        try:
            page = paginator.page(request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            raise ApiError(404, "not_found", "No such page.") from None
        passages = list(page.object_list)
        kinds = field_kinds(passages)
        return JsonResponse(
            {
                "count": paginator.count,
                "next": self._page_url(request, page.next_page_number())
                if page.has_next()
                else None,
                "previous": self._page_url(request, page.previous_page_number())
                if page.has_previous()
                else None,
                "results": [annotation_json(a, kinds) for a in passages],
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
                {"article": [field_error("unknown_article", message)]},
            )
        coding = {
            "article": article,
            "start": data["start"],
            "end": data["end"],
            "exact": data["exact"],
            "tags": data.get("tags", []),
            "organization": data.get("organization"),
            "note": data.get("note", ""),
            "fields": data.get("fields"),
            "status": data.get("status", Annotation.Status.PUBLISHED),
            "annotator": request.user,
            "via": request.via,
        }
        if "suggestion" in data:
            annotation = suggestion_accept(kind=data["suggestion"], **coding)
        else:
            annotation = annotation_create(**coding)
        # The passage as saved, its annotator the caller and its values canonical: what
        # reading it back would give, less that query; its tags in one plain query (the
        # tag library's prefetch cost more to build than to run).
        tagged = TaggedAnnotation.objects.filter(content_object_id=annotation.pk)
        annotation.hold_tags(Tag.objects.filter(pk__in=tagged.values("tag_id")))
        response = with_etag(JsonResponse(annotation_json(annotation), status=201), annotation)
        response["Location"] = request.build_absolute_uri(f"{request.path}{annotation.pk}/")
        return response


class AnnotationDetailView(ApiView):
    """`GET`, `PATCH` and `DELETE /api/annotations/<id>/`."""

    def get_object(self, request, pk: int) -> Annotation:
        annotation = Annotation.objects.visible_to(request.user).for_api().filter(pk=pk).first()
        if annotation is None:
            raise ApiError(404, "not_found", f"No passage with id {pk}.")
        return annotation

    def get(self, request, pk: int):
        annotation = self.get_object(request, pk)
        return with_etag(JsonResponse(annotation_json(annotation)), annotation)

    def patch(self, request, pk: int):
        """With `If-Match: <ETag>`, refused (409 `stale_passage`) if the passage changed."""
        annotation = self.get_object(request, pk)
        expected = if_match(request)
        data = parse_object(request, UPDATE_FIELDS)
        annotation_update(
            annotation=annotation, user=request.user, if_modified=expected, via=request.via, **data
        )
        fresh = Annotation.objects.for_api().get(pk=pk)
        return with_etag(JsonResponse(annotation_json(fresh)), fresh)

    def delete(self, request, pk: int):
        annotation = self.get_object(request, pk)
        annotation_delete(
            annotation=annotation, user=request.user, if_modified=if_match(request), via=request.via
        )
        return HttpResponse(status=204)


def organizations_ranked(article_id: int | None, query: str = "", *, articles=None):
    """Organizations, those `article_id` mentions first, then by name; (org, mentioned) pairs.

    `articles` (default: all) are those the caller may see: for any other article, a draft
    to an anonymous caller, the answer is the one for an article that does not exist.
    """
    organizations = Organization.objects.only("id", "name", "aliases").order_by("name")
    mentioned_ids: set[int] = set()
    if article_id is not None:
        mentions = Article.organizations.through.objects.filter(article_id=article_id)
        if articles is not None:
            mentions = mentions.filter(article__in=articles.filter(pk=article_id))
        mentioned_ids = set(mentions.values_list("organization_id", flat=True))
    if query:
        organizations = organizations.matching_name(query)
    ranked = sorted(organizations, key=lambda org: org.pk not in mentioned_ids)
    return [(org, org.pk in mentioned_ids) for org in ranked]


class OrganizationQuery(CheckedForm):
    q = forms.CharField(required=False)
    article = IdField(required=False, error_messages={"invalid": "Must be an article id."})


class OrganizationListView(ApiView):
    """`GET /api/organizations/?q=<text>&article=<id>`: names and aliases for autocomplete."""

    http_method_names = ["get", "head", "options"]

    def get(self, request):
        query = OrganizationQuery(request.GET)
        if not query.is_valid():
            raise invalid_parameters(query)
        ranked = organizations_ranked(
            query.cleaned_data["article"],
            query.cleaned_data["q"],
            articles=Article.objects.visible_to(request.user),
        )
        return JsonResponse({"results": [organization_json(org, mentioned=m) for org, m in ranked]})
