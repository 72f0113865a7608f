"""`/articles/<slug>/`: one article, its passages highlighted in the body and listed.

An article can carry hundreds of passages, so the per-passage work is plain Python over
`values_list()` rows, no model instances; the page is a Jinja2 template
(`templates/publishing/article_detail.html`) printing these rows and the highlighted
body (`publishing.highlighting`).
"""

from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.views.generic import DetailView

from annotations.models import Annotation, TaggedAnnotation
from articles.models import Article
from echoes.presenters import shown_echo
from publishing.highlighting import Span, highlight_passages
from publishing.page_cache import CachedPublicPageMixin
from publishing.presenters import FieldValue, Presenter, ShownDate, SlugURL, field_values
from publishing.views import visible_passages


class ListedTag(NamedTuple):
    pk: int
    name: str
    url: str


class ListedPassage(NamedTuple):
    """What the page shows of one passage (offsets are code points into the body)."""

    pk: int
    start: int
    end: int
    quote: str
    note: str
    draft: bool
    orphaned: bool
    organization_name: str | None
    organization_url: str | None
    annotator: str
    tags: list[ListedTag]
    # The highlight (`hl-<anchor>`) its "Show in text" link leads to; None: not placed.
    anchor: str | None = None
    # Its tag field values (`publishing.presenters.field_values`).
    fields: list[FieldValue] = []


ANCHOR = ListedPassage._fields.index("anchor")


class RevisionNote(NamedTuple):
    """ "Revised N times; last on <date>: <reason> (<comment>)", with its two links."""

    times: int
    # The latest revision's date, reason (lower case) and comment; None: no record of it.
    last: ShownDate | None
    reason: str
    comment: str
    diff_url: str
    list_url: str


def revision_note(article: Article) -> RevisionNote | None:
    """The note of a revised article (one query); None at its first revision."""
    if article.revision <= 1:
        return None
    revision = article.revisions.order_by("-number").first()
    last = None
    if revision is not None:
        created = localtime(revision.created)
        last = ShownDate(date_format(created, "c"), date_format(created, "j F Y"))
    return RevisionNote(
        times=article.revision - 1,
        last=last,
        reason=revision.get_reason_display().lower() if revision else "",
        comment=revision.comment if revision else "",
        diff_url=reverse("article-revision-diff", args=[article.slug, article.revision]),
        list_url=reverse("article-revisions", args=[article.slug]),
    )


def listed_passages(passages, article: Article) -> list[ListedPassage]:
    """The article's passages in `passages`, in body order, with their tags: two queries."""
    orphaned_status = Annotation.AnchorStatus.ORPHANED
    draft_status = Annotation.Status.DRAFT
    passages = passages.filter(article=article)
    rows = list(
        passages.values_list(
            "pk",
            "start",
            "end",
            "exact",
            "note",
            "status",
            "anchor_status",
            "organization__name",
            "organization__slug",
            f"annotator__{get_user_model().USERNAME_FIELD}",
            "fields",
        )
    )
    tags: dict[int, list[ListedTag]] = {row[0]: [] for row in rows}
    tag_by_pk: dict[int, ListedTag] = {}
    tag_url = SlugURL("tag-detail")
    tagged = (
        # Tags of all the article's passages, those not shown skipped below: binding 500
        # ids cost twice the query, and a subquery repeats the visibility joins.
        TaggedAnnotation.objects.filter(content_object__article=article)
        .order_by("pk")
        .values_list("content_object_id", "tag_id", "tag__name", "tag__slug")
    )
    for passage_pk, tag_pk, name, slug in tagged:
        passage_tags = tags.get(passage_pk)
        if passage_tags is None:
            continue
        tag = tag_by_pk.get(tag_pk)
        if tag is None:
            tag = tag_by_pk[tag_pk] = ListedTag(tag_pk, name, tag_url(slug))
        passage_tags.append(tag)
    organization_url = SlugURL("organization-detail")
    passages_url = reverse("passage-list")
    body = article.body
    result = []
    for (
        pk,
        start,
        end,
        exact,
        note,
        status,
        anchor_status,
        org_name,
        org_slug,
        user,
        values,
    ) in rows:
        orphaned = anchor_status == orphaned_status
        result.append(
            ListedPassage(
                pk,
                start,
                end,
                # What the reader sees is the body's own text at the passage's offsets.
                exact if orphaned else body[start:end],
                note,
                status == draft_status,
                orphaned,
                org_name,
                None if org_slug is None else organization_url(org_slug),
                user,
                tags[pk],
                fields=field_values(values, passages_url) if values else [],
            )
        )
    return result


def passage_spans(passages: list[ListedPassage]) -> list[Span]:
    """Highlight spans of the passages still found in the body (orphans are not placed)."""
    spans = []
    for passage in passages:
        if passage.orphaned:
            continue
        label = ", ".join(tag.name for tag in passage.tags) or "untagged"
        if passage.organization_name:
            label += f" ({passage.organization_name})"
        tag_id = passage.tags[0].pk if passage.tags else None
        spans.append(Span(passage.pk, passage.start, passage.end, tag_id, label))
    return spans


class ArticleDetailView(CachedPublicPageMixin, DetailView):
    """`/articles/<slug>/`: the article with every visible passage highlighted and listed."""

    template_engine = "jinja2"
    template_name = "publishing/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.visible_to(self.request.user).select_related("outlet")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        passages = listed_passages(visible_passages(self.request), article)
        highlighted = highlight_passages(article.body, passage_spans(passages))
        # Each passage with the highlight its "Show in text" leads to (as text), remade as
        # plain tuples: `_replace` costs a keyword call for each of hundreds.
        make, anchors = ListedPassage._make, highlighted.anchors
        context["passages"] = [
            make(
                (
                    *passage[:ANCHOR],
                    str(anchors[passage.pk]) if passage.pk in anchors else None,
                    *passage[ANCHOR + 1 :],
                )
            )
            for passage in passages
        ]
        context["body"] = highlighted
        # The tags the entries show, each once (the template prints each chip once).
        context["chip_tags"] = list({tag.pk: tag for p in passages for tag in p.tags}.values())
        context["organizations"] = list(article.organizations.only("name", "slug"))
        presenter = Presenter()
        context["published"] = presenter.date(article.published, "j F Y")
        # The words an "Also in" link on another page points at (`?echo=<start>-<end>`).
        # "Also in" itself is loaded after the page (`echoes.presenters`).
        context["shown_echo"] = shown_echo(self.request.GET, article.body)
        # One more query, only for revised articles: when and why it last changed.
        context["revision_note"] = revision_note(article)
        return context
