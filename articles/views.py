"""The public site's pages about articles, outlets and organizations, and the home page."""

from django.db.models import Count, Q
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from annotations.facets import audience_of, facet_options, facet_total
from annotations.highlighting import Span, highlight
from annotations.models import Annotation, FacetCount, Tag, TaggedAnnotation
from annotations.page_cache import CachedPublicPageMixin
from articles.filters import ArticleFilterSet
from articles.models import Article, Organization, Outlet

PAGE_SIZE = 20
PREVIEW_SIZE = 20
# Options shown per facet, largest first.
FACET_OPTIONS = 25
# A filtered listing counts, pages through and computes facets over at most this many
# matching rows; beyond it the page says "more than" and that facets are a sample.
# Search finds its candidates through the full-text index, at most this many.
MATCH_CAP = 1000


class FacetedListMixin:
    """A `FilterView` whose page is never an error and whose context carries facets.

    `facets()` returns `(parameter, label, options)` triples computed over the whole
    filtered set (not just the page); the page itself is fetched with `for_listing()`.
    """

    paginate_by = PAGE_SIZE
    facet_parameters: tuple[str, ...] = ()
    # Which maintained counts (annotations.facets) serve this listing when unfiltered.
    facet_listing: str = ""

    def unfiltered(self) -> bool:
        """True when no filter narrows the listing (paging and sorting do not).

        Then the row count and the facets come from the maintained counts instead of
        counting and grouping the whole archive on every view.
        """
        filterset = self.filterset
        if not filterset.is_bound:
            return True
        return filterset.is_valid() and not any(
            value for name, value in filterset.form.cleaned_data.items() if name != "ordering"
        )

    def audience(self) -> str:
        return audience_of(self.request.user)

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        # Pages search among the first MATCH_CAP index matches (the export among all).
        filterset.search_limit = MATCH_CAP + 1
        return filterset

    def matched(self, queryset) -> int:
        """How many rows the filters match, counted up to MATCH_CAP + 1 (one query).

        Sets `self.capped` when there are more: then the page says "more than", pages
        stop at MATCH_CAP rows and facets are computed over the first MATCH_CAP found.
        """
        if not hasattr(self, "_matched_ids"):
            # The ids, not just a count: the facets then group over at most MATCH_CAP
            # known rows instead of re-running the filters (a search) once per facet.
            self._matched_ids = list(
                self.object_list.order_by().values_list("pk", flat=True)[: MATCH_CAP + 1]
            )
            self.capped = len(self._matched_ids) > MATCH_CAP
        return len(self._matched_ids)

    def facet_base(self, queryset):
        """The rows facets are computed over: all matches, or the first MATCH_CAP."""
        self.matched(queryset)
        return queryset.model.objects.filter(pk__in=self._matched_ids[:MATCH_CAP])

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset.for_listing(), page_size)
        if self.facet_listing and self.unfiltered():
            paginator.count = facet_total(self.facet_listing, self.audience())
        else:
            paginator.count = min(self.matched(queryset), MATCH_CAP)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop(self.page_kwarg, None)
        context["querystring"] = query.urlencode()
        context["facets"] = [
            {
                "parameter": parameter,
                "label": label,
                "options": self.with_selected(parameter, options),
            }
            for parameter, label, options in self.facets(self.object_list)
        ]
        context["filtered"] = any(
            value for key, value in self.request.GET.lists() if key != self.page_kwarg
        )
        context["capped"] = getattr(self, "capped", False)
        context["match_cap"] = MATCH_CAP
        return context

    def with_selected(self, parameter, options):
        """Mark the selected options; keep selected ones with no result so they can be unticked."""
        selected = self.request.GET.getlist(parameter)
        known = {option["slug"] for option in options}
        # The largest options only (plus any selected): hundreds of checkboxes per facet
        # made rendering, not the database, most of a listing's time at archive scale.
        options = [
            option
            for rank, option in enumerate(options)
            if rank < FACET_OPTIONS or option["slug"] in selected
        ]
        merged = [{**option, "selected": option["slug"] in selected} for option in options]
        merged += [
            {"slug": slug, "name": slug, "count": 0, "selected": True}
            for slug in dict.fromkeys(selected)
            if slug not in known
        ]
        return merged

    def facets(self, queryset):
        return []


def visible_passages(request):
    return Annotation.objects.visible_to(request.user)


class ArticleListView(CachedPublicPageMixin, FacetedListMixin, FilterView):
    """`/articles/`: the published articles, filtered, with facet counts."""

    filterset_class = ArticleFilterSet
    template_name = "articles/article_list.html"
    context_object_name = "articles"
    facet_listing = FacetCount.Listing.ARTICLES

    def get_queryset(self):
        return Article.objects.visible_to(self.request.user)

    def paginate_queryset(self, queryset, page_size):
        queryset = queryset.with_passage_counts(visible_passages(self.request))
        return super().paginate_queryset(queryset, page_size)

    def facets(self, queryset):
        if self.unfiltered():
            listing, audience, F = self.facet_listing, self.audience(), FacetCount.Facet
            return [
                ("outlet", "Outlet", facet_options(listing, audience, F.OUTLET)),
                ("organization", "Organization", facet_options(listing, audience, F.ORGANIZATION)),
                ("tag", "Tag", facet_options(listing, audience, F.TAG)),
            ]
        passages = visible_passages(self.request)
        queryset = self.facet_base(queryset)
        return [
            ("outlet", "Outlet", queryset.outlet_facets()),
            ("organization", "Organization", queryset.organization_facets(passages)),
            ("tag", "Tag", queryset.tag_facets(passages)),
        ]


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


class OutletDetailView(CachedPublicPageMixin, DetailView):
    """`/outlets/<slug>/`: an outlet and its latest articles."""

    model = Outlet
    template_name = "articles/outlet_detail.html"
    context_object_name = "outlet"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        articles = Article.objects.visible_to(self.request.user).for_outlet(self.object)
        context["article_count"] = articles.count()
        context["articles"] = list(articles.for_listing()[:PREVIEW_SIZE])
        context["passage_count"] = (
            visible_passages(self.request).filter(article__outlet=self.object).count()
        )
        return context


class OrganizationDetailView(CachedPublicPageMixin, DetailView):
    """`/organizations/<slug>/`: articles that mention it, passages attributed to it, per tag."""

    model = Organization
    template_name = "articles/organization_detail.html"
    context_object_name = "organization"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        articles = Article.objects.visible_to(self.request.user).mentioning(self.object)
        passages = visible_passages(self.request).filter(organization=self.object)
        context["article_count"] = articles.count()
        context["articles"] = list(articles.for_listing()[:PREVIEW_SIZE])
        context["passage_count"] = passages.count()
        context["passages"] = list(passages.for_listing()[:PREVIEW_SIZE])
        context["tag_counts"] = passages.tag_facets()
        return context


class HomeView(CachedPublicPageMixin, TemplateView):
    """`/`: what the collection holds and where to start browsing."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        articles = Article.objects.published()
        context["totals"] = articles.aggregate(
            articles=Count("pk"), outlets=Count("outlet", distinct=True)
        )
        context["organization_count"] = (
            Organization.objects.filter(
                Q(articles__status=Article.Status.PUBLISHED)
                | Q(passages__in=Annotation.objects.published())
            )
            .distinct()
            .count()
        )
        context["passage_count"] = Annotation.objects.published().count()
        context["tags"] = list(Tag.objects.with_passage_counts().order_by("name"))
        context["latest"] = list(articles.for_listing()[:5])
        context["outlets"] = list(
            Outlet.objects.with_article_counts().filter(article_count__gt=0).order_by("name")
        )
        return context
