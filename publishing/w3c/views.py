"""The Web Annotation Protocol's read side: the container `/annotations/`, its pages, one
annotation `/annotations/<id>`, and the JSON-LD export `/passages/export.jsonld`.

Read-only: GET, HEAD and OPTIONS are answered, every write 405 with `Allow`. The
container takes exactly the filters of `/passages/` (`PassageFilterSet`, over the same
`visible_to()` passages), so `/annotations/?tag=quote` and `/passages/export.csv?tag=quote`
hold the same passages. Errors are the API's JSON envelope (`cms.jsonapi`). Anonymous
answers are kept per corpus version (`publishing.w3c.caching`); every answer carries a
strong ETag and a matching If-None-Match gets a 304.
"""

import hashlib
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from annotations.models import Annotation
from cms.jsonapi import ApiError, from_validation_error
from publishing.facets import audience_of, facet_options
from publishing.filters import PassageFilterSet, field_parameters
from publishing.models import FacetCount
from publishing.w3c.caching import cached_answer
from publishing.w3c.export import collection_chunks, dumps
from publishing.w3c.paging import (
    LARGEST,
    Container,
    Cursor,
    fetch_page,
    parse_cursor,
    parse_prefer,
)
from publishing.w3c.presenter import Presenter, tag_names, w3c_rows
from publishing.w3c.vocabulary import ALLOW, ANNOTATION_LINK, CONTAINER_LINK, MEDIA_TYPE

# What a script in a browser on another site may read: the data is public (a request
# from another origin carries no cookie, so it sees what anonymous visitors see).
EXPOSED_HEADERS = "ETag, Link, Allow, Content-Location, Preference-Applied"


def site_root(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def filter_params(query) -> list[tuple[str, str]]:
    """The request's filters of `/passages/`, in a canonical order (name, then as sent),
    empty values left out: part of the container's IRI."""
    names = sorted({*PassageFilterSet.base_filters, *field_parameters(query)})
    return [(name, value) for name in names for value in query.getlist(name) if value]


def passage_filterset(request) -> PassageFilterSet:
    return PassageFilterSet(
        request.GET or None,
        queryset=Annotation.objects.visible_to(request.user),
        request=request,
    )


def total_of(passages, request, *, filtered: bool) -> int:
    """How many passages the container holds: the maintained count of the unfiltered
    listing (what `/passages/` shows), else a count of the filtered set (one query)."""
    if filtered:
        return passages.count()
    audience = audience_of(request.user)
    counts = facet_options(FacetCount.Listing.PASSAGES, audience, [], total=True)
    return counts[FacetCount.Facet.TOTAL]


def jsonld_response(data) -> HttpResponse:
    """`data` as JSON-LD with a strong ETag of its bytes."""
    content = dumps(data).encode("utf-8")
    response = HttpResponse(content, content_type=MEDIA_TYPE)
    response["ETag"] = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    return response


class JsonLdView(View):
    """GET, HEAD and OPTIONS with the Protocol's headers on every answer, errors included."""

    link = ""
    vary = ("Accept",)

    @classmethod
    def as_view(cls, **initkwargs):
        # Nothing here writes (writes are a 405). Exempted once here, not per request as
        # `method_decorator` does (it wraps the bound method anew on every call).
        return csrf_exempt(super().as_view(**initkwargs))

    def dispatch(self, request, *args, **kwargs):
        try:
            response = super().dispatch(request, *args, **kwargs)
        except ApiError as error:
            response = error.response()
        if response.status_code == 200 and response.has_header("ETag"):
            # 304 when the client holds these bytes already.
            response = get_conditional_response(request, etag=response["ETag"], response=response)
        response["Allow"] = ALLOW
        if link := self.link_for(request):
            response["Link"] = link
        patch_vary_headers(response, self.vary)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        return response

    def link_for(self, request) -> str:
        return self.link

    def get(self, request, *args, **kwargs):
        return cached_answer(request, lambda: self.answer(request, *args, **kwargs))

    def answer(self, request, *args, **kwargs) -> HttpResponse:
        raise NotImplementedError

    def head(self, request, *args, **kwargs):
        response = self.get(request, *args, **kwargs)
        response["Content-Length"] = str(len(response.content))
        response.content = b""
        return response

    def options(self, request, *args, **kwargs):
        response = HttpResponse(status=200, content_type=MEDIA_TYPE)
        response["Content-Length"] = "0"
        response["Access-Control-Allow-Methods"] = ALLOW
        response["Access-Control-Allow-Headers"] = "Accept, Prefer, If-None-Match"
        return response

    def http_method_not_allowed(self, request, *args, **kwargs):
        return ApiError(
            405, "method_not_allowed", f"{request.method} is not allowed: this is read-only."
        ).response()


class AnnotationContainerView(JsonLdView):
    """`/annotations/`: the container (an AnnotationCollection), or with `?page=` one of its
    AnnotationPages of PAGE_SIZE passages (`publishing.w3c.paging`).

    The container honours `Prefer: return=representation;include="..."`: with
    PreferMinimalContainer it links to its first and last pages, otherwise it embeds the
    first page, of full descriptions (PreferContainedDescriptions, the default) or of
    IRIs (PreferContainedIRIs, also `?iris=1`, which its IRI and its pages' carry).
    """

    link = CONTAINER_LINK
    vary = ("Accept", "Prefer")

    def link_for(self, request) -> str:
        # A page is not a container (Protocol 4.3): no container type for it.
        return "" if "page" in request.GET else self.link

    def answer(self, request):
        filterset = passage_filterset(request)
        if filterset.is_bound and not filterset.is_valid():
            raise from_validation_error(ValidationError(filterset.form.errors.as_data()))
        filters = filter_params(request.GET)
        passages = filterset.qs
        total = total_of(passages, request, filtered=bool(filters))
        site = site_root(request)
        base = site + reverse("w3c-container")
        presenter = Presenter(site)
        page = request.GET.get("page")
        asked_iris = request.GET.get("iris") == "1"
        if page is not None:
            cursor = parse_cursor(page, request.GET.get("start"))
            container = Container(base, filters, iris=asked_iris, total=total)
            data = self.page(container, presenter, passages, cursor, embedded=False)
            return jsonld_response(data)
        preference = parse_prefer(request.headers.get("Prefer", ""))
        iris = preference.iris or (asked_iris and not preference.descriptions)
        container = Container(base, filters, iris=iris, total=total)
        first = None
        if total and not preference.minimal:
            first = self.page(container, presenter, passages, Cursor("first"), embedded=True)
        response = jsonld_response(container.collection(first))
        # The representation depends on the preference; its IRI says which one it is.
        response["Content-Location"] = container.id
        if preference.given:
            response["Preference-Applied"] = "return=representation"
        return response

    def page(self, container, presenter, passages, cursor, *, embedded: bool) -> dict:
        if container.iris:
            rows = passages.values_list("pk", named=True)
            found = fetch_page(rows, cursor, container.total)
            items = [presenter.iri(row.pk) for row in found.rows]
        else:
            found = fetch_page(w3c_rows(passages), cursor, container.total)
            tags = tag_names(row.pk for row in found.rows)
            items = [presenter.annotation(row, tags[row.pk], context=False) for row in found.rows]
        return container.page(cursor, found, items, embedded=embedded)


class AnnotationDetailView(JsonLdView):
    """`/annotations/<id>`: one visible passage as an Annotation (404 if not visible)."""

    link = ANNOTATION_LINK

    def answer(self, request, pk: int):
        passages = Annotation.objects.visible_to(request.user).filter(pk=pk).order_by()
        found = list(w3c_rows(passages)[:1]) if pk <= LARGEST else []
        if not found:
            raise ApiError(404, "not_found", "There is no visible annotation with this id.")
        data = Presenter(site_root(request)).annotation(found[0], tag_names([pk])[pk])
        return jsonld_response(data)


class AnnotationExportView(View):
    """`/passages/export.jsonld`: the passage listing as one AnnotationCollection, whole
    filtered set, streamed; the JSON-LD sibling of `/passages/export.csv`.

    Same FilterSet; invalid filters export an empty collection, as the CSV export
    exports its header only. `X-Gloss-Row-Count` says how many annotations follow.
    """

    def get(self, request):
        filterset = passage_filterset(request)
        if filterset.is_bound and not filterset.is_valid():
            passages = filterset.queryset.none()
        else:
            passages = filterset.qs
        total = passages.count()
        site = site_root(request)
        filters = filter_params(request.GET)
        container = Container(site + reverse("w3c-container"), filters, iris=False, total=total)
        page_id = site + reverse("passage-export-jsonld")
        if filters:
            page_id += "?" + urlencode(filters)
        response = StreamingHttpResponse(
            collection_chunks(passages, container, Presenter(site), page_id),
            content_type=MEDIA_TYPE,
        )
        filename = f"gloss-passages-{timezone.localdate().isoformat()}.jsonld"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["X-Gloss-Row-Count"] = str(total)
        return response
