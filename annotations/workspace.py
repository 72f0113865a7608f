"""The annotation workspace: pick an article, select passages in it, code them.

The pages are rendered here; every write goes from static/js/workspace.js through the
JSON API (annotations/api.py) to the services, exactly like a script's would.
"""

from collections import defaultdict
from itertools import pairwise

import django_filters
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import Count, Q
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.generic import DetailView
from django_filters.views import FilterView

from annotations.api import annotation_json, organizations_ranked
from annotations.models import Annotation, Tag
from annotations.permissions import can_delete, can_edit
from articles.models import Article, Outlet


def highlighted_body(body: str, passages, tag_ids: dict[int, list[int]]) -> SafeString:
    """`body` as escaped text with one `<mark>` per stretch covered by passages.

    Overlapping passages become flat segments listing every passage that covers them
    (`data-passages`), so no mark nests in another and all text stays selectable. The
    result has no other markup, so the element's textContent equals `body` exactly;
    offsets the browser measures in it are offsets into the stored text.
    """
    starts, ends = defaultdict(list), defaultdict(list)
    for passage in passages:
        starts[passage.start].append(passage)
        ends[passage.end].append(passage)
    bounds = sorted({0, len(body), *starts, *ends})
    active: dict[int, Annotation] = {}
    parts = []
    for begin, finish in pairwise(bounds):
        for passage in ends.get(begin, ()):
            active.pop(passage.pk, None)
        for passage in starts.get(begin, ()):
            active[passage.pk] = passage
        text = body[begin:finish]
        if not active:
            parts.append(escape(text))
            continue
        innermost = min(active.values(), key=lambda p: (p.end - p.start, -p.pk))
        first_tags = tag_ids.get(innermost.pk)
        classes = ["passage", f"tag-{first_tags[0]}" if first_tags else "untagged"]
        if len(active) > 1:
            classes.append("overlap")
        parts.append(
            format_html(
                '<mark class="{}" data-passages="{}">{}</mark>',
                " ".join(classes),
                " ".join(str(pk) for pk in active),
                text,
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


class WorkspaceAccessMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Annotators and editors: whoever may create passages."""

    permission_required = "annotations.add_annotation"


class WorkspaceArticleFilter(django_filters.FilterSet):
    outlet = django_filters.ModelChoiceFilter(
        queryset=Outlet.objects.all(), to_field_name="slug", empty_label="All outlets"
    )
    status = django_filters.ChoiceFilter(choices=Article.Status.choices, empty_label="Any status")

    class Meta:
        model = Article
        fields = ["outlet", "status"]


class WorkspaceIndexView(WorkspaceAccessMixin, FilterView):
    """`/workspace/`: the articles to work on, with my passage count and everyone else's."""

    filterset_class = WorkspaceArticleFilter
    template_name = "annotations/workspace_index.html"
    context_object_name = "articles"
    paginate_by = 50

    def get_queryset(self):
        user = self.request.user
        return (
            Article.objects.visible_to(user)
            .select_related("outlet")
            .only("title", "slug", "status", "published", "outlet__name")
            .annotate(
                my_count=Count("annotations", filter=Q(annotations__annotator=user)),
                others_count=Count("annotations", filter=~Q(annotations__annotator=user)),
            )
            .order_by("-published", "-id")
        )


class WorkspaceArticleView(WorkspaceAccessMixin, DetailView):
    """`/workspace/articles/<slug>/`: the body with its passages, ready for selecting."""

    template_name = "annotations/workspace_article.html"
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.visible_to(self.request.user).select_related("outlet")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, article = self.request.user, self.object
        passages = list(
            Annotation.objects.filter(article=article).anchored().for_api().order_by("start", "id")
        )
        tags = list(Tag.objects.only("id", "name", "slug"))
        tag_ids = {p.pk: [t.pk for t in p.tags.all()] for p in passages}
        context.update(
            body_html=highlighted_body(article.body, passages, tag_ids),
            tags=tags,
            organizations=organizations_ranked(article.pk),
            workspace_data={
                "article": article.pk,
                "user": user.get_username(),
                "tags": [{"id": t.pk, "slug": t.slug, "name": t.name} for t in tags],
                "passages": [
                    annotation_json(p)
                    | {
                        "can_edit": can_edit(user, p),
                        "can_delete": can_delete(user, p),
                    }
                    for p in passages
                ],
            },
        )
        return context
