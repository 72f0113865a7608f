"""The kept cells of the unfiltered `/analysis/` tables (`CrossCount`) when an option
(a tag, outlet or organization) is deleted: its cells and sums go, and the other axis's
sums lose what its cells held. Used by `publishing.counts.Recount`, which keeps the cells
with the facet counts.

A cell's key in a count delta is (CROSS, audience, table, row_key, col_key); each table
also keeps its row and column sums as cells of their own, so the page reads a few hundred
sums instead of summing every cell: (ROW_SUM, row) and (COL_SUM, column).
"""

from collections import Counter

from django.db.models import Q

from publishing.models import CrossCount

CROSS = "cross"
ROW_SUM, COL_SUM = CrossCount.ROW_SUM, CrossCount.COL_SUM
T = CrossCount.Table
# Which facet (option kind) each table's rows and columns are: what `Recount.forget` drops.
CROSS_FACETS = {
    T.TAG_OUTLET: ("tag", "outlet"),
    T.ORGANIZATION_TAG: ("organization", "tag"),
    T.MONTH_TAG: (None, "tag"),
    T.COOCCURRENCE: ("tag", "tag"),
}


def cell_add(counts: Counter, audience: str, table: int, row: int, col: int, n: int) -> None:
    """Add `n` to a cell of a count delta, and to its row's and its column's sums."""
    counts[(CROSS, audience, table, row, col)] += n
    counts[(CROSS, audience, table, ROW_SUM, row)] += n
    counts[(CROSS, audience, table, COL_SUM, col)] += n


def cells_forget(facet: str, value_id: int) -> None:
    """Drop the cells of a deleted option, and its row or column sum, in every table it is
    an axis of (the other axis's sums: `sums_without`)."""
    for table, (row_facet, col_facet) in CROSS_FACETS.items():
        if row_facet == facet:
            CrossCount.objects.filter(table=table, row_key=value_id).delete()
            CrossCount.objects.filter(table=table, row_key=ROW_SUM, col_key=value_id).delete()
        if col_facet == facet:
            CrossCount.objects.filter(table=table, row_key__gte=0, col_key=value_id).delete()
            CrossCount.objects.filter(table=table, row_key=COL_SUM, col_key=value_id).delete()


def sums_without(facet: str, value_id: int, delta: Counter) -> Counter:
    """What the other axis's sums lose with a deleted option's cells: each of its cells as
    it will be once this write's `delta` is in (the stored count plus the delta, which is
    what a recount of its passages already took off; nothing when the write moved them
    all elsewhere, as a merge does)."""
    lost: Counter = Counter()
    for table, (row_facet, col_facet) in CROSS_FACETS.items():
        axes = []
        if row_facet == facet:
            axes.append(("row", Q(row_key=value_id)))
        if col_facet == facet:
            axes.append(("col", Q(row_key__gte=0, col_key=value_id)))
        for axis, cells in axes:
            found = CrossCount.objects.filter(cells, table=table).values_list(
                "audience", "row_key", "col_key", "count"
            )
            for audience, row, col, n in found:
                left = n + delta[(CROSS, audience, table, row, col)]
                if axis == "row":
                    lost[(CROSS, audience, table, COL_SUM, col)] -= left
                else:
                    lost[(CROSS, audience, table, ROW_SUM, row)] -= left
    return lost


def cell_gone(key: tuple, gone: set[tuple[str, int]]) -> bool:
    """Whether a cell's key (CROSS, audience, table, row, col) names an option deleted in
    this write: its row, its column, or the row or column a sum is of."""
    row_facet, col_facet = CROSS_FACETS[key[2]]
    if key[3] == ROW_SUM:
        return (row_facet, key[4]) in gone
    if key[3] == COL_SUM:
        return (col_facet, key[4]) in gone
    return (row_facet, key[3]) in gone or (col_facet, key[4]) in gone
