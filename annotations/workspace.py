"""The annotation workspace: pick an article, select passages in it, code them.

The pages are rendered here, the article body by the public page's highlighter
(`publishing.highlighting`); every write goes from static/js/workspace.js through the
JSON API (annotations/api.py) to the actions, exactly like a script's would, and the
script then fetches the body again (`?part=body`) rather than drawing it itself.
"""

from decimal import Decimal

import django_filters
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.views.generic import DetailView
from django_filters.views import FilterView

from annotations import tag_fields
from annotations.api import annotation_json, organizations_ranked
from annotations.models import Annotation, Tag, TagField, TaggedAnnotation
from annotations.permissions import can_delete, can_edit
from articles.models import Article, Outlet
from publishing.highlighting import Span, highlight_passages
from rounds.models import Round, blind_articles_of, open_round_articles_of


def first_tag():
    """The id of the passage's first tag, in the order tags were added: its colour."""
    tagged = TaggedAnnotation.objects.filter(content_object=OuterRef("pk")).order_by("pk")
    return Subquery(tagged.values("tag_id")[:1])


def passage_spans(passages, organizations: dict[int, str]) -> list[Span]:
    """The passages as the public article page highlights them (`publishing.article_page`):
    coloured by the first tag added, labelled with their tags and organization (the
    colouring tag first; the page's prefetch has the others by name)."""
    spans = []
    for passage in passages:
        tags = sorted(passage.tags.all(), key=lambda tag: tag.pk != passage.first_tag)
        label = ", ".join(tag.name for tag in tags) or "untagged"
        if passage.organization_id in organizations:
            label += f" ({organizations[passage.organization_id]})"
        spans.append(Span(passage.pk, passage.start, passage.end, passage.first_tag, label))
    return spans


def field_help(field: TagField) -> str:
    """The hint under a field's input: its kind and bounds."""
    if field.kind == TagField.Kind.ORGANIZATION:
        return "An organization's name, from the list."
    if field.kind not in tag_fields.NUMERIC_KINDS:
        return ""
    words = ["A whole number" if field.kind == TagField.Kind.INTEGER else "A number"]
    if field.minimum is not None:
        words.append(f"at least {tag_fields.number_text(Decimal(str(field.minimum)))}")
    if field.maximum is not None:
        words.append(f"at most {tag_fields.number_text(Decimal(str(field.maximum)))}")
    return ", ".join(words) + "."


def tag_field_groups(tags) -> tuple[list[dict], dict[str, str]]:
    """The passage form's fieldsets (each tag with fields, in the tags' order, its fields in
    position order) and every field's kind by key (one query)."""
    by_tag: dict[int, list[TagField]] = {}
    for field in TagField.objects.in_order():
        field.help = field_help(field)
        by_tag.setdefault(field.tag_id, []).append(field)
    groups = [{"tag": tag, "fields": by_tag[tag.pk]} for tag in tags if tag.pk in by_tag]
    kinds = {
        tag_fields.key(group["tag"].slug, field.name): field.kind
        for group in groups
        for field in group["fields"]
    }
    return groups, kinds


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
                # Others' passages the user may see: none on a blind round's articles.
                others_count=Count(
                    "annotations",
                    filter=~Q(annotations__annotator=user) & ~Q(pk__in=blind_articles_of(user)),
                ),
            )
            # The articles the user codes in open rounds come first.
            .annotate(
                assigned=Exists(open_round_articles_of(user).filter(article_id=OuterRef("pk")))
            )
            .order_by("-assigned", "-published", "-id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["my_rounds"] = list(
            Round.objects.open().coded_by(self.request.user).order_by("-created", "-pk")
        )
        return context


class WorkspaceArticleView(WorkspaceAccessMixin, DetailView):
    """`/workspace/articles/<slug>/`: the body with its passages, ready for selecting."""

    template_name = "annotations/workspace_article.html"
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.visible_to(self.request.user).select_related("outlet")

    def get_template_names(self):
        # `?part=body`: only the highlighted body and its data, which workspace.js fetches
        # after a write instead of drawing the highlights itself.
        if self.request.GET.get("part") == "body":
            return [f"{self.template_name}#article-body"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, article = self.request.user, self.object
        passages = list(
            Annotation.objects.visible_to(user)
            .filter(article=article)
            .anchored()
            .for_api()
            .annotate(first_tag=first_tag())
            .order_by("start", "id")
        )
        tags = list(Tag.objects.only("id", "name", "slug"))
        groups, kinds = tag_field_groups(tags)
        organizations = organizations_ranked(article.pk)
        names = {organization.pk: organization.name for organization, _ in organizations}
        spans = passage_spans(passages, names)
        context.update(
            # The same segmenter and template as the public article page, unlinked: the
            # element's textContent is the body, so the browser's offsets are ours.
            body_html=highlight_passages(article.body, spans, linked=False).html,
            tags=tags,
            tag_field_groups=groups,
            organizations=organizations,
            workspace_data={
                "article": article.pk,
                "user": user.get_username(),
                "tags": [{"id": t.pk, "slug": t.slug, "name": t.name} for t in tags],
                "passages": [
                    annotation_json(p, kinds)
                    | {
                        "can_edit": can_edit(user, p),
                        "can_delete": can_delete(user, p),
                    }
                    for p in passages
                ],
            },
        )
        return context
