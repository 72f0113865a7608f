"""`/passages/export.qdpx` and `/tags/codebook.qdc`: REFI-QDA downloads."""

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views import View

from annotations.models import Annotation
from publishing.filters import PassageFilterSet
from publishing.refi.codebook import codebook_qdc, tags_for_codebook
from publishing.refi.project import exported_passages, qdpx_chunks


def filtered_passages(data, user, request=None):
    """The passages `/passages/` lists for these query parameters and this user (the
    same FilterSet and visibility rule); invalid filters give none, as the listing."""
    filterset = PassageFilterSet(
        data or None, queryset=Annotation.objects.visible_to(user), request=request
    )
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none()
    return filterset.qs


class QdpxExportView(View):
    """The filtered passages as a REFI-QDA project, streamed. `X-Gloss-Row-Count` says
    how many passages (PlainTextSelections) it holds."""

    def get(self, request):
        passages = filtered_passages(request.GET, request.user, request)
        count = exported_passages(passages).count()
        response = StreamingHttpResponse(qdpx_chunks(passages), content_type="application/zip")
        filename = f"gloss-passages-{timezone.localdate().isoformat()}.qdpx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["X-Gloss-Row-Count"] = str(count)
        return response


class CodebookView(View):
    """Every tag as a REFI-QDA codebook (QDA-XML Codebook.xsd), nested by parent."""

    def get(self, request):
        tags = tags_for_codebook()
        if not tags:  # a codebook needs at least one code
            raise Http404("There are no tags yet.")
        response = HttpResponse(codebook_qdc(tags), content_type="application/xml; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="gloss-codebook.qdc"'
        return response
