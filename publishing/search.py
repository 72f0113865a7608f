"""Search and id-list helpers the public listings and the API filter with.

`text_search` is the one search: full text on PostgreSQL, words elsewhere; `search`
applies it to articles or passages with the fields (and stored vector) each searches.
"""

import re
from typing import NamedTuple

from django.contrib.postgres.search import (
    CombinedSearchQuery,
    SearchQuery,
    SearchQueryField,
    SearchVector,
    SearchVectorField,
)
from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import F, Func, Q, Subquery, TextField, Value

# The line under every search box: the syntax `parse_query` reads.
SEARCH_HELP = (
    'Every word must appear. "Quoted words" as a phrase, OR for either, -word to exclude; '
    "60000 also finds 60,000."
)


class Term(NamedTuple):
    """One word or quoted phrase of a query; `excluded`: written with a leading `-`."""

    text: str
    phrase: bool = False
    excluded: bool = False


# A term: an optional `-`, then a quoted phrase (its closing quote optional, as
# websearch_to_tsquery reads it) or a run of anything but whitespace.
_TERM = re.compile(r'(-?)(?:"([^"]*)"?|(\S+))')
# Up to 18 digits: longer runs are ids and codes, not amounts anyone groups.
_PLAIN_NUMBER = re.compile(r"[0-9]{4,18}")


def parse_query(q: str) -> list[list[Term]]:
    """`q` read as web search syntax, as PostgreSQL's `websearch_to_tsquery` reads it:
    alternatives (separated by `OR`, any case) of terms that must all match
    (`dog cat OR bird` is `(dog AND cat) OR bird`). Empty terms are dropped."""
    alternatives: list[list[Term]] = [[]]
    for match in _TERM.finditer(q):
        minus, phrase, word = match.groups()
        if phrase is None and word.lower() == "or" and not minus:
            if alternatives[-1]:
                alternatives.append([])
            continue
        text = (phrase if phrase is not None else word.strip("\"'").lstrip("-")).strip()
        if text:
            alternatives[-1].append(Term(text, phrase is not None, bool(minus)))
    return [terms for terms in alternatives if terms]


def written_forms(term: Term) -> list[str]:
    """What a term finds in the text: itself, and a number of four or more digits
    written without separators also with thousands separators (`60000`, `60,000`)."""
    if term.phrase or not _PLAIN_NUMBER.fullmatch(term.text):
        return [term.text]
    digits = term.text
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return [digits, ",".join(groups)]


# What each model's search reads: its fields, and on PostgreSQL the stored vector of
# them, if any (passages: `search_vector`, annotations migration 0007).
SEARCHED = {
    ("articles", "article"): (["title", "body"], None),
    ("annotations", "annotation"): (["exact", "note"], "search_vector"),
}


def search(queryset, q: str, *, limit: int | None = None):
    """Articles whose title or body, or passages whose quote or note, match `q`."""
    opts = queryset.model._meta
    fields, stored = SEARCHED[(opts.app_label, opts.model_name)]
    return text_search(queryset, q, fields, limit=limit, stored=stored)


def among(queryset, ids):
    """The rows of `queryset` whose id is in `ids` (a list of up to a few thousand)."""
    return queryset.filter(InIds("pk", ids))


class InIds(Func):
    """`field IN (ids)` with the ids as one array parameter on PostgreSQL (`= ANY(%s)`).

    A listing's facets and page filter on up to 1,000 matched ids; as 1,000 separate
    parameters, building and quoting them cost more Python time than the queries took.
    """

    output_field = models.BooleanField()

    def __init__(self, field: str, ids):
        super().__init__(F(field))
        self.ids = list(ids)

    def as_sql(self, compiler, connection, **extra_context):
        if not self.ids:
            raise EmptyResultSet
        sql, params = compiler.compile(self.source_expressions[0])
        return f"{sql} IN ({', '.join(['%s'] * len(self.ids))})", (*params, *self.ids)

    def as_postgresql(self, compiler, connection, **extra_context):
        if not self.ids:
            raise EmptyResultSet
        field = self.source_expressions[0]
        sql, params = compiler.compile(field)
        # Written out as an array literal: psycopg's list adapter inspects every element.
        array = "{" + ",".join(str(int(pk)) for pk in self.ids) + "}"
        cast = field.output_field.cast_db_type(connection)
        return f"{sql} = ANY(%s::{cast}[])", (*params, array)


class StoredColumn(Func):
    """A database column the model does not declare, of the row `sibling` belongs to.

    For columns PostgreSQL computes itself (a stored, generated `tsvector`): Django never
    selects or writes them, and this names the column under whatever alias the query
    gives the table (`U0` in a subquery), taken from the sibling field's own column.
    """

    def __init__(self, sibling: str, column: str, *, output_field):
        super().__init__(F(sibling), output_field=output_field)
        self.column = column

    def as_sql(self, compiler, connection, **extra_context):
        sibling = self.source_expressions[0]  # resolved: a Col with the table's alias
        alias = compiler.quote_name(sibling.alias)
        return f"{alias}.{connection.ops.quote_name(self.column)}", []


def text_search(
    queryset,
    q: str,
    fields: list[str],
    *,
    limit: int | None = None,
    stored: str | None = None,
    _planned: bool = False,
):
    """Rows of `queryset` matching the words of `q` in any of `fields`.

    `q` is web search syntax (`parse_query`): "quoted phrase", OR, -excluded; the same
    meaning on both databases. PostgreSQL: full-text search, each term through
    `websearch_to_tsquery` (stemmed, stop words ignored). Elsewhere (SQLite): each term
    must occur, case-insensitively, in one of the fields. A plain number also finds its
    separated form (`written_forms`). Both keep the query a single WHERE clause, so
    callers can stack it with other filters.

    `stored`: on PostgreSQL, the name of a stored generated column holding exactly
    `to_tsvector('english', fields joined by spaces)` (passages: `search_vector`), read
    instead of computing the vector. Testing a stored vector costs microseconds, so the
    planner is free to pick by the word's statistics: for a common word, the table in
    order, stopping at `limit` (where the index would build a bitmap of most of the table
    first); for a rare one, the index. Figures in README, Performance.

    `limit` bounds the work for pages: only the first `limit` matching rows (in no
    particular order) are kept. Without a stored vector they are found through the
    full-text index first: PostgreSQL cannot estimate how rare a word is, and for a rare
    one it walked the listing order re-computing `to_tsvector` per row;
    `id IN (... LIMIT n)` cannot be flattened, so the GIN index is read first and the
    rest of the query sees at most n rows. The export passes no limit.
    """
    alternatives = parse_query(q)
    if not alternatives:
        return queryset
    if limit is not None:
        matching = text_search(queryset.order_by(), q, fields, stored=stored, _planned=True).values(
            "pk"
        )
        return queryset.filter(pk__in=Subquery(matching[:limit]))
    if connections[queryset.db].vendor == "postgresql":
        # A stored vector is cheap to test: the planner may pick by the words' statistics.
        query = tsquery(alternatives, planned=_planned and not stored)
        if stored:
            vector = StoredColumn(fields[0], stored, output_field=SearchVectorField())
            return queryset.alias(_text_search=vector).filter(_text_search=query)
        return queryset.alias(_text_search=SearchVector(*fields, config="english")).filter(
            _text_search=query
        )
    match = Q()
    for terms in alternatives:
        every = Q()
        for term in terms:
            found = Q()
            for form in written_forms(term):
                for field in fields:
                    found |= Q(**{f"{field}__icontains": form})
            every &= ~found if term.excluded else found
        match |= every
    return queryset.filter(match)


def tsquery(alternatives: list[list[Term]], *, planned: bool = False):
    """The parsed query as one PostgreSQL tsquery: each term's `websearch_to_tsquery`
    (a phrase quoted), combined with `&`, `|` and `!!` as `parse_query` grouped them.

    `planned`: with word statistics PostgreSQL sees a common word matches nearly every
    row and reads the table re-computing `to_tsvector` for every article body instead of
    reading the index (cheap for any word). A scalar subquery hides each word, so the
    plan is the index's whatever the word.
    """
    combined = None
    for terms in alternatives:
        every = None
        for term in terms:
            found = None
            for form in written_forms(term):
                text = f'"{form}"' if term.phrase or form != term.text else form
                value = Value(text)
                if planned:
                    value = Func(
                        value, template="(SELECT %(expressions)s)", output_field=TextField()
                    )
                one = SearchQuery(value, search_type="websearch", config="english")
                # Not any of the forms: each one negated, all of them required.
                if term.excluded:
                    one = ~one
                    found = one if found is None else _ts("&&", found, one)
                else:
                    found = one if found is None else _ts("||", found, one)
            every = found if every is None else _ts("&&", every, found)
        combined = every if combined is None else _ts("||", combined, every)
    return combined


#: The type of a combined tsquery (Django's `|` and `&` leave it for the database
#: backend to infer, which Django 6 refuses to do for two tsqueries).
QUERY = SearchQueryField()


def _ts(operator: str, left, right) -> CombinedSearchQuery:
    """`(left <operator> right)` on two tsqueries, typed as a tsquery (still a search
    query to the `@@` lookup, which would otherwise wrap it in `plainto_tsquery`)."""
    return CombinedSearchQuery(left, operator, right, config="english", output_field=QUERY)
