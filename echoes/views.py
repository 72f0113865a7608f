"""`/echoes/`: the first appearance of each quote, who ran it first and who repeated it;
`/echoes/also-in/?passage=<id>&...`, the "Also in" of a page's passages; and
`/echoes/passages/<id>/`, the same for one passage as a page (what a reader without
JavaScript follows from the slot the script would fill).

The passages tagged `quote` that the /passages/ filters select (the same FilterSet, so
the same parameters and the same errors), a page at a time; for each, its own article and
its echoes (`echoes.finding`, two queries for the page) ordered by publication: the
first is where the words appeared first, the other outlets repeated them. A quote coded
in several of those articles (as "code the echoes too" does) is listed once, at its
earliest coded appearance.
"""

from datetime import date
from typing import NamedTuple

from django import forms
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView
from django_filters.views import FilterView

from annotations.models import Annotation
from articles.models import Article
from cms.jsonapi import ApiError
from echoes.finding import echoes_of, passage_text
from echoes.presenters import BATCH_PASSAGES, also_in, echo_url
from publishing.filters import IdField, PassageFilterSet
from publishing.page_cache import CachedPublicPageMixin
from publishing.presenters import Presenter, ShownDate

QUOTE_TAG = "quote"
PAGE_SIZE = 50


class Appearance(NamedTuple):
    outlet: str
    published: ShownDate | None
    url: str
    title: str


class QuoteRow(NamedTuple):
    """One quote: its words, where it ran first, and every appearance in date order."""

    exact: str
    first: Appearance
    appearances: list[Appearance]
    # Outlets other than the first one's that ran the words.
    repeated_by: int


class FirstAppearanceView(CachedPublicPageMixin, FilterView):
    filterset_class = PassageFilterSet
    template_engine = "jinja2"
    template_name = "echoes/first_appearance.html"
    paginate_by = PAGE_SIZE
    context_object_name = "passages"

    def get_queryset(self):
        return (
            Annotation.objects.visible_to(self.request.user)
            .filter(tags__slug=QUOTE_TAG)
            .select_related("article__outlet")
            .only(
                "start",
                "end",
                "exact",
                "prefix",
                "suffix",
                "article_id",
                "article__slug",
                "article__title",
                "article__published",
                "article__outlet__name",
            )
            .order_by("article__published", "article_id", "start", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        passages = list(context["passages"])
        found = echoes_of(
            [passage_text(p) for p in passages], Article.objects.visible_to(self.request.user)
        )
        presenter = Presenter()
        rows, seen = [], set()
        for passage in passages:
            article = passage.article
            if any(a == article.pk and s <= passage.start and passage.end <= e for a, s, e in seen):
                continue  # coded again where an earlier quote's words ran: listed there
            own = Appearance(
                article.outlet.name,
                presenter.date(article.published, "j M Y"),
                f"{presenter.article_url(article.slug)}#passage-{passage.pk}",
                article.title,
            )
            dated = [(article.published, own, article.outlet.name)]
            for echo in found[passage.pk]:
                seen.add((echo.article_id, echo.start, echo.end))
                dated.append(
                    (
                        echo.published,
                        Appearance(
                            echo.outlet,
                            presenter.date(echo.published, "j M Y"),
                            echo_url(presenter, echo),
                            echo.article_title,
                        ),
                        echo.outlet,
                    )
                )
            # Undated articles last; a tie keeps the coded article first.
            dated.sort(key=lambda item: (item[0] is None, item[0] or date.min))
            first_outlet = dated[0][2]
            rows.append(
                QuoteRow(
                    passage.exact,
                    dated[0][1],
                    [appearance for _, appearance, _ in dated],
                    len({outlet for _, _, outlet in dated} - {first_outlet}),
                )
            )
        context["rows"] = rows
        query = self.request.GET.copy()
        query.pop("page", None)
        context["querystring"] = query.urlencode()
        return context


def asked_passages(query) -> list[int]:
    """The ids of `?passage=<id>&passage=<id>...`, in order, each once; an ApiError (400)
    for none, too many, or one that is not a row id."""
    values = query.getlist("passage")
    if not values:
        raise ApiError(400, "invalid_filter", "Give the passages as ?passage=<id>.")
    if len(values) > BATCH_PASSAGES:
        message = f"Ask for at most {BATCH_PASSAGES} passages at a time, not {len(values)}."
        raise ApiError(400, "too_many_passages", message)
    field = IdField()
    try:
        return list(dict.fromkeys(field.clean(value) for value in values))
    except forms.ValidationError as error:
        message = f"Each passage is a row id: {error.messages[0]}"
        raise ApiError(400, "invalid_filter", message) from error


class AlsoInView(CachedPublicPageMixin, View):
    """`GET /echoes/also-in/?passage=<id>&...`: for each passage the reader may see and
    whose words are in its article, the other articles (that reader may see) that ran
    them, earliest first: `{"also_in": {"<id>": [{"outlet", "published": {"iso",
    "text"} | null, "url", "title"}]}, "more": {"<id>": "<url>"}}`. Passages not visible,
    unknown or orphaned are left out. `more` names the passages whose list may be
    incomplete (the request read a bounded number of candidate articles) with the
    address of their own echoes page, which reads every candidate. Cached for anonymous
    readers like the pages, per corpus version."""

    http_method_names = ["get", "head"]

    def get(self, request):
        try:
            ids = asked_passages(request.GET)
        except ApiError as error:
            return error.response()
        passages = (
            Annotation.objects.visible_to(request.user)
            .filter(pk__in=ids)
            .exclude(anchor_status=Annotation.AnchorStatus.ORPHANED)
            .only("pk", "article_id", "exact", "prefix", "suffix")
            .order_by()
        )
        found = also_in([passage_text(p) for p in passages], request.user, Presenter())
        return JsonResponse(
            {
                "also_in": {
                    str(pk): [row.as_json() for row in rows] for pk, rows in found.rows.items()
                },
                "more": {str(pk): reverse("echoes-passage", args=[pk]) for pk in sorted(found.cut)},
            }
        )


class PassageEchoesView(CachedPublicPageMixin, TemplateView):
    """`/echoes/passages/<id>/`: the other articles (that the reader may see) that ran a
    passage's words, earliest first, with links to the very words: the "Also in" of
    `AlsoInView` as a page, every candidate article read. 404 for a passage the reader
    may not see, or an orphaned one (it has no words in its article to echo)."""

    template_engine = "jinja2"
    template_name = "echoes/passage_echoes.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        passage = (
            Annotation.objects.visible_to(self.request.user)
            .exclude(anchor_status=Annotation.AnchorStatus.ORPHANED)
            .select_related("article__outlet")
            .filter(pk=kwargs["pk"])
            .first()
        )
        if passage is None:
            raise Http404("No such passage.")
        presenter = Presenter()
        article = passage.article
        found = also_in([passage_text(passage)], self.request.user, presenter, bounded=False)
        context.update(
            passage=passage,
            article_title=article.title,
            article_url=f"{presenter.article_url(article.slug)}#passage-{passage.pk}",
            outlet=article.outlet.name,
            published=presenter.date(article.published, "j M Y"),
            rows=found.rows.get(passage.pk, []),
        )
        return context
