"""What the public pages show of a row, precomputed so their templates only print.

A page builds one `Presenter`, which reverses each URL name once and formats each date
once (a page's rows share outlets, tags and dates), and turns its articles, passages and
facets into the small immutable rows below. Text stays text: the templates escape it.
"""

import re
from datetime import date
from typing import NamedTuple
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import date_format

from annotations.models import Annotation
from articles.models import Article


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


class ShownDate(NamedTuple):
    """A date as `<time datetime="{{ iso }}">{{ text }}</time>` shows it."""

    iso: str
    text: str


class TagChip(NamedTuple):
    pk: int
    name: str
    url: str


class ArticleRow(NamedTuple):
    """One `article-item`: title, outlet, date, author, passage count (None: not shown)."""

    url: str
    title: str
    draft: bool
    outlet_name: str
    outlet_url: str
    published: ShownDate | None
    author: str
    passage_count: int | None


class FieldValue(NamedTuple):
    """One tag field value of a passage: its key (`statistic.value`), the value as
    stored, and the passage listing filtered to that value."""

    key: str
    value: str
    url: str


def field_values(values: dict, passages_url: str) -> list[FieldValue]:
    """A passage's `fields`, by key in code-point order (no query: keys name themselves)."""
    return [
        FieldValue(key, values[key], f"{passages_url}?{urlencode({'field.' + key: values[key]})}")
        for key in sorted(values or ())
    ]


class PassageRow(NamedTuple):
    """One `passage-item`: the quote in its context, tag chips, where it is from."""

    prefix: str
    exact: str
    suffix: str
    tags: list[TagChip]
    # The colour of the quote: the first tag added (`tag-<id>`), None when untagged.
    tag_id: int | None
    draft: bool
    orphaned: bool
    organization_name: str | None
    organization_url: str | None
    # The passage in its article: `…/articles/<slug>/#passage-<id>`.
    in_article_url: str
    article_title: str
    article_draft: bool
    outlet_name: str
    outlet_url: str
    published: ShownDate | None
    note: str
    annotator: str
    # The passage's id when the row shows where else its words ran ("Also in", loaded
    # after the page by `static/js/also_in.js`: `echoes.presenters`).
    also_in: int | None = None
    fields: list[FieldValue] = []


class FacetOption(NamedTuple):
    """One checkbox of a facet: `id="{{ field_id }}" name="<parameter>" value="{{ slug }}"`."""

    slug: str
    name: str
    count: int
    selected: bool
    tag_id: int | None
    field_id: str
    # How deep the option sits in its tree (the tag facet's sub-tags: 1, 2...).
    depth: int = 0


class FacetBox(NamedTuple):
    """One facet's fieldset; `errors`: the form's errors for its parameter."""

    parameter: str
    label: str
    capped: bool
    errors: list[str]
    options: list[FacetOption]
    # How its ticked options combine, when the listing lets visitors choose
    # (`tag_match`: "any" or "all"); None: always any. `match_legend` names the rows.
    match: str | None = None
    match_legend: str = "Passages with"


class Presenter:
    """One page's rows. Reuse it for every row of the page (its caches are per page)."""

    def __init__(self):
        self.article_url = SlugURL("article-detail")
        self.outlet_url = SlugURL("outlet-detail")
        self.tag_url = SlugURL("tag-detail")
        self.organization_url = SlugURL("organization-detail")
        self.passages_url = reverse("passage-list")
        self._dates: dict[tuple[date, str], ShownDate] = {}

    def date(self, value: date | None, style: str) -> ShownDate | None:
        if value is None:
            return None
        shown = self._dates.get((value, style))
        if shown is None:
            shown = ShownDate(date_format(value, "Y-m-d"), date_format(value, style))
            self._dates[(value, style)] = shown
        return shown

    def article(self, article: Article) -> ArticleRow:
        outlet = article.outlet
        return ArticleRow(
            url=self.article_url(article.slug),
            title=article.title,
            draft=article.status == Article.Status.DRAFT,
            outlet_name=outlet.name,
            outlet_url=self.outlet_url(outlet.slug),
            published=self.date(article.published, "j F Y"),
            author=article.author,
            passage_count=getattr(article, "passage_count", None),
        )

    def articles(self, articles) -> list[ArticleRow]:
        return [self.article(article) for article in articles]

    def passage(self, passage: Annotation) -> PassageRow:
        # The list a page attached (`attach_tag_lists`, in the order tags were added).
        tags = getattr(passage, "tag_list", None)
        if tags is None:
            tags = list(passage.tags.all())
        article, organization = passage.article, passage.organization
        outlet = article.outlet
        return PassageRow(
            prefix=passage.prefix,
            exact=passage.exact,
            suffix=passage.suffix,
            tags=[TagChip(tag.pk, tag.name, self.tag_url(tag.slug)) for tag in tags],
            tag_id=tags[0].pk if tags else None,
            draft=passage.status == Annotation.Status.DRAFT,
            orphaned=passage.anchor_status == Annotation.AnchorStatus.ORPHANED,
            organization_name=organization.name if organization else None,
            organization_url=self.organization_url(organization.slug) if organization else None,
            in_article_url=f"{self.article_url(article.slug)}#passage-{passage.pk}",
            article_title=article.title,
            article_draft=article.status == Article.Status.DRAFT,
            outlet_name=outlet.name,
            outlet_url=self.outlet_url(outlet.slug),
            published=self.date(article.published, "j M Y"),
            note=passage.note,
            annotator=passage.annotator.get_username(),
            fields=field_values(passage.fields, self.passages_url),
        )

    def passages(self, passages) -> list[PassageRow]:
        return [self.passage(passage) for passage in passages]

    def facets(
        self, facets: list[dict], form, match_legend: str = "Passages with"
    ) -> list[FacetBox]:
        """`FacetedListMixin.facets()` as fieldsets, with the form's errors for each."""
        boxes = []
        for facet in facets:
            parameter = facet["parameter"]
            errors = form.errors.get(parameter) if form.is_bound else None
            options = [
                FacetOption(
                    option["slug"],
                    option["name"],
                    option["count"],
                    option["selected"],
                    option.get("tag_id"),
                    f"f-{parameter}-{counter}",
                    option.get("depth", 0),
                )
                for counter, option in enumerate(facet["options"], 1)
            ]
            match = None
            if parameter == "tag" and "tag_match" in form.fields:
                match = "all" if form["tag_match"].value() == "all" else "any"
            boxes.append(
                FacetBox(
                    parameter,
                    facet["label"],
                    facet["capped"],
                    list(errors or ()),
                    options,
                    match,
                    match_legend,
                )
            )
        return boxes
