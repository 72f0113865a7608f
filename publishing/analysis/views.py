"""`/analysis/` and its charts and CSV: crosstabs of the passages `/passages/` lists.

Every view binds the request to `PassageFilterSet` over `Annotation.objects.visible_to`,
as `/passages/` and its exports do, so the same filters give the same passages. A bad
filter or parameter is a 400 naming it (the page shows the form errors; the CSV and
charts answer them as text), never a server error.

Speed: filtered, each table is one grouped query (`crosstab`); unfiltered, the page's
tables come from the maintained cells, each chosen by its sums and filled with the cells
it shows (`Analysis.maintained_table`: two small queries), and the CSV reads every cell.
Counts, the page's tables and the CSV's lines are kept in the page cache's store per
corpus version, audience and parameters (`Analysis.computed`, `maintained_table`), so
the page, its four charts and the CSV of one filter set count and name once per corpus
change: a chart drawn after its page only draws. `GLOSS_ANALYSIS_CACHE_SECONDS` bounds
how long (by default as long as a page). The page and the charts are also cached whole
for anonymous visitors like every public page (`CachedPublicPageMixin`); the CSV is not
(a cached page keeps no headers, and the CSV's `Content-Disposition` matters), its counts are.
"""

import csv
import functools
import hashlib
import io
from typing import NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from annotations.models import Annotation
from publishing.analysis import charts
from publishing.analysis.crosstab import (
    Counts,
    cooccurrence,
    counted_together,
    crosstab,
    maintained,
    maintained_cells,
    maintained_totals,
)
from publishing.analysis.forms import CrosstabForm, RollupForm
from publishing.analysis.presenters import Label, Presenter, Table
from publishing.exports import neutralise
from publishing.facets import audience_of, counts_maintained_for
from publishing.filters import PassageFilterSet
from publishing.page_cache import CachedPublicPageMixin, RequestCache
from publishing.version import corpus_version


class Spec(NamedTuple):
    rows: str
    cols: str
    heading: str
    caption: str
    chart_title: str
    chart_alt: str
    draw: object  # charts.stacked_bars, charts.lines, charts.dots
    percentages: bool = False


TABLES = {
    "tag-outlet": Spec(
        "tag",
        "outlet",
        "Tags by outlet",
        "Passages per tag and outlet, with each cell's share of the tag's passages",
        "Passages per tag, by outlet",
        "Stacked bar chart: passages per tag, each bar divided by outlet.",
        charts.stacked_bars,
        percentages=True,
    ),
    "organization-tag": Spec(
        "organization",
        "tag",
        "Organizations by tag",
        "Passages attributed to each organization, per tag",
        "Passages per organization, by tag",
        "Stacked bar chart: passages attributed to each organization, divided by tag.",
        charts.stacked_bars,
    ),
    "month-tag": Spec(
        "month",
        "tag",
        "Passages per month by tag",
        "Passages per month of the article's publication, per tag",
        "Passages per month, by tag",
        "Line chart: passages per month of publication, one line per tag.",
        charts.lines,
    ),
    "cooccurrence": Spec(
        "tag",
        "tag",
        "Tags that occur together",
        "Articles holding passages with both tags (the diagonal: articles with the tag)",
        "Tag co-occurrence within articles",
        "Dot matrix: for each pair of tags, a dot sized by how many articles hold both.",
        charts.dots,
    ),
}
# What the analysis adds to the passage filters: never part of the filters' query string.
OWN_PARAMETERS = ("rollup", "rows", "cols")


class Analysis:
    """One request's filtered passages and the counts of its tables."""

    def __init__(self, request, form_class=RollupForm):
        self.request = request
        self.filterset = PassageFilterSet(
            request.GET or None,
            queryset=Annotation.objects.visible_to(request.user),
            request=request,
        )
        self.form = form_class(request.GET)
        filters_valid = not self.filterset.is_bound or self.filterset.is_valid()
        self.valid = self.form.is_valid() and filters_valid
        self.presenter = Presenter()
        self._version: int | None = None
        self._counts_maintained: bool | None = None
        self._computed: dict[tuple[str, str], Computed] = {}

    def version(self) -> int:
        """The corpus version the counts are kept under (read once per request)."""
        if self._version is None:
            self._version = corpus_version()
        return self._version

    @property
    def rollup(self) -> bool:
        return bool(self.form.cleaned_data.get("rollup")) if self.valid else False

    def errors(self) -> list[tuple[str, str, str]]:
        """(parameter, message, code) of every refused parameter."""
        found = []
        for form in (self.filterset.form, self.form):
            if not form.is_bound:
                continue
            for name, errors in form.errors.as_data().items():
                for error in errors:
                    for message in error.messages:
                        found.append((name, message, error.code or "invalid"))
        return found

    def filter_query(self) -> list[tuple[str, str]]:
        """The request's filter parameters (what `/passages/` takes), in request order."""
        names = set(self.filterset.form.fields)
        return [
            (name, value)
            for name, values in self.request.GET.lists()
            if name in names
            for value in values
        ]

    def cache_key(self, rows: str, cols: str) -> str:
        parameters = sorted(self.filter_query())
        text = repr((audience_of(self.request.user), parameters, self.rollup, rows, cols))
        return "gloss:analysis:" + hashlib.sha256(text.encode()).hexdigest()

    def computed(self, rows: str, cols: str) -> "Computed":
        """One table's counts and the table the page shows of them, computed once per
        corpus version, audience, filters and rollup, and shared by the page, the chart
        and the CSV (a chart drawn after its page counts nothing and names nothing);
        else one grouped query and the labels' reads."""
        found = self._computed.get((rows, cols))
        if found is None:
            found = self._computed[(rows, cols)] = self.kept(
                self.cache_key(rows, cols), lambda: self.compute(rows, cols)
            )
        return found

    def compute(self, rows: str, cols: str) -> "Computed":
        """One table's counts (its maintained cells, or one grouped query), its labels and
        the page's table of them."""
        counts = self.maintained(rows, cols)
        if counts is None:
            passages = self.filterset.qs
            if rows == cols == "tag":
                counts = cooccurrence(passages, rollup=self.rollup)
            else:
                counts = crosstab(passages, rows, cols, rollup=self.rollup)
        return self.present(counts)

    def present(self, counts: Counts) -> "Computed":
        """Counts with their labels and the page's tables of them."""
        computed = Computed(counts, {}, self.presenter.axes(counts))
        for slug, spec in TABLES.items():
            if (spec.rows, spec.cols) == (counts.rows, counts.cols):
                computed.tables[slug] = self.presenter.table(
                    counts,
                    slug=slug,
                    heading=spec.heading,
                    caption=spec.caption,
                    percentages=spec.percentages,
                    axes=computed.axes,
                )
        return computed

    def count_together(self, pairs) -> None:
        """Count the page's tables that are neither kept nor read from maintained cells
        in one scan of the filtered passages (`crosstab.counted_together`) instead of one
        each, and keep each as `computed` would."""
        if not self.valid or self.cells_serve():
            return
        missing = []
        for pair in dict.fromkeys(pairs):
            if pair in self._computed:
                continue
            found = self.lookup(self.cache_key(*pair))
            if found is not None:
                self._computed[pair] = found
            else:
                missing.append(pair)
        if len(missing) < 2:
            return  # one table: its own query (`computed`) is the same scan
        counted = counted_together(self.filterset.qs, missing, rollup=self.rollup)
        for pair in missing:
            self._computed[pair] = self.keep(self.cache_key(*pair), self.present(counted[pair]))

    def kept(self, key: str, make):
        """`make()`'s result, kept in the page cache's store under `key` at this corpus
        version for `GLOSS_ANALYSIS_CACHE_SECONDS` (made every time when 0); None is
        never kept."""
        found = self.lookup(key)
        return found if found is not None else self.keep(key, make())

    def lookup(self, key: str):
        """What `keep` kept under `key` at this corpus version, or None."""
        seconds = table_cache_seconds()
        if seconds <= 0:
            return None
        entry = RequestCache().call("get", key)
        if entry is not None and entry[0] == self.version():
            return entry[1]
        return None

    def keep(self, key: str, made):
        """Keep `made` under `key` at this corpus version (not None; not when caching is
        off); returns it."""
        seconds = table_cache_seconds()
        if seconds > 0 and made is not None:
            RequestCache().call("set", key, (self.version(), made), seconds)
        return made

    def cells_serve(self) -> bool:
        """Whether the maintained cells serve this request: nothing narrows the passages
        (no filter, no rollup) and the user's audience's counts are theirs (not a blind
        round's coder)."""
        if self.rollup or any(value.strip() for _name, value in self.filter_query()):
            return False
        if self._counts_maintained is None:
            # One answer per request: the page asks for each of its four tables.
            self._counts_maintained = counts_maintained_for(self.request.user)
        return self._counts_maintained

    def maintained(self, rows: str, cols: str) -> Counts | None:
        """The table's maintained cells, every one, where they serve (`cells_serve`)."""
        if not self.cells_serve():
            return None
        return maintained(audience_of(self.request.user), rows, cols)

    def maintained_table(self, slug: str) -> Table | None:
        """The page's table of `slug` from its maintained cells, where they serve: chosen
        by the table's sums and filled with its shown cells alone, two small queries
        (`crosstab.maintained_totals`, `maintained_cells`) where reading every cell (18,000
        at a million passages for tag × outlet, 48,000 for the four) and summing them in
        Python was most of an unfiltered page's time. Kept like `computed`, so a chart
        drawn after its page reads nothing. None where the cells do not serve."""
        if not self.cells_serve():
            return None
        spec = TABLES[slug]
        key = self.cache_key(spec.rows, spec.cols) + ":shown:" + slug
        return self.kept(key, lambda: self.table_from_sums(slug))

    def table_from_sums(self, slug: str) -> Table | None:
        """`maintained_table`'s reads: the sums, then the cells shown (None: not built)."""
        spec = TABLES[slug]
        audience = audience_of(self.request.user)
        totals = maintained_totals(audience, spec.rows, spec.cols)
        if totals is None:
            return None
        return self.presenter.shown(
            totals,
            functools.partial(maintained_cells, audience, spec.rows, spec.cols),
            slug=slug,
            heading=spec.heading,
            caption=spec.caption,
            percentages=spec.percentages,
        )

    def counts(self, rows: str, cols: str) -> Counts:
        """The counts of one table (`computed`)."""
        return self.computed(rows, cols).counts

    def table(self, slug: str) -> Table:
        """The page's (and the chart's) table of `slug`: from the maintained cells where
        they serve (`maintained_table`), else counted (`computed`)."""
        spec = TABLES[slug]
        counted = (spec.rows, spec.cols) in self._computed
        if not counted and (table := self.maintained_table(slug)) is not None:
            return table
        return self.computed(spec.rows, spec.cols).tables[slug]

    def csv_rows(self, rows: str, cols: str) -> list[list]:
        """The CSV's lines of one table, from its kept counts and labels (no query)."""
        computed = self.computed(rows, cols)
        return self.presenter.csv_rows(computed.counts, computed.axes)


class Computed(NamedTuple):
    """What one filter set's table is, kept for the page, its chart and its CSV: the
    counts, the page's table of them (by `TABLES` slug) and every row and column label,
    in order (`Presenter.axes`: what the CSV lists)."""

    counts: Counts
    tables: dict[str, Table]
    axes: tuple[list[Label], list[Label]]


def table_cache_seconds() -> int:
    """How long counted tables are kept: `GLOSS_ANALYSIS_CACHE_SECONDS`, or as long as a
    page (`GLOSS_PAGE_CACHE_SECONDS`) when that is not set."""
    own = settings.GLOSS_ANALYSIS_CACHE_SECONDS
    return settings.GLOSS_PAGE_CACHE_SECONDS if own < 0 else own


def bad_request(analysis: Analysis) -> HttpResponse:
    """400 with one line per refused parameter: `name: message (code)`."""
    lines = [f"{name}: {message} ({code})" for name, message, code in analysis.errors()]
    return HttpResponse(
        "\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8"
    )


class AnalysisView(CachedPublicPageMixin, TemplateView):
    """`/analysis/`: the four tables, each with its chart and CSV."""

    template_engine = "jinja2"
    template_name = "analysis/analysis.html"

    def get(self, request, *args, **kwargs):
        analysis = Analysis(request)
        context = self.get_context_data(analysis=analysis)
        response = self.render_to_response(context)
        if not analysis.valid:
            response.status_code = 400
        return response

    def get_context_data(self, *, analysis: Analysis, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = analysis.filter_query()
        own = [("rollup", "1")] if analysis.rollup else []
        query = urlencode(filters + own)
        passages = reverse("passage-list") + (f"?{urlencode(filters)}" if filters else "")
        fields = analysis.filterset.form.fields
        context.update(
            errors=analysis.errors(),
            rollup=analysis.rollup,
            hidden=filters,
            passages_url=passages,
            filter_summary=[
                (fields[name].label, value) for name, value in filters if value.strip()
            ],
            tables=[],
        )
        if not analysis.valid:
            return context
        analysis.count_together([(spec.rows, spec.cols) for spec in TABLES.values()])
        for slug, spec in TABLES.items():
            csv_query = query
            if slug == "cooccurrence":
                csv_url = reverse("analysis-cooccurrence-csv")
            else:
                csv_url = reverse("analysis-crosstab-csv")
                csv_query = urlencode([("rows", spec.rows), ("cols", spec.cols)]) + (
                    f"&{query}" if query else ""
                )
            chart_url = reverse("analysis-chart", kwargs={"chart": slug})
            context["tables"].append(
                {
                    "table": analysis.table(slug),
                    "chart_url": chart_url + (f"?{query}" if query else ""),
                    "chart_alt": spec.chart_alt,
                    "chart_title": spec.chart_title,
                    "csv_url": f"{csv_url}?{csv_query}" if csv_query else csv_url,
                }
            )
        return context


class ChartView(CachedPublicPageMixin, View):
    """`/analysis/charts/<table>.svg`: one table's chart, an SVG image."""

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if response.status_code == 200:
            # The chart's own stylesheet, by its hash, and nothing else: no script, no
            # loads (also when the SVG is opened by itself rather than as an image).
            response._csp_config = {
                "default-src": ["'none'"],
                "style-src": charts.style_hashes(response.content),
                "frame-ancestors": ["'none'"],
            }
        return response

    def get(self, request, chart: str):
        spec = TABLES.get(chart)
        if spec is None:
            raise Http404("No such chart.")
        analysis = Analysis(request)
        if not analysis.valid:
            return bad_request(analysis)
        svg = spec.draw(analysis.table(chart), spec.chart_title)
        return HttpResponse(svg, content_type="image/svg+xml")


def csv_response(lines: list[list], name: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in lines:
        writer.writerow([neutralise(cell) if isinstance(cell, str) else cell for cell in line])
    response = HttpResponse(buffer.getvalue().encode(), content_type="text/csv; charset=utf-8")
    filename = f"gloss-{name}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CrosstabCsvView(View):
    """`/analysis/crosstab.csv?rows=tag&cols=outlet&<filters>`: every row and column."""

    def get(self, request):
        analysis = Analysis(request, CrosstabForm)
        if not analysis.valid:
            return bad_request(analysis)
        rows, cols = analysis.form.cleaned_data["rows"], analysis.form.cleaned_data["cols"]
        return csv_response(analysis.csv_rows(rows, cols), f"{rows}-by-{cols}")


class CooccurrenceCsvView(View):
    """`/analysis/cooccurrence.csv?<filters>`: articles holding each pair of tags."""

    def get(self, request):
        analysis = Analysis(request)
        if not analysis.valid:
            return bad_request(analysis)
        return csv_response(analysis.csv_rows("tag", "tag"), "tag-cooccurrence")
