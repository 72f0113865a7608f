"""Public views of passages and tags, and the CSV export of passages."""

from django.db.models import Exists, OuterRef
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView
from django_filters.views import FilterView

from annotations.exports import passages_csv
from annotations.filters import PassageFilterSet
from annotations.models import Annotation, FacetCount, Tag, TaggedAnnotation, attach_tag_lists
from annotations.page_cache import CachedPublicPageMixin
from articles.views import PREVIEW_SIZE, FacetedListMixin


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


class PassageListView(CachedPublicPageMixin, FacetedListMixin, FilterView):
    """`/passages/`: every visible passage, filtered, with facet counts and a CSV link."""

    filterset_class = PassageFilterSet
    template_name = "annotations/passage_list.html"
    context_object_name = "passages"
    facet_listing = FacetCount.Listing.PASSAGES
    facet_parameters = (("tag", "Tag"), ("outlet", "Outlet"), ("organization", "Organization"))

    def get_queryset(self):
        return Annotation.objects.visible_to(self.request.user)

    def listing_rows(self, queryset):
        return queryset.for_listing_page()

    def page_rows(self, rows):
        return attach_tag_lists(list(rows))

    def facet_counts(self, parameter, rows):
        if parameter == "tag":
            return rows.tag_facets()
        if parameter == "outlet":
            return rows.outlet_facets()
        return rows.organization_facets()


class PassageExportView(View):
    """`/passages/export.csv`: the passage listing as CSV, whole filtered set, streamed.

    Same FilterSet as `/passages/`; invalid filters export the header only, as the
    listing shows no rows. `X-Gloss-Row-Count` says how many rows follow, so a client
    can tell a complete download from a truncated one.
    """

    def get(self, request):
        filterset = PassageFilterSet(
            request.GET or None,
            queryset=Annotation.objects.visible_to(request.user),
            request=request,
        )
        if filterset.is_bound and not filterset.is_valid():
            passages = filterset.queryset.none()
        else:
            passages = filterset.qs
        row_count = passages.count()
        site = request.build_absolute_uri("/").rstrip("/")
        response = StreamingHttpResponse(
            passages_csv(passages.for_listing(), site), content_type="text/csv; charset=utf-8"
        )
        filename = f"gloss-passages-{timezone.localdate().isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["X-Gloss-Row-Count"] = str(row_count)
        return response


class TagDetailView(CachedPublicPageMixin, DetailView):
    """`/tags/<slug>/`: what a tag means and the latest passages carrying it."""

    model = Tag
    template_name = "annotations/tag_detail.html"
    context_object_name = "tag"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tagged = TaggedAnnotation.objects.filter(content_object=OuterRef("pk"), tag=self.object)
        passages = Annotation.objects.visible_to(self.request.user).filter(Exists(tagged))
        context["passage_count"] = passages.count()
        context["passages"] = attach_tag_lists(list(passages.for_listing_page()[:PREVIEW_SIZE]))
        return context
