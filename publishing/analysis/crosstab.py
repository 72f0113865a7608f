"""The counts behind `/analysis/`: passages crossed by two dimensions, and tags that occur
together in articles, each in one grouped query over the filtered passages.

A dimension is a passage's `tag` (each tag it carries), its article's `outlet`, its
`organization` (passages attributed to none are left out of that dimension) or the
`month` its article was published (`None` for an undated article). `passages` is the
filtered listing's QuerySet (`PassageFilterSet(...).qs` over `visible_to(user)`), compiled
into the grouped query as a subquery, so every filter of `/passages/` and the visibility
rule apply as they do there.

Counts are of passages: a tag's cell is the number of its passages in that outlet (a
passage carrying two tags counts once in each tag's row). With `rollup`, a tag's count is
that of the passages carrying it or any tag below it (`Tag.parent`), each passage once:
a passage tagged both `statistic` and `quote` counts once under their parent `evidence`.
The tree is walked by the query itself (a recursive common table expression), so the
count stays one query whatever the depth, on SQLite and PostgreSQL alike.

Unfiltered, the page's four tables are read from their maintained cells (`CrossCount`,
kept by the writes like the listings' facet counts) instead: `maintained()`.
"""

# The SQL below is assembled from quoted table and column names, the ORM's own compiled
# SQL of the filtered passages and fixed fragments; every value is a query parameter.
# ruff: noqa: S608

from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, Q
from django.db.models.functions import TruncMonth

from annotations.models import Tag, TaggedAnnotation
from publishing.models import CrossCount

DIMENSIONS = ("tag", "outlet", "organization", "month")

# The passage-level dimensions: the column each reads, selected by the inner query.
COLUMNS = {
    "outlet": F("article__outlet_id"),
    "organization": F("organization_id"),
    "month": TruncMonth("article__published"),
}


@dataclass(frozen=True)
class Counts:
    """Cells of a crosstab: `cells[(row_key, col_key)]` passages (absent: none).

    Keys are ids (tags, outlets, organizations) or `"YYYY-MM"` strings (months; `None`
    for undated articles).
    """

    rows: str
    cols: str
    rollup: bool
    cells: dict

    # Summed once (the labels' order and the page's table both ask; a kept table of 18,000
    # cells took 19 ms a sum). Cells are never changed after counting.
    @cached_property
    def _totals(self) -> tuple[Counter, Counter]:
        rows: Counter = Counter()
        cols: Counter = Counter()
        for (row, col), n in self.cells.items():
            rows[row] += n
            cols[col] += n
        return rows, cols

    def row_totals(self) -> Counter:
        return self._totals[0]

    def col_totals(self) -> Counter:
        return self._totals[1]


def month_key(value) -> str | None:
    """`"YYYY-MM"` of a truncated date (a `date` on PostgreSQL, text on SQLite)."""
    if value is None:
        return None
    if isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}"
    return str(value)[:7]


def _inner(passages, names: set[str]):
    """The filtered passages as (k_pid, k_article, k_<dimension>...) rows, and its SQL."""
    columns = {"k_pid": F("pk"), "k_article": F("article_id")}
    columns.update({f"k_{name}": COLUMNS[name] for name in sorted(names) if name in COLUMNS})
    query = passages.order_by().values(**columns).query
    connection = connections[passages.db]
    sql, params = query.get_compiler(connection=connection).as_sql()
    return sql, tuple(params), connection


def _closure_sql(q) -> str:
    """`closure(tag_id, ancestor_id)`: every tag with itself and each tag above it.

    UNION (not UNION ALL): should a cycle ever slip past the tag actions' check, the
    recursion stops at rows it has already seen instead of running forever.
    """
    tag = q(Tag._meta.db_table)
    return (
        f"closure (tag_id, ancestor_id) AS ("
        f"SELECT {q('id')}, {q('id')} FROM {tag} "
        f"UNION SELECT c.tag_id, t.{q('parent_id')} FROM closure c "
        f"JOIN {tag} t ON t.{q('id')} = c.ancestor_id WHERE t.{q('parent_id')} IS NOT NULL)"
    )


def _tag_join(q, rollup: bool) -> tuple[str, str]:
    """The joins from the filtered passages `p` to their tags, and the tag key's SQL."""
    tagged = q(TaggedAnnotation._meta.db_table)
    join = f" JOIN {tagged} ta ON ta.{q('content_object_id')} = p.k_pid"
    if rollup:
        return join + f" JOIN closure c ON c.tag_id = ta.{q('tag_id')}", "c.ancestor_id"
    return join, f"ta.{q('tag_id')}"


def crosstab(passages, rows: str, cols: str, *, rollup: bool = False) -> Counts:
    """How many of `passages` fall in each (row, column) pair of two dimensions (one query).

    `rows` and `cols` are two different `DIMENSIONS`. An empty filter result (a `.none()`
    QuerySet) gives no cells, without a query.
    """
    if rows not in DIMENSIONS or cols not in DIMENSIONS or rows == cols:
        raise ValueError(f"rows and cols must be two different of {DIMENSIONS}")
    try:
        inner, params, connection = _inner(passages, {rows, cols})
    except EmptyResultSet:
        return Counts(rows, cols, rollup, {})
    q = connection.ops.quote_name
    keys, joins, count, prefix = [], "", "COUNT(*)", ""
    for name in (rows, cols):
        if name == "tag":
            joins, key = _tag_join(q, rollup)
            if rollup:
                # A passage under two tags of one subtree counts once for their parent.
                count, prefix = "COUNT(DISTINCT p.k_pid)", "WITH RECURSIVE " + _closure_sql(q)
            keys.append(key)
        else:
            keys.append(f"p.k_{name}")
    where = " AND ".join(
        f"{key} IS NOT NULL"
        for key, name in zip(keys, (rows, cols), strict=True)
        if name == "organization"
    )
    sql = (
        f"{prefix} SELECT {keys[0]}, {keys[1]}, {count} FROM ({inner}) p{joins}"
        + (f" WHERE {where}" if where else "")
        + f" GROUP BY {keys[0]}, {keys[1]}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    cells: dict = {}
    for row, col, n in found:
        key = (
            month_key(row) if rows == "month" else row,
            month_key(col) if cols == "month" else col,
        )
        cells[key] = cells.get(key, 0) + n
    return Counts(rows, cols, rollup, cells)


def cooccurrence(passages, *, rollup: bool = False) -> Counts:
    """For each pair of tags, how many articles hold passages (among `passages`) carrying
    both (one query). The diagonal is the number of articles holding each tag at all.

    Counted over (article, tag) pairs: two passages of one article tagged `quote` make one
    `quote` article; `quote` on one passage and `statistic` on another of the same article
    are a co-occurrence, as on one passage. With `rollup`, a tag stands for its subtree.
    """
    try:
        inner, params, connection = _inner(passages, set())
    except EmptyResultSet:
        return Counts("tag", "tag", rollup, {})
    q = connection.ops.quote_name
    joins, key = _tag_join(q, rollup)
    ctes = [_closure_sql(q)] if rollup else []
    ctes.append(
        f"pairs AS (SELECT DISTINCT p.k_article AS article, {key} AS tag FROM ({inner}) p{joins})"
    )
    sql = ("WITH RECURSIVE " if rollup else "WITH ") + ", ".join(ctes) + " " + _pairs_crossed()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cells = _mirrored(cursor.fetchall())
    return Counts("tag", "tag", rollup, cells)


def _pairs_crossed(index: int | None = None) -> str:
    """The co-occurrence of the (article, tag) pairs `pairs`: each unordered pair of tags
    once (the table is symmetric: the other half is filled in from it), half the join's
    rows. With `index`, as a branch of `counted_together`'s union: (index, tag, tag,
    NULL, n)."""
    lead, month = ("", "") if index is None else (f"{index}, ", "NULL, ")
    return (
        f"SELECT {lead}x.tag, y.tag, {month}COUNT(*) FROM pairs x JOIN pairs y"
        " ON x.article = y.article AND x.tag <= y.tag GROUP BY x.tag, y.tag"
    )


def _mirrored(found) -> dict:
    """Co-occurrence cells from (a, b, n) rows with a <= b: both (a, b) and (b, a)."""
    cells = {}
    for a, b, n in found:
        cells[(a, b)] = cells[(b, a)] = n
    return cells


def counted_together(passages, pairs, *, rollup: bool = False) -> dict[tuple[str, str], Counts]:
    """The crosstabs of several (rows, cols) pairs that each cross `tag` with another
    dimension (or with itself: the co-occurrence), in one query that reads the filtered
    passages and their tags once: what `crosstab` and `cooccurrence` give one by one,
    where a filtered `/analysis/` page spent four scans of the same passages.

    The filtered passages joined with their tags are a materialised common table
    expression (`base`); each pair is a GROUP BY of it, the co-occurrence a self-join of
    its distinct (article, tag) pairs, all in one UNION ALL."""
    pairs = list(dict.fromkeys(pairs))
    for rows, cols in pairs:
        if "tag" not in (rows, cols) or rows not in DIMENSIONS or cols not in DIMENSIONS:
            raise ValueError(f"each pair crosses tag with one of {DIMENSIONS}: {(rows, cols)}")
    names = {name for pair in pairs for name in pair if name != "tag"}
    try:
        inner, params, connection = _inner(passages, names)
    except EmptyResultSet:
        return {(rows, cols): Counts(rows, cols, rollup, {}) for rows, cols in pairs}
    q = connection.ops.quote_name
    joins, key = _tag_join(q, rollup)
    columns = ["p.k_pid", "p.k_article", *(f"p.k_{name}" for name in sorted(names))]
    ctes = [_closure_sql(q)] if rollup else []
    selected = ", ".join([*columns, f"{key} AS k_tag"])
    ctes.append(f"base AS MATERIALIZED (SELECT {selected} FROM ({inner}) p{joins})")
    # A passage under two tags of one subtree counts once for their parent.
    count = "COUNT(DISTINCT k_pid)" if rollup else "COUNT(*)"
    branches = []
    # The month branch first: the union's fourth column takes its type (a date on
    # PostgreSQL) from the first branch that is not NULL there.
    order = sorted(range(len(pairs)), key=lambda i: "month" not in pairs[i])
    for index in order:
        rows, cols = pairs[index]
        if rows == cols:  # at most once: `pairs` are deduplicated above
            ctes.append(
                "pairs AS MATERIALIZED (SELECT DISTINCT k_article AS article, k_tag AS tag "
                "FROM base)"
            )
            branches.append(_pairs_crossed(index))
            continue
        sides = [f"k_{name}" for name in (rows, cols)]
        month = next((side for side in sides if side == "k_month"), None)
        keys = ["NULL" if side == "k_month" else side for side in sides]
        where = " AND ".join(f"{side} IS NOT NULL" for side in sides if side == "k_organization")
        branches.append(
            f"SELECT {index}, {keys[0]}, {keys[1]}, {month or 'NULL'}, {count} FROM base"
            + (f" WHERE {where}" if where else "")
            + f" GROUP BY {', '.join(sides)}"
        )
    sql = (
        ("WITH RECURSIVE " if rollup else "WITH ")
        + ", ".join(ctes)
        + " "
        + " UNION ALL ".join(branches)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    cells: list[dict] = [{} for _ in pairs]
    for index, row, col, month, n in found:
        rows, cols = pairs[index]
        if rows == cols:
            cells[index][(row, col)] = cells[index][(col, row)] = n
            continue
        if rows == "month":
            row = month_key(month)
        elif cols == "month":
            col = month_key(month)
        cells[index][(row, col)] = cells[index].get((row, col), 0) + n
    return {
        (rows, cols): Counts(rows, cols, rollup, cells[index])
        for index, (rows, cols) in enumerate(pairs)
    }


# The tables whose unfiltered, un-rolled-up cells the writes keep (`publishing.counts`).
MAINTAINED = {
    ("tag", "outlet"): CrossCount.Table.TAG_OUTLET,
    ("organization", "tag"): CrossCount.Table.ORGANIZATION_TAG,
    ("month", "tag"): CrossCount.Table.MONTH_TAG,
    ("tag", "tag"): CrossCount.Table.COOCCURRENCE,
}


def _month_of(number: int) -> str | None:
    return f"{number // 100:04d}-{number % 100:02d}" if number else None


def maintained(audience: str, rows: str, cols: str) -> Counts | None:
    """The cells of every passage `audience` sees, from `CrossCount` (one query), for a
    maintained table or its transpose; None when they cannot be read there (another pair
    of dimensions, or the cells not yet built: `recount_facets`)."""
    table, flipped = MAINTAINED.get((rows, cols)), False
    if table is None:
        table, flipped = MAINTAINED.get((cols, rows)), True
    if table is None:
        return None
    found = CrossCount.objects.filter(
        Q(table=table, count__gt=0, row_key__gte=0) | Q(table=CrossCount.Table.BUILT),
        audience=audience,
    ).values_list("table", "row_key", "col_key", "count")
    built, cells = False, {}
    months = "month" in (rows, cols)
    for kind, row, col, n in found:
        if kind == CrossCount.Table.BUILT:
            built = True
            continue
        if months:
            row = _month_of(row)
        cells[(col, row) if flipped else (row, col)] = n
    return Counts(rows, cols, False, cells) if built else None


class Totals(NamedTuple):
    """What a page table is chosen by: each row's and column's sum, and the diagonal (a
    co-occurrence table's rows are ordered by it). Keys as `Counts` keys them."""

    rows: str
    cols: str
    row_totals: Counter
    col_totals: Counter
    diagonal: Counter


def totals_of(counts: Counts) -> Totals:
    """The totals of counted cells (no query)."""
    diagonal = Counter({row: n for (row, col), n in counts.cells.items() if row == col})
    return Totals(counts.rows, counts.cols, counts.row_totals(), counts.col_totals(), diagonal)


def _maintained_table(rows: str, cols: str) -> tuple[str, bool] | None:
    """The `CrossCount` table holding (rows, cols), and whether it holds it transposed."""
    if (rows, cols) in MAINTAINED:
        return MAINTAINED[(rows, cols)], False
    if (cols, rows) in MAINTAINED:
        return MAINTAINED[(cols, rows)], True
    return None


def _key_of(dimension: str, stored: int):
    return _month_of(stored) if dimension == "month" else stored


def _stored_of(dimension: str, key) -> int:
    if dimension != "month":
        return key
    return int(key[:4]) * 100 + int(key[5:7]) if key else 0


def maintained_totals(audience: str, rows: str, cols: str) -> Totals | None:
    """The sums of a maintained table, read from its sum cells (`CrossCount.ROW_SUM`,
    `COL_SUM`) in one query: what the page needs to choose its largest rows and columns,
    whose cells it then reads alone (`maintained_cells`), where reading every cell
    (18,000 for tag × outlet at a million passages) and summing them was most of an
    unfiltered page's time. None when the cells cannot serve (as `maintained`)."""
    found = _maintained_table(rows, cols)
    if found is None:
        return None
    table, flipped = found
    wanted = Q(table=table, row_key__in=[CrossCount.ROW_SUM, CrossCount.COL_SUM])
    if rows == cols:  # the diagonal: a co-occurrence table's rows are ordered by it
        wanted |= Q(table=table, row_key__gte=0, row_key=F("col_key"))
    cells = CrossCount.objects.filter(
        (wanted & Q(count__gt=0)) | Q(table=CrossCount.Table.BUILT), audience=audience
    ).values_list("table", "row_key", "col_key", "count")
    stored_rows, stored_cols = (cols, rows) if flipped else (rows, cols)
    sums = {"r": Counter(), "c": Counter(), "d": Counter()}
    built = False
    for kind, row, col, n in cells:
        if kind == CrossCount.Table.BUILT:
            built = True
        elif row == CrossCount.ROW_SUM:
            sums["r"][_key_of(stored_rows, col)] = n
        elif row == CrossCount.COL_SUM:
            sums["c"][_key_of(stored_cols, col)] = n
        else:
            sums["d"][_key_of(stored_rows, row)] = n
    if not built:
        return None
    row_totals, col_totals = (sums["c"], sums["r"]) if flipped else (sums["r"], sums["c"])
    return Totals(rows, cols, row_totals, col_totals, sums["d"])


def maintained_cells(audience: str, rows: str, cols: str, row_keys, col_keys) -> dict:
    """The maintained cells of (rows, cols) at these row and column keys (one query):
    `{(row_key, col_key): n}`, absent where none."""
    row_keys, col_keys = list(row_keys), list(col_keys)
    table, flipped = _maintained_table(rows, cols)
    if not row_keys or not col_keys:
        return {}
    if flipped:
        stored_row_keys = [_stored_of(cols, key) for key in col_keys]
        stored_col_keys = [_stored_of(rows, key) for key in row_keys]
    else:
        stored_row_keys = [_stored_of(rows, key) for key in row_keys]
        stored_col_keys = [_stored_of(cols, key) for key in col_keys]
    found = CrossCount.objects.filter(
        audience=audience,
        table=table,
        count__gt=0,
        row_key__in=stored_row_keys,
        col_key__in=stored_col_keys,
    ).values_list("row_key", "col_key", "count")
    stored_rows, stored_cols = (cols, rows) if flipped else (rows, cols)
    cells = {}
    for row, col, n in found:
        row, col = _key_of(stored_rows, row), _key_of(stored_cols, col)
        cells[(col, row) if flipped else (row, col)] = n
    return cells
