"""The editors' import page (`/workspace/import/`), its progress endpoint and snapshots.

Thin: the form checks the input, `actions.batch_create` writes the batch, the tasks do the
work; `static/js/import.js` polls the batch's JSON and updates each row.
"""

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, FormView

from cms.jsonapi import ApiError
from intake import actions, tasks
from intake.extract import decode
from intake.forms import ImportForm
from intake.models import ImportBatch, ImportItem, Snapshot


class EditorsOnly(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "articles.add_article"
    raise_exception = True


class ImportView(EditorsOnly, FormView):
    template_name = "intake/import.html"
    form_class = ImportForm

    def get_context_data(self, **kwargs):
        finished = Q(items__state__in=ImportItem.FINISHED)
        batches = ImportBatch.objects.annotate(
            total=Count("items"), done=Count("items", filter=finished)
        )[:10]
        return super().get_context_data(batches=batches, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        batch = actions.batch_create(
            urls=data["urls"],
            pages=data["pages"],
            status=data["status"],
            outlet_name=data["outlet"],
            editor=self.request.user,
        )
        tasks.batch_enqueue(batch)
        return redirect(batch)


def item_json(item: ImportItem) -> dict:
    return {
        "id": item.pk,
        "source": item.url or item.file_name,
        "state": item.state,
        "label": item.get_state_display(),
        "reason": item.reason,
        "article_url": (
            reverse("workspace-article", kwargs={"slug": item.article.slug}) if item.article else ""
        ),
        "article_title": item.article.title if item.article else "",
        "snapshot_url": (
            reverse("intake-snapshot", kwargs={"pk": item.snapshot_id}) if item.snapshot_id else ""
        ),
    }


class BatchView(EditorsOnly, DetailView):
    template_name = "intake/batch.html"
    model = ImportBatch
    context_object_name = "batch"

    def get_context_data(self, **kwargs):
        items = self.object.items.select_related("article").only(
            "batch_id", "url", "file_name", "state", "reason", "snapshot_id",
            "article__title", "article__slug",
        )  # fmt: skip
        return super().get_context_data(items=[item_json(i) for i in items], **kwargs)


class BatchStatusView(EditorsOnly, View):
    """`{"batch": id, "finished": bool, "items": [...]}`: two queries (after the login and
    permission checks), whatever the batch's size."""

    def get(self, request, pk):
        batch = ImportBatch.objects.only("pk").filter(pk=pk).first()
        if batch is None:
            return ApiError(404, "not_found", "No such import batch.").response()
        items = [
            item_json(item)
            for item in batch.items.select_related("article").only(
                "batch_id",
                "url",
                "file_name",
                "state",
                "reason",
                "snapshot_id",
                "article__title",
                "article__slug",
            )  # fmt: skip
        ]
        finished = all(item["state"] in ImportItem.FINISHED for item in items)
        response = JsonResponse({"batch": batch.pk, "finished": finished, "items": items})
        response["Cache-Control"] = "no-store"
        return response


class SnapshotView(EditorsOnly, DetailView):
    template_name = "intake/snapshot.html"
    model = Snapshot
    context_object_name = "snapshot"

    def get_queryset(self):
        return Snapshot.objects.select_related("article").defer("html")


class SnapshotRawView(EditorsOnly, View):
    """The page as it was fetched, shown as text: a third party's HTML and scripts never
    run on Gloss's origin."""

    def get(self, request, pk):
        snapshot = get_object_or_404(Snapshot, pk=pk)
        text = decode(snapshot.raw(), snapshot.charset)
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        return response
