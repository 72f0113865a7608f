"""`/articles/<slug>/`: one article, its passages highlighted in the body and listed."""

from django.views.generic import DetailView

from annotations.highlighting import Span, highlight
from annotations.models import Annotation, Tag, TaggedAnnotation
from annotations.page_cache import CachedPublicPageMixin
from articles.models import Article
from articles.views import visible_passages


def passage_spans(article: Article, passages) -> list[Span]:
    """Highlight spans of the passages still found in the body (orphans are not placed)."""
    spans = []
    for passage in passages:
        if passage.anchor_status == Annotation.AnchorStatus.ORPHANED:
            continue
        tags = passage.tag_list if hasattr(passage, "tag_list") else list(passage.tags.all())
        label = ", ".join(tag.name for tag in tags) or "untagged"
        if passage.organization:
            label += f" ({passage.organization.name})"
        spans.append(
            Span(
                id=passage.pk,
                start=passage.start,
                end=passage.end,
                tag_id=tags[0].pk if tags else None,
                label=label,
            )
        )
    return spans


class ArticleDetailView(CachedPublicPageMixin, DetailView):
    """`/articles/<slug>/`: the article with every visible passage highlighted and listed."""

    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.visible_to(self.request.user).select_related("outlet")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        passages = list(
            visible_passages(self.request)
            .filter(article=article)
            .select_related("organization", "annotator")
        )
        # The passages' tags in one query (what prefetch_related("tags") costs), read
        # as plain lists: taggit builds a filtered queryset on every `passage.tags`
        # access, and that plus an include and a reverse() per chip were a third of a
        # 500-passage page's time.
        tag_lists: dict[int, list[Tag]] = {passage.pk: [] for passage in passages}
        tag_urls: dict[int, str] = {}
        tagged = (
            TaggedAnnotation.objects.filter(content_object_id__in=list(tag_lists))
            .select_related("tag")
            .order_by("pk")
        )
        for item in tagged:
            tag = item.tag
            if tag.pk not in tag_urls:
                tag_urls[tag.pk] = tag.get_absolute_url()
            tag.url = tag_urls[tag.pk]
            tag_lists[item.content_object_id].append(tag)
        for passage in passages:
            passage.orphaned = passage.anchor_status == Annotation.AnchorStatus.ORPHANED
            passage.tag_list = tag_lists[passage.pk]
            # What the reader sees is the body's own text at the passage's offsets.
            passage.quote = (
                passage.exact if passage.orphaned else article.body[passage.start : passage.end]
            )
        context["passages"] = passages
        context["body_html"] = highlight(article.body, passage_spans(article, passages))
        context["organizations"] = list(article.organizations.all())
        # One more query, only for revised articles: when and why it last changed.
        context["latest_revision"] = (
            article.revisions.order_by("-number").first() if article.revision > 1 else None
        )
        return context
