"""The faceted-listing base of the public `/articles/` and `/passages/` listings."""

from django.http import QueryDict

from publishing.facets import audience_of, counts_maintained_for, facet_options
from publishing.models import FacetCount
from publishing.presenters import Presenter
from publishing.search import among

PAGE_SIZE = 20
PREVIEW_SIZE = 20
# Options shown per facet, largest first.
FACET_OPTIONS = 25
# A filtered listing counts, pages through and computes facets over at most this many
# matching rows; beyond it the page says "more than" and that facets are a sample.
# Search finds its candidates through the full-text index, at most this many.
MATCH_CAP = 1000


# Values that say nothing the page's default does not: left out of the URLs it cites.
DEFAULT_VALUES = {"tag_match": "any"}


def cited_query(query, page_kwarg: str = "page"):
    """`query` (a QueryDict) without empty values, defaults and the page number: the
    short URL a filtered page gives for itself (its canonical link, pagination, exports)."""
    cited = query.copy()
    cited.pop(page_kwarg, None)
    for key in list(cited):
        values = [
            value for value in cited.getlist(key) if value and value != DEFAULT_VALUES.get(key)
        ]
        if values:
            cited.setlist(key, values)
        else:
            del cited[key]
    if "tag" not in cited:
        cited.pop("tag_match", None)
    return cited


class FacetedListMixin:
    """A `FilterView` whose page is never an error and whose context carries facets.

    Facets are disjunctive (OR within a facet, AND across facets): each facet's counts
    are over the rows every *other* active filter matches, so after ticking one tag the
    other tags stay listed with the rows they would add. A facet whose own parameter is
    not in use groups over the listing's own matches; one whose parameter is the only
    filter in use reads the maintained counts (`publishing.facets`), as does every facet
    of an unfiltered listing. `facet_counts()` computes one facet over a set of rows; the
    page itself is fetched with `for_listing()`.
    """

    paginate_by = PAGE_SIZE
    # (parameter, label) of each facet, in page order; the parameter names the FilterSet's
    # filter and the `FacetCount.Facet` of its maintained counts.
    facet_parameters: tuple[tuple[str, str], ...] = ()
    # Which maintained counts (publishing.facets) serve this listing when unfiltered.
    facet_listing: str = ""
    # The legend of the tag facet's any/every choice (`tag_match`), naming the rows.
    match_legend: str = "Passages with"

    def unfiltered(self, ignoring: str | None = None) -> bool:
        """True when no filter narrows the listing (paging and sorting do not).

        Then the row count and the facets come from the maintained counts instead of
        counting and grouping the whole archive on every view. With `ignoring`, whether
        no filter but that one narrows it (an invalid value there does not count).
        """
        if not self.counts_maintained():
            return False
        filterset = self.filterset
        if not filterset.is_bound:
            return True
        form = filterset.form
        kept = {*filterset.not_narrowing, ignoring}
        return set(form.errors) <= {ignoring} and not any(
            value for name, value in form.cleaned_data.items() if name not in kept
        )

    def conjunctive(self, parameter: str) -> bool:
        """Whether `parameter`'s ticked options combine with AND (`tag_match=all`): then
        its counts are over the listing's own matches (what ticking one more would leave),
        not over what the other filters match."""
        return parameter == "tag" and self.filterset.tags_match_all()

    def audience(self) -> str:
        return audience_of(self.request.user)

    def counts_maintained(self) -> bool:
        """Whether the maintained counts may serve this visitor (not a blind coder: then
        every count is over the rows they see, as on a filtered listing)."""
        if not hasattr(self, "_counts_maintained"):
            self._counts_maintained = counts_maintained_for(self.request.user)
        return self._counts_maintained

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if kwargs.get("data") is None and not self.counts_maintained():
            kwargs["data"] = QueryDict()  # bound, so its (empty) filters read as cleaned
        return kwargs

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        # Pages search among the first MATCH_CAP index matches (the export among all).
        filterset.search_limit = MATCH_CAP + 1
        return filterset

    def first_ids(self, queryset) -> list[int]:
        """Up to MATCH_CAP + 1 ids of `queryset`, in no particular order (one query)."""
        return list(queryset.order_by().values_list("pk", flat=True)[: MATCH_CAP + 1])

    def matched(self, queryset) -> int:
        """How many rows the filters match, counted up to MATCH_CAP + 1 (one query).

        Sets `self.capped` when there are more: then the page says "more than", pages
        stop at MATCH_CAP rows and facets are computed over the first MATCH_CAP found.
        """
        if not hasattr(self, "_matched_ids"):
            # The ids, not just a count: the facets then group over at most MATCH_CAP
            # known rows instead of re-running the filters (a search) once per facet.
            self._matched_ids = self.first_ids(self.object_list)
            self.capped = len(self._matched_ids) > MATCH_CAP
        return len(self._matched_ids)

    def filtered_without(self, parameter: str):
        """The rows every active filter but `parameter` matches: one facet's base.

        The listing's FilterSet class, bound to the request's data minus `parameter`. Its
        filters are applied to the values the listing's own form already cleaned: cleaning
        again would repeat every slug filter's validation query. An invalid value in any
        other filter leaves no rows, as it leaves the listing none.
        """
        filterset = self.filterset
        data = filterset.data.copy()
        data.pop(parameter, None)
        base = type(filterset)(data, queryset=filterset.queryset, request=self.request)
        base.search_limit = filterset.search_limit
        filterset.share_trees(base)
        queryset = base.queryset.all()
        if set(filterset.form.errors) - {parameter}:
            return queryset.none()
        for name, value in filterset.form.cleaned_data.items():
            if name != parameter:
                queryset = base.filters[name].filter(queryset, value)
        return queryset

    def facet_base(self, queryset, parameter: str):
        """The rows a facet's counts are over, and whether they were cut at MATCH_CAP.

        None when no other filter is in use: then the maintained counts serve the facet.
        A facet whose own parameter is not in use shares the listing's matches (no query);
        otherwise its base is one more query for its first MATCH_CAP + 1 ids.
        """
        conjunctive = self.conjunctive(parameter)
        if self.unfiltered(ignoring=None if conjunctive else parameter):
            return None, False
        form = self.filterset.form
        if not conjunctive and (form.cleaned_data.get(parameter) or parameter in form.errors):
            ids = self.first_ids(self.filtered_without(parameter))
        else:
            self.matched(queryset)
            ids = self._matched_ids
        rows = among(queryset.model.objects.all(), ids[:MATCH_CAP])
        return rows, len(ids) > MATCH_CAP

    def maintained_parameters(self) -> list[str]:
        """The facets read from the maintained counts: those no other filter narrows."""
        return [
            parameter
            for parameter, _ in self.facet_parameters
            if self.unfiltered(None if self.conjunctive(parameter) else parameter)
        ]

    def maintained(self) -> dict:
        """The maintained counts this page reads (its facets', its row count): one query."""
        if not hasattr(self, "_maintained"):
            parameters = self.maintained_parameters()
            selected = [
                slug for parameter in parameters for slug in self.filterset.selected(parameter)
            ]
            self._maintained = facet_options(
                self.facet_listing,
                self.audience(),
                parameters,
                total=self.unfiltered(),
                largest=FACET_OPTIONS,
                selected=selected,
                kept_organizations=self.kept_organizations(parameters),
            )
        return self._maintained

    def facets(self, queryset) -> list[dict]:
        """Every facet: its parameter, label, options (largest first) and whether capped."""
        facets = []
        for parameter, label in self.facet_parameters:
            rows, capped = self.facet_base(queryset, parameter)
            if rows is None:
                options = self.maintained()[parameter]
            else:
                options = self.facet_counts(parameter, rows)
            options = self.roll_up(parameter, rows, options)
            options = self.arrange(parameter, rows, self.with_selected(parameter, options))
            facets.append(
                {"parameter": parameter, "label": label, "options": options, "capped": capped}
            )
        return facets

    def kept_organizations(self, parameters: list[str]) -> list[int]:
        """Organizations whose maintained counts the page reads even beyond the largest
        (those `roll_up` adds up); none unless a listing says otherwise."""
        return []

    def roll_up(self, parameter: str, rows, options: list[dict]) -> list[dict]:
        """A facet's options (all of them, largest first) with the counts the page shows,
        before they are cut to the largest (`rows` as for `arrange`); as they are unless a
        listing says otherwise."""
        return options

    def arrange(self, parameter: str, rows, options: list[dict]) -> list[dict]:
        """A facet's options as the page shows them (`rows`: the facet's base, None when
        the maintained counts served it); as they are unless a listing says otherwise."""
        return options

    def facet_counts(self, parameter: str, rows) -> list[dict]:
        """One facet's options counted over `rows` (a GROUP BY, one query)."""
        raise NotImplementedError

    def listing_rows(self, queryset):
        """The page's fetch plan over `queryset` (its `for_listing()`)."""
        raise NotImplementedError

    def page_rows(self, rows) -> list:
        """The page's rows (`rows`: the sliced fetch plan), fetched and ready to show."""
        return list(rows)

    def present(self, presenter: Presenter, rows: list) -> list:
        """What the template prints of the page's rows (`publishing.presenters`)."""
        raise NotImplementedError

    def searching(self) -> bool:
        """Whether a valid search is among the filters."""
        form = self.filterset.form
        return self.filterset.is_bound and not form.errors and bool(form.cleaned_data.get("q"))

    def among_matched(self, queryset):
        """`queryset`'s rows among the matched ids, in its order.

        The search already ran to find the ids, so the page sorts those instead of running
        it again (for a common word, half the page's database time). The ids stay behind a
        LIMIT, which PostgreSQL cannot flatten, so it reads them first; as a plain IN list
        it walked the listing's date order probing each article for them (figures in
        README, Performance).
        """
        ids = self._matched_ids[:MATCH_CAP]
        if not ids:
            return queryset.none()
        matched = among(queryset.model.objects.all(), ids).values("pk")[: len(ids)]
        rows = self.get_queryset().filter(pk__in=matched)
        return rows.order_by(*queryset.query.order_by) if queryset.query.order_by else rows

    def paginate_queryset(self, queryset, page_size):
        if self.facet_listing and self.unfiltered():
            count = self.maintained()[FacetCount.Facet.TOTAL]
        else:
            count = min(self.matched(queryset), MATCH_CAP)
            if self.searching():
                queryset = self.among_matched(queryset)
        paginator = self.get_paginator(self.listing_rows(queryset), page_size)
        paginator.count = count
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        page.object_list = self.page_rows(page.object_list)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = cited_query(self.request.GET, self.page_kwarg)
        context["querystring"] = query.urlencode()
        context["canonical_url"] = self.request.path + (f"?{query.urlencode()}" if query else "")
        context["facets"] = self.facets(self.object_list)
        presenter = Presenter()
        context["rows"] = self.present(presenter, context["object_list"])
        context["facet_boxes"] = presenter.facets(
            context["facets"], self.filterset.form, self.match_legend
        )
        context["filtered"] = bool(query)
        context["capped"] = getattr(self, "capped", False)
        context["match_cap"] = MATCH_CAP
        return context

    def with_selected(self, parameter, options):
        """Mark the selected options; keep selected ones with no result so they can be unticked."""
        names = self.filterset.selected_names(parameter)
        selected = list(names)
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
            {"slug": slug, "name": name, "count": 0, "selected": True}
            for slug, name in names.items()
            if slug not in known
        ]
        return merged
