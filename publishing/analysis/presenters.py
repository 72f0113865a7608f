"""What `/analysis/`, its charts and its CSV show of the counts (`crosstab.Counts`).

`Labels` names the keys of a table (tags, outlets, organizations, months) and orders
them; `Presenter.table()` turns counts into the rows a template prints, `csv_rows()` into
the CSV's. The page shows the largest rows and columns (the rest of the columns summed
into one "other" column, so row totals and percentages stay those of the whole table);
the CSV has them all.
"""

from collections import Counter
from typing import NamedTuple

from annotations.models import Tag
from annotations.tag_tree import depth_first
from articles.models import Organization, Outlet
from publishing.analysis.crosstab import Counts, Totals, totals_of
from publishing.presenters import SlugURL

# Rows (and co-occurrence tags) a page table shows, the largest first chosen.
ROW_CAP = 30
# Columns a page table shows before summing the rest into one.
COL_CAP = 10
# Co-occurrence tags shown (a square table).
SQUARE_CAP = 15
# A stacked bar chart's bars and segments: the table's largest rows and columns, the rest
# of each bar in one "other" segment (the table under the chart gives every number).
# The table's 30 bars of 11 segments were 330 shapes for pygal to draw (150 ms of a cold
# chart) and more colours than a reader can tell apart.
CHART_ROWS = 12
CHART_COLS = 6
# Months shown and exported: the latest this many, gaps filled with zeros.
MONTH_CAP = 240
UNDATED = "undated"

NOUNS = {
    "tag": ("Tag", "tags"),
    "outlet": ("Outlet", "outlets"),
    "organization": ("Organization", "organizations"),
    "month": ("Month", "months"),
}


class Label(NamedTuple):
    key: object
    text: str
    url: str | None = None
    depth: int = 0


class Cell(NamedTuple):
    count: int
    percent: str | None  # "40.0%" of the row's total, where the table shows them


class Row(NamedTuple):
    label: Label
    cells: list[Cell]
    total: int


class Table(NamedTuple):
    """One crosstab as the page prints it."""

    slug: str
    heading: str
    caption: str
    unit: str  # what a cell counts: "passages", "articles"
    row_noun: str
    col_labels: list[Label]
    rows: list[Row]
    other: int  # columns summed into the last one ("other"), 0 when all are shown
    hidden_rows: int  # rows not shown (the CSV has them)
    percentages: bool
    totals: bool
    col_noun: str = "columns"  # the columns' plural noun ("outlets"), for "other"


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return months


class Labels:
    """Names, links and order of a request's table keys, each dimension read once."""

    def __init__(self):
        self._tags: dict | None = None
        self._names: dict[str, dict] = {"outlet": {}, "organization": {}}
        self.tag_url = SlugURL("tag-detail")
        self.urls = {
            "outlet": SlugURL("outlet-detail"),
            "organization": SlugURL("organization-detail"),
        }

    def tags(self) -> dict:
        """Every tag, in tree order: {id: Label} (one query, the first time)."""
        if self._tags is None:
            tags = list(Tag.objects.only("pk", "name", "slug", "parent_id", "position"))
            self._tags = {
                tag.pk: Label(tag.pk, tag.name, self.tag_url(tag.slug), depth)
                for tag, depth in depth_first(tags)
            }
        return self._tags

    def _load(self, dimension: str, keys) -> None:
        names = self._names[dimension]
        missing = sorted({key for key in keys if key not in names})
        if not missing:
            return
        model = Outlet if dimension == "outlet" else Organization
        for pk, name, slug in model.objects.filter(pk__in=missing).values_list(
            "pk", "name", "slug"
        ):
            names[pk] = Label(pk, name, self.urls[dimension](slug))

    def ordered(self, dimension: str, totals: Counter) -> list[Label]:
        """The labels of the keys in `totals`, in the dimension's order: tags as the tree,
        months by date (the gaps filled, undated last), outlets and organizations by
        count, largest first, then name."""
        if dimension == "tag":
            tags = self.tags()
            return [label for key, label in tags.items() if key in totals]
        if dimension == "month":
            dated = sorted(key for key in totals if key is not None)
            months = _month_range(dated[0], dated[-1])[-MONTH_CAP:] if dated else []
            labels = [Label(month, month) for month in months]
            if None in totals:
                labels.append(Label(None, UNDATED))
            return labels
        self._load(dimension, totals)
        names = self._names[dimension]
        known = [names[key] for key in totals if key in names]
        return sorted(known, key=lambda label: (-totals[label.key], label.text.lower(), label.key))


def largest(labels: list[Label], totals: Counter, cap: int) -> list[Label]:
    """The `cap` labels with the largest totals, kept in `labels`' order."""
    if len(labels) <= cap:
        return labels
    kept = {
        label.key
        for label in sorted(labels, key=lambda label: (-totals[label.key], label.text.lower()))[
            :cap
        ]
    }
    return [label for label in labels if label.key in kept]


def percent(count: int, total: int) -> str:
    return f"{100 * count / total:.1f}%" if total else "0.0%"


class Presenter:
    def __init__(self, labels: Labels | None = None):
        self.labels = labels or Labels()

    def axes(self, counts: Counts) -> tuple[list[Label], list[Label]]:
        """Every row and column label of `counts`, in order (what the CSV holds)."""
        return self.axes_of(totals_of(counts))

    def axes_of(self, totals: Totals) -> tuple[list[Label], list[Label]]:
        """Every row and column label of a table with these totals, in order."""
        if totals.rows == totals.cols == "tag":  # co-occurrence: the diagonal counts
            labels = self.labels.ordered("tag", totals.diagonal)
            return labels, labels
        return (
            self.labels.ordered(totals.rows, totals.row_totals),
            self.labels.ordered(totals.cols, totals.col_totals),
        )

    def csv_rows(self, counts: Counts, axes=None) -> list[list]:
        """The CSV: an empty cell then the column labels; then each row label and its
        counts. `axes`: `axes(counts)` if already read (no query then)."""
        rows, cols = axes or self.axes(counts)
        cells = counts.cells
        lines: list[list] = [["", *(col.text for col in cols)]]
        for row in rows:
            lines.append([row.text, *(cells.get((row.key, col.key), 0) for col in cols)])
        return lines

    def table(self, counts: Counts, **names) -> Table:
        """The page's table of every counted cell of `counts` (`shown`, with the same
        keyword arguments)."""
        return self.shown(totals_of(counts), lambda _rows, _cols: counts.cells, **names)

    def shown(
        self,
        totals: Totals,
        cells_at,
        *,
        slug: str,
        heading: str,
        caption: str,
        percentages: bool = False,
        axes=None,
    ) -> Table:
        """The page's table: the largest rows, the largest columns and an "other" column
        summing the rest of each row, each row's total (and share of it per cell).
        `totals` choose them; `cells_at(row_keys, col_keys)` gives the cells shown
        (`{(row, col): n}`), so a table need not read its other cells at all."""
        rows, cols = axes or self.axes_of(totals)
        all_rows = len(rows)
        row_totals = totals.row_totals
        square = totals.rows == totals.cols
        if square:
            rows = cols = largest(rows, totals.diagonal, SQUARE_CAP)
        elif totals.rows != "month":
            rows = largest(rows, row_totals, ROW_CAP)
        shown_cols = cols if square else largest(cols, totals.col_totals, COL_CAP)
        other = len(cols) - len(shown_cols)
        col_labels = list(shown_cols)
        if other:
            col_labels.append(Label("other", f"Other {NOUNS[totals.cols][1]} ({other})"))
        cells = cells_at([row.key for row in rows], [col.key for col in shown_cols])
        table_rows = []
        for row in rows:
            total = row_totals.get(row.key, 0)
            values = [cells.get((row.key, col.key), 0) for col in shown_cols]
            if other:  # the row's other columns: what its total holds beyond those shown
                values.append(total - sum(values))
            cells_shown = [Cell(n, percent(n, total) if percentages else None) for n in values]
            table_rows.append(Row(row, cells_shown, total))
        return Table(
            slug=slug,
            heading=heading,
            caption=caption,
            unit="articles" if square else "passages",
            row_noun=NOUNS[totals.rows][0],
            col_labels=col_labels,
            rows=table_rows,
            other=other,
            hidden_rows=all_rows - len(table_rows),
            percentages=percentages,
            totals=not square,
            col_noun=NOUNS[totals.cols][1],
        )


def for_chart(table: Table) -> Table:
    """`table` narrowed for a stacked bar chart: its `CHART_ROWS` largest rows (by total,
    in the table's order) and its `CHART_COLS` largest columns (by their sum over the
    table's rows), each bar's remainder (its other columns, up to its total) in one
    "other" segment. A table without row totals, or small enough, is itself."""
    named = [col for col in table.col_labels if col.key != "other"]
    if not table.totals or (len(table.rows) <= CHART_ROWS and len(named) <= CHART_COLS):
        return table
    rows = table.rows
    if len(rows) > CHART_ROWS:
        kept = set(sorted(range(len(rows)), key=lambda i: (-rows[i].total, i))[:CHART_ROWS])
        rows = [row for index, row in enumerate(rows) if index in kept]
    sums = [sum(row.cells[index].count for row in rows) for index in range(len(named))]
    shown = sorted(sorted(range(len(named)), key=lambda i: (-sums[i], i))[:CHART_COLS])
    hidden = len(named) - len(shown) + table.other
    col_labels = [named[index] for index in shown]
    if hidden:
        col_labels.append(Label("other", f"Other {table.col_noun} ({hidden})"))
    narrowed = []
    for row in rows:
        cells = [row.cells[index] for index in shown]
        if hidden:
            rest = row.total - sum(cell.count for cell in cells)
            cells.append(Cell(rest, percent(rest, row.total) if table.percentages else None))
        narrowed.append(row._replace(cells=cells))
    return table._replace(
        col_labels=col_labels,
        rows=narrowed,
        other=hidden,
        hidden_rows=table.hidden_rows + len(table.rows) - len(narrowed),
    )
