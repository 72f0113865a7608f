"""`/articles/<slug>/`: one article, its passages highlighted in the body and listed.

An article can carry hundreds of passages, so the per-passage work is plain Python over
`values_list()` rows: no model instances, no template loop (the template engine costs
per variable, filter and tag, and 500 list entries were most of the page's time). Every
piece of text is escaped with `escape` before it is joined into markup.
"""

import re
import uuid
from html import escape
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.generic import DetailView

from annotations.models import Annotation, TaggedAnnotation
from articles.models import Article
from publishing.highlighting import Span, highlight_passages
from publishing.page_cache import CachedPublicPageMixin
from publishing.views import visible_passages

# `escape` is the standard library's: `django.utils.html.escape` is exactly
# `SafeString(html.escape(str(text)))`, behind a lazy-string wrapper that costs more
# than the escaping over a few thousand pieces.


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


class SlugURL:
    """`reverse(name, kwargs={"slug": slug})`, reversed once per page instead of per row.

    A slug of the `slug` converter's characters is put in place of a reversed sample
    (they need no quoting, so the result is what `reverse` returns); anything else goes
    through `reverse` itself.
    """

    SAMPLE = "slug-sample"
    PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")

    def __init__(self, name: str):
        self.name = name
        self.prefix, sample, self.suffix = reverse(name, kwargs={"slug": self.SAMPLE}).rpartition(
            self.SAMPLE
        )
        if not sample:
            raise ValueError(f"{name}'s URL does not show its slug")
        self.cache: dict[str, str] = {}

    def __call__(self, slug: str) -> str:
        url = self.cache.get(slug)
        if url is None:
            if self.PLAIN_SLUG.fullmatch(slug):
                url = self.prefix + slug + self.suffix
            else:
                url = reverse(self.name, kwargs={"slug": slug})
            self.cache[slug] = url
        return url


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
    body = article.body
    result = []
    for pk, start, end, exact, note, status, anchor_status, org_name, org_slug, user in rows:
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


def passage_list_html(passages: list[ListedPassage], anchors: dict[int, int]) -> SafeString:
    """The `<li>` entries of the passage list, every text escaped.

    `anchors` maps a passage to the highlight (`hl-<anchor>`) its "Show in text" link
    leads to; a passage not placed in the body has no such link. Chips, organization
    links and annotator names repeat across entries, so each is escaped once.
    """
    if not passages:
        return mark_safe("<li>No passages marked yet.</li>")  # noqa: S308
    chips: dict[int, str] = {}
    organizations: dict[str, str] = {}
    annotators: dict[str, str] = {}
    entries = []
    for passage in passages:
        # Ids are ints (int() makes sure): their digits need no escaping.
        pk = int(passage.pk)
        tags = passage.tags
        if tags:
            chip_list = []
            for tag in tags:
                chip = chips.get(tag.pk)
                if chip is None:
                    chip = chips[tag.pk] = (
                        f'<a class="tag-chip tag-{int(tag.pk)}" href="{escape(tag.url)}">'
                        f"{escape(tag.name)}</a> "
                    )
                chip_list.append(chip)
            quote_class = f"quote tag-{int(tags[0].pk)}"
            chip_html = "".join(chip_list)
        else:
            quote_class = "quote"
            chip_html = '<span class="muted">No tag</span>'
        badges = ""
        if passage.draft:
            badges += '\n<span class="draft-badge">Draft</span>'
        if passage.orphaned:
            badges += (
                '\n<span class="draft-badge">Orphaned: text no longer found, not highlighted</span>'
            )
        organization = ""
        if passage.organization_url is not None:
            organization = organizations.get(passage.organization_url)
            if organization is None:
                organization = organizations[passage.organization_url] = (
                    f'<p class="meta">Attributed to <a href="{escape(passage.organization_url)}">'
                    f"{escape(passage.organization_name)}</a></p>\n"
                )
        note = ""
        if passage.note:
            note = f'<p class="note"><span class="label">Note:</span> {escape(passage.note)}</p>\n'
        annotator = annotators.get(passage.annotator)
        if annotator is None:
            annotator = annotators[passage.annotator] = escape(passage.annotator)
        anchor = anchors.get(passage.pk)
        show = "" if anchor is None else f' · <a href="#hl-{int(anchor)}">Show in text</a>'
        entries.append(
            f'<li id="passage-{pk}" class="passage-entry" tabindex="-1">\n'
            f'<blockquote><p><mark class="{quote_class}">{escape(passage.quote)}</mark>'
            f'</p></blockquote>\n<p class="meta">{chip_html}{badges}</p>\n'
            f'{organization}{note}<p class="meta">Coded by {annotator}{show}</p>\n</li>'
        )
    # Every entry is markup around escaped text or ints.
    return mark_safe("\n".join(entries))  # noqa: S308


class Fragment:
    """Escaped HTML placed by `SplicedTemplateResponse`: the template sees only a marker.

    `html` must be safe (escaped text and markup built around it), as for `mark_safe`.
    """

    def __init__(self, html: SafeString):
        self.html = html
        # Letters, digits and dashes, so it reads the same escaped or not; random and new
        # for every page, so no text a user wrote can carry it.
        self.marker = f"gloss-fragment-{uuid.uuid4().hex}"

    def __str__(self) -> str:
        return self.marker


class SplicedTemplateResponse(TemplateResponse):
    """A TemplateResponse that splices its `Fragment`s into the page after rendering.

    The template engine joins and copies its whole output again at every level (node
    list, block, extends): for a 500-passage article, about 1 MB of text four times over,
    a fifth of the page's time. Rendered as markers, the fragments instead go straight
    from their own encoding into the response's bytes, wherever the template put them.
    """

    @property
    def rendered_content(self) -> bytes:
        fragments = [value for value in self.context_data.values() if isinstance(value, Fragment)]
        parts: list[str | bytes] = [super().rendered_content]
        for fragment in fragments:
            encoded = fragment.html.encode(self.charset)
            spliced: list[str | bytes] = []
            for part in parts:
                if isinstance(part, bytes):
                    spliced.append(part)
                    continue
                for index, piece in enumerate(part.split(fragment.marker)):
                    if index:
                        spliced.append(encoded)
                    spliced.append(piece)
            parts = spliced
        # The `content` setter takes bytes as they are.
        return b"".join(
            part if isinstance(part, bytes) else part.encode(self.charset) for part in parts
        )


class ArticleDetailView(CachedPublicPageMixin, DetailView):
    """`/articles/<slug>/`: the article with every visible passage highlighted and listed."""

    template_name = "publishing/article_detail.html"
    context_object_name = "article"
    response_class = SplicedTemplateResponse

    def get_queryset(self):
        return Article.objects.visible_to(self.request.user).select_related("outlet")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        passages = listed_passages(visible_passages(self.request), article)
        highlighted = highlight_passages(article.body, passage_spans(passages))
        context["passages"] = passages
        context["body_html"] = Fragment(highlighted.html)
        context["passage_list_html"] = Fragment(passage_list_html(passages, highlighted.anchors))
        context["organizations"] = list(article.organizations.only("name", "slug"))
        # One more query, only for revised articles: when and why it last changed.
        context["latest_revision"] = (
            article.revisions.order_by("-number").first() if article.revision > 1 else None
        )
        return context
