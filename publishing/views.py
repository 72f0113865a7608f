"""The public site's pages: home, articles, outlets, organizations, passages and tags, and
the CSV export of passages (the article page itself is `publishing.article_page`)."""

from django import forms
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from annotations.models import Annotation, Tag, TaggedAnnotation, attach_tag_lists
from articles.models import Article, Organization, Outlet
from articles.org_tree import with_affiliates
from publishing.choosers import annotator_choices, article_choices
from publishing.exports import passages_csv
from publishing.facet_trees import (
    article_family_counts,
    families,
    organization_tree_options,
    organizations_rolled_up,
    passage_tag_counter,
    tag_tree_options,
)
from publishing.facets import (
    article_organization_facets,
    article_tag_facets,
    visible_article_organization_facets,
    visible_article_tag_facets,
)
from publishing.filters import ArticleFilterSet, PassageFilterSet
from publishing.listing import PREVIEW_SIZE, FacetedListMixin
from publishing.models import FacetCount
from publishing.page_cache import CachedPublicPageMixin
from publishing.presenters import Presenter


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
    template_engine = "jinja2"
    template_name = "publishing/passage_list.html"
    context_object_name = "passages"
    facet_listing = FacetCount.Listing.PASSAGES
    facet_parameters = (("tag", "Tag"), ("outlet", "Outlet"), ("organization", "Organization"))

    def get_queryset(self):
        # Built once per page: the listing, the annotator chooser and the tag facet's
        # tree each start from it, and building the rule (its open-round subquery) cost
        # more than cloning it.
        if not hasattr(self, "_visible"):
            self._visible = Annotation.objects.visible_to(self.request.user)
        return self._visible.all()

    def listing_rows(self, queryset):
        return queryset.for_listing_page()

    def page_rows(self, rows):
        return attach_tag_lists(list(rows))

    def present(self, presenter, rows):
        # Each row gets a slot for "Also in", which is loaded after the page
        # (`echoes.presenters`): an orphaned passage has no words in its article to echo.
        return [
            row if row.orphaned else row._replace(also_in=passage.pk)
            for row, passage in zip(presenter.passages(rows), rows, strict=True)
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The annotator chooser: one query (publishing.choosers). The article chooser's
        # titles are asked for once the field is used (`ArticleChoicesView`).
        form = self.filterset.form
        passages = self.get_queryset()
        current = form["annotator"].value() or ""
        annotators = [("", "Anyone"), *annotator_choices(passages, current)]
        form.fields["annotator"].widget = forms.Select(choices=annotators)
        form.fields["article"].widget = forms.TextInput(
            attrs={"list": "article-choices", "autocomplete": "off"}
        )
        return context

    def kept_organizations(self, parameters):
        if "organization" not in parameters:
            return []
        return list(self.filterset.organization_nodes())

    def roll_up(self, parameter, rows, options):
        """Organizations count their affiliates' passages too (`?organization=` finds them)."""
        if parameter != "organization":
            return options
        self._organizations_rolled = organizations_rolled_up(
            options, self.filterset.organization_nodes()
        )
        return self._organizations_rolled

    def arrange(self, parameter, rows, options):
        """The tag facet as a tree whose parents count their sub-tags' passages too; the
        organization facet as a tree of affiliates (`roll_up` counted them)."""
        if parameter == "organization":
            return organization_tree_options(
                options, self._organizations_rolled, self.filterset.organization_nodes()
            )
        if parameter != "tag":
            return options
        passages = self.get_queryset() if rows is None else rows
        return tag_tree_options(options, passage_tag_counter(passages), self.filterset.tag_nodes())

    def facet_counts(self, parameter, rows):
        if parameter == "tag":
            return rows.tag_facets()
        if parameter == "outlet":
            return rows.outlet_facets()
        return rows.organization_facets()


class ArticleChoicesView(CachedPublicPageMixin, View):
    """`/passages/article-choices.json`: the titles the passage listing's article filter
    suggests, `{"choices": [{"value": title, "slug": slug}]}`, newest first
    (`publishing.choosers.article_choices`: the articles holding passages the visitor may
    see). `static/js/article_choices.js` fills the field's `<datalist>` with them the
    first time the field is used: on every uncached `/passages/` page they cost a query
    over the newest thousand articles (181 ms at a million passages) and up to 40 KB of
    markup, for a field most visits never touch. Cached for anonymous visitors like the
    pages; without JavaScript the field takes a typed title or slug as before."""

    http_method_names = ["get", "head"]

    def get(self, request):
        choices = article_choices(Annotation.objects.visible_to(request.user))
        return JsonResponse(
            {"choices": [{"value": choice.value, "slug": choice.label} for choice in choices]}
        )


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
    template_engine = "jinja2"
    template_name = "publishing/tag_detail.html"
    context_object_name = "tag"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tagged = TaggedAnnotation.objects.filter(content_object=OuterRef("pk"), tag=self.object)
        passages = Annotation.objects.visible_to(self.request.user).filter(Exists(tagged))
        context["passage_count"] = passages.count()
        context["passages"] = attach_tag_lists(list(passages.for_listing_page()[:PREVIEW_SIZE]))
        context["passage_rows"] = Presenter().passages(context["passages"])
        return context


def visible_passages(request):
    return Annotation.objects.visible_to(request.user)


class ArticleListView(CachedPublicPageMixin, FacetedListMixin, FilterView):
    """`/articles/`: the published articles, filtered, with facet counts."""

    filterset_class = ArticleFilterSet
    template_engine = "jinja2"
    template_name = "publishing/article_list.html"
    context_object_name = "articles"
    facet_listing = FacetCount.Listing.ARTICLES
    facet_parameters = (("outlet", "Outlet"), ("organization", "Organization"), ("tag", "Tag"))
    match_legend = "Articles with passages of"

    def get_queryset(self):
        return Article.objects.visible_to(self.request.user)

    def listing_rows(self, queryset):
        return queryset.for_listing()

    def page_rows(self, rows):
        # The passage counts of the page's rows only: counted in the paged query itself,
        # PostgreSQL also counted every row the OFFSET skipped (page 5,000: 2.9 s).
        ordering = rows.query.order_by
        counted = (
            Article.objects.filter(pk__in=rows.values("pk"))
            .with_passage_counts(visible_passages(self.request))
            .for_listing()
        )
        return list(counted.order_by(*ordering) if ordering else counted)

    def present(self, presenter, rows):
        return presenter.articles(rows)

    def family_counter(self, facet, rows):
        """Per tag or organization with sub-tags or affiliates, the articles of `rows` (all
        the visitor may see when None) counting toward its family, each article once."""
        if self.counts_maintained():
            return lambda subtrees: article_family_counts(
                facet, subtrees, articles=rows, audience=self.audience()
            )
        return lambda subtrees: article_family_counts(
            facet, subtrees, articles=rows, passages=visible_passages(self.request)
        )

    def roll_up(self, parameter, rows, options):
        """An organization counts the articles of its affiliates too (`?organization=`
        finds them), each article once."""
        if parameter != "organization":
            return options
        nodes = self.filterset.organization_nodes()
        counted = self.family_counter(FacetCount.Facet.ORGANIZATION, rows)(families(nodes))
        self._organizations_rolled = organizations_rolled_up(options, nodes, counted)
        return self._organizations_rolled

    def arrange(self, parameter, rows, options):
        """The tag facet as a tree whose parents count the articles of their sub-tags too;
        the organization facet as a tree of affiliates (`roll_up` counted them)."""
        if parameter == "organization":
            return organization_tree_options(
                options, self._organizations_rolled, self.filterset.organization_nodes()
            )
        if parameter != "tag":
            return options
        counter = self.family_counter(FacetCount.Facet.TAG, rows)
        return tag_tree_options(options, counter, self.filterset.tag_nodes())

    def facet_counts(self, parameter, rows):
        if parameter == "outlet":
            return rows.outlet_facets()
        if not self.counts_maintained():
            # A blind coder: not the maintained pairs, which hold others' passages.
            passages = visible_passages(self.request)
            if parameter == "organization":
                return visible_article_organization_facets(rows, passages)
            return visible_article_tag_facets(rows, passages)
        if parameter == "organization":
            return article_organization_facets(rows, self.audience())
        return article_tag_facets(rows, self.audience())


class OutletDetailView(CachedPublicPageMixin, DetailView):
    """`/outlets/<slug>/`: an outlet and its latest articles."""

    model = Outlet
    template_engine = "jinja2"
    template_name = "publishing/outlet_detail.html"
    context_object_name = "outlet"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        articles = Article.objects.visible_to(self.request.user).for_outlet(self.object)
        context["article_count"] = articles.count()
        context["articles"] = list(articles.for_listing()[:PREVIEW_SIZE])
        context["article_rows"] = Presenter().articles(context["articles"])
        context["passage_count"] = (
            visible_passages(self.request).filter(article__outlet=self.object).count()
        )
        return context


class OrganizationDetailView(CachedPublicPageMixin, DetailView):
    """`/organizations/<slug>/`: articles that mention it, passages attributed to it or to
    its affiliates, per tag, and the affiliates themselves."""

    model = Organization
    template_engine = "jinja2"
    template_name = "publishing/organization_detail.html"
    context_object_name = "organization"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        articles = Article.objects.visible_to(self.request.user).mentioning(self.object)
        # Its own passages and its affiliates' (at every depth), as `?organization=` finds.
        family = with_affiliates([self.object.pk])
        passages = visible_passages(self.request).filter(organization_id__in=sorted(family))
        presenter = Presenter()
        context["parent"] = (
            Organization.objects.filter(pk=self.object.parent_id).only("name", "slug").first()
            if self.object.parent_id
            else None
        )
        context["affiliates"] = list(
            Organization.objects.filter(pk__in=family - {self.object.pk}).only(
                "name", "slug", "parent_id"
            )
        )
        context["article_count"] = articles.count()
        context["articles"] = list(articles.for_listing()[:PREVIEW_SIZE])
        context["article_rows"] = presenter.articles(context["articles"])
        context["passage_count"] = passages.count()
        context["passages"] = attach_tag_lists(list(passages.for_listing_page()[:PREVIEW_SIZE]))
        context["passage_rows"] = presenter.passages(context["passages"])
        context["tag_counts"] = passages.tag_facets()
        return context


def public_count(listing: str, facet: str):
    """The maintained public count of the outer row as an option of `facet` (0 if none)."""
    counts = FacetCount.objects.filter(
        listing=listing, audience=FacetCount.Audience.PUBLIC, facet=facet, value_id=OuterRef("pk")
    )
    return Coalesce(Subquery(counts.values("count")[:1]), 0)


class HomeView(CachedPublicPageMixin, TemplateView):
    """`/`: what the collection holds and where to start browsing.

    Every number is a maintained count (`publishing.facets`) of what anonymous visitors
    see: counting organizations through their articles and passages joined the whole
    archive (more than ten minutes at a million passages), the tags' passages 1.4 million
    rows.
    """

    template_engine = "jinja2"
    template_name = "publishing/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        L, Fc = FacetCount.Listing, FacetCount.Facet
        public = FacetCount.objects.filter(audience=FacetCount.Audience.PUBLIC)
        listed = Q(count__gt=0)
        totals = public.aggregate(
            articles=Coalesce(Sum("count", filter=Q(listing=L.ARTICLES, facet=Fc.TOTAL)), 0),
            outlets=Count(
                "pk",
                filter=listed
                & Q(listing=L.ARTICLES, facet=Fc.OUTLET)
                & Q(value_id__in=Outlet.objects.values("pk")),
            ),
            organizations=Count(
                "pk",
                filter=listed
                & Q(listing=L.ARTICLES, facet=Fc.ORGANIZATION)
                & Q(value_id__in=Organization.objects.values("pk")),
            ),
            passages=Coalesce(Sum("count", filter=Q(listing=L.PASSAGES, facet=Fc.TOTAL)), 0),
        )
        context["totals"] = {"articles": totals["articles"], "outlets": totals["outlets"]}
        context["organization_count"] = totals["organizations"]
        context["passage_count"] = totals["passages"]
        context["tags"] = list(
            Tag.objects.annotate(passage_count=public_count(L.PASSAGES, Fc.TAG)).order_by("name")
        )
        context["latest"] = list(Article.objects.published().for_listing()[:5])
        context["latest_rows"] = Presenter().articles(context["latest"])
        context["outlets"] = list(
            Outlet.objects.annotate(article_count=public_count(L.ARTICLES, Fc.OUTLET))
            .filter(article_count__gt=0)
            .order_by("name")
        )
        return context
