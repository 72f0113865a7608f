"""The CSV export on SQLite: the database writes each row's cells as CSV text (but for its
tags), Python joins the rows."""

import re
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, F, Func, OuterRef, Q, StringAgg, Subquery, TextField, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Concat
from django.urls import reverse

from annotations.models import Annotation, TagField, TaggedAnnotation
from publishing.exports.formulas import formula_first_codes, neutralise
from publishing.exports.rows import FLUSH_CHARS, header_line, passages_csv_python

# The SQLite path: the database writes each row as CSV text, but for its tags, and
# Python joins the rows. Every cell is what `passage_row` and Python's csv module make:
# - a text cell is neutralised by `neutralise` itself, registered as an SQL function, but
#   called only on a cell whose first character can start a formula (SQLite's `unicode()`
#   in `formula_first_codes()`): the rest never leave C;
# - a cell holding a comma, a double quote or a line break is quoted (csv.QUOTE_MINIMAL),
#   NULL is empty;
# - tags come joined by a control character no tag name holds (SQLite before 3.44 cannot
#   order group_concat): Python sorts them as `sorted()` does, then neutralises and quotes;
# - timestamps are stored as `str(datetime)` in UTC: `isoformat()` with a space for the
#   T and no offset.
TAG_SEPARATOR = "\x1f"
_NEUTRALISE_SQL = "gloss_neutralise"
_NEEDS_QUOTES = re.compile('[",\r\n]').search


def _sql_text(sql: str, *, neutralised: bool = True) -> str:
    """SQL of one CSV cell from the text expression `sql` (SQLite)."""
    text = sql
    if neutralised:
        codes = ", ".join(map(str, formula_first_codes()))  # our own integers, not input
        # Most cells start with a letter (no formula starts so: checked by the tests), and
        # leading spaces and line feeds (context often starts with one) are looked past:
        # a cell they start can only match through the character after them.
        text = (
            f"CASE WHEN unicode({sql}) BETWEEN 65 AND 126 THEN {sql} "
            f"WHEN unicode(ltrim({sql}, ' \n')) IN ({codes}) THEN {_NEUTRALISE_SQL}({sql}) "
            f"ELSE {sql} END"
        )
    # Neutralising adds a ' only, so whether to quote is read on the text as stored
    # (four instr() cost less than one GLOB '*[...]*').
    special = " OR ".join(f"instr({sql}, {c})" for c in ("'\"'", "','", "char(10)", "char(13)"))
    return (
        f"COALESCE(CASE WHEN {special} "
        f"THEN '\"' || replace({text}, '\"', '\"\"') || '\"' ELSE {text} END, '')"
    )


class _Cell(Func):
    """One CSV cell of a text (or, `text=False`, a number or date) expression (SQLite)."""

    output_field = TextField()

    def __init__(self, expression, *, text=True, neutralised=True):
        super().__init__(expression)
        self.text, self.neutralised = text, neutralised

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        if not self.text:
            return f"COALESCE(CAST({sql} AS TEXT), '')", params
        marker = "\x00"  # stands for the expression while the cell's SQL is built
        cell = _sql_text(marker, neutralised=self.neutralised)
        # The expression appears several times: its parameters go with each appearance.
        return cell.replace(marker, f"({sql})"), tuple(params) * cell.count(marker)


_cell = _Cell


def _line(*cells) -> Func:
    """The cells joined by commas, as one text (SQLite's `||`)."""
    return Func(
        *cells, arg_joiner=" || ',' || ", template="%(expressions)s", output_field=TextField()
    )


def rows_select(passages, site: str, keys: Iterable[str] = ()):
    """`passages` as (CSV text before the tags, the tags, CSV text after), in listing order."""
    tags = (
        TaggedAnnotation.objects.filter(content_object=OuterRef("pk"))
        .order_by()
        .values("content_object")
        .annotate(names=StringAgg("tag__name", delimiter=Value(TAG_SEPARATOR)))
        .values("names")
    )
    marker = "--slug--"
    link_before, link_after = reverse("article-detail", kwargs={"slug": marker}).split(marker)
    orphaned = Q(anchor_status=Annotation.AnchorStatus.ORPHANED)
    iso = "replace(%(expressions)s, ' ', 'T') || '+00:00'"
    before = _line(
        _cell("pk", text=False),
        _cell("article_id", text=False),
        _cell("article__title"),
        _cell("article__url"),
        _cell("article__outlet__name"),
        _cell("article__published", text=False),
        Value(""),  # the tags' cell follows the comma
    )
    after = _line(
        Value(""),  # the comma after the tags
        _cell("organization__name"),
        _cell("exact"),
        _cell("prefix"),
        _cell("suffix"),
        _cell(Case(When(orphaned, then=None), default=F("start")), text=False),
        _cell(Case(When(orphaned, then=None), default=F("end")), text=False),
        _cell("note"),
        _cell("annotator__username"),
        Func(F("created"), template=iso, output_field=TextField()),
        Func(F("modified"), template=iso, output_field=TextField()),
        _cell(
            Concat(
                Value(site + link_before),
                F("article__slug"),
                Value(link_after + "#passage-"),
                Cast("pk", TextField()),
                output_field=TextField(),
            ),
            neutralised=False,
        ),
        Case(
            When(adjudicated=True, then=Value("true")),
            default=Value("false"),
            output_field=TextField(),
        ),
        *(_cell(KeyTextTransform(key, "fields")) for key in keys),
    )
    return passages.annotate(
        c_before=before, c_tags=Subquery(tags, output_field=TextField()), c_after=after
    ).values_list("c_before", "c_tags", "c_after")


def _tags_cell(tags: str | None, first: frozenset[str]) -> str:
    if not tags:
        return ""
    if TAG_SEPARATOR in tags:
        tags = "; ".join(sorted(tags.split(TAG_SEPARATOR)))
    if tags[0] in first:
        tags = neutralise(tags)
    if _NEEDS_QUOTES(tags):
        tags = '"' + tags.replace('"', '""') + '"'
    return tags


def passages_csv_rows(passages, site: str) -> Iterator[bytes]:
    """Stream `passages` as CSV from SQLite's rows, `GLOSS_EXPORT_CHUNK_SIZE` at a time."""
    connection = connections[passages.db]
    if connection.vendor != "sqlite":
        yield from passages_csv_python(passages, site)
        return
    keys = TagField.objects.keys()
    yield header_line(keys)
    try:
        sql, params = (
            rows_select(passages, site, keys).query.get_compiler(using=passages.db).as_sql()
        )
    except EmptyResultSet:  # e.g. invalid filters: `.none()`
        return
    first = frozenset(map(chr, formula_first_codes()))
    chunk_size = settings.GLOSS_EXPORT_CHUNK_SIZE
    connection.ensure_connection()
    connection.connection.create_function(_NEUTRALISE_SQL, 1, neutralise, deterministic=True)
    lines, size = [], 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            for before, tags, after in rows:
                line = before + _tags_cell(tags, first) + after
                lines.append(line)
                size += len(line)
            if size >= FLUSH_CHARS:
                lines.append("")
                yield "\r\n".join(lines).encode("utf-8")
                lines, size = [], 0
    if lines:
        lines.append("")
        yield "\r\n".join(lines).encode("utf-8")
