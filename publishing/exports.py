"""The CSV export of passages: RFC 4180, UTF-8, streamed, safe to open in a spreadsheet."""

import csv
import functools
import io
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, F, Func, OuterRef, Q, StringAgg, Subquery, TextField, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Collate, Concat
from django.urls import reverse

from annotations.models import Annotation, TagField, TaggedAnnotation

HEADER = (
    "annotation_id",
    "article_id",
    "article_title",
    "article_url",
    "outlet",
    "published",
    "tags",
    "organization",
    "quote",
    "prefix",
    "suffix",
    "start",
    "end",
    "note",
    "annotator",
    "created",
    "modified",
    "permalink",
    # Appended after the columns scripts already read by position (issue 16).
    "adjudicated",
)
# Then one column per defined tag field (`statistic.value`, ...), in `TagField` order
# (`TagFieldQuerySet.keys()`): empty where a passage has no value.
# Rows are written into a buffer and sent once it holds this many characters: few large
# writes to the socket, and memory bounded by the buffer, not by the number of rows.
FLUSH_CHARS = 64 * 1024
FORMULA_TRIGGERS = ("=", "+", "-", "@")


def _character_class(codes: list[int]) -> str:
    """A character class of `codes` as escaped ranges, in a syntax Python's `re` and
    PostgreSQL's regular expressions read alike (`\\uXXXX`, `\\UXXXXXXXX`)."""
    ranges: list[list[int]] = []
    for code in sorted(set(codes)):
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])

    def escape(code: int) -> str:
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"

    return (
        "[" + "".join(escape(a) if a == b else f"{escape(a)}-{escape(b)}" for a, b in ranges) + "]"
    )


@functools.cache
def _formula_classes() -> tuple[list[int], list[int], list[int]]:
    """The code points of format characters (Cf), of leading characters (format characters
    and whitespace) and of formula triggers (see `formula_start`)."""
    # One pass, one character at a time: a list of every code point would cost a worker
    # some 70 MB of peak memory.
    invisible, spaces, triggers = [], [], []
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        if unicodedata.category(c) == "Cf":
            invisible.append(code)
        if c.isspace():
            spaces.append(code)
        if unicodedata.normalize("NFKC", c)[:1] in FORMULA_TRIGGERS:
            triggers.append(code)
    return invisible, invisible + spaces, triggers


@functools.cache
def formula_start() -> str:
    """The pattern, matched at a cell's start, of what a spreadsheet may evaluate: a tab or
    carriage return first (format characters aside), or a trigger after format characters
    and whitespace. Format characters are category Cf (zero-width space, byte-order mark,
    soft hyphen...), whitespace is `str.isspace`, and a trigger is any character that NFKC
    normalisation turns into one (＝ ＋ － ＠ ﹦ ⁼ ...). Both export paths match this one
    pattern: PostgreSQL's regular expressions read it as Python's `re` does.

    Computed on first use rather than at import: it scans every code point (0.3 s).
    """
    invisible, leading, triggers = _formula_classes()
    invisible_class, leading_class = _character_class(invisible), _character_class(leading)
    return f"{invisible_class}*[\\t\\r]|{leading_class}*{_character_class(triggers)}"


@functools.cache
def formula_first_codes() -> tuple[int, ...]:
    """Every code point a cell that `neutralise` changes can start with (sorted)."""
    _, leading, triggers = _formula_classes()
    return tuple(sorted({*leading, *triggers, ord("\t"), ord("\r")}))


@functools.cache
def _formula_start_re() -> re.Pattern:
    return re.compile(formula_start())


def neutralise(value: str) -> str:
    """`value`, prefixed with `'` if a spreadsheet would evaluate it as a formula.

    Spreadsheets evaluate a cell whose first character, or first after leading spaces,
    is `=`, `+`, `-` or `@`, and some also a cell starting with a tab or carriage return.
    Which character is first is decided after format characters (invisible, such as
    U+200B and U+FEFF), and compared after NFKC normalisation: `＝` and `﹦` are `=`.
    """
    if _formula_start_re().match(value):
        return "'" + value
    return value


def passage_row(passage: Annotation, site: str, keys: Iterable[str] = ()) -> list[str]:
    """One CSV row; `site` is the absolute URL of the site root without its final slash,
    `keys` the field columns'.

    An orphaned passage keeps its quote, but its offsets no longer point into the
    current body, so `start` and `end` are left empty.
    """
    article = passage.article
    orphaned = passage.anchor_status == Annotation.AnchorStatus.ORPHANED
    cells = [
        passage.pk,
        article.pk,
        article.title,
        article.url,
        article.outlet.name,
        article.published.isoformat() if article.published else "",
        "; ".join(sorted(tag.name for tag in passage.tags.all())),
        passage.organization.name if passage.organization else "",
        passage.exact,
        passage.prefix,
        passage.suffix,
        "" if orphaned else passage.start,
        "" if orphaned else passage.end,
        passage.note,
        passage.annotator.get_username(),
        passage.created.isoformat(),
        passage.modified.isoformat(),
        site + passage.get_absolute_url(),
        "true" if passage.adjudicated else "false",
        *(passage.fields.get(key, "") for key in keys),
    ]
    return [neutralise(str(cell)) for cell in cells]


def header_line(keys: Iterable[str]) -> bytes:
    header = io.StringIO()
    csv.writer(header, lineterminator="\r\n").writerow((*HEADER, *keys))
    return header.getvalue().encode("utf-8")


def csv_chunks(rows: Iterable[Iterable[str]], keys: Iterable[str] = ()) -> Iterator[bytes]:
    """The header then `rows` as UTF-8 CSV, in chunks of about FLUSH_CHARS characters."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow((*HEADER, *keys))
    for row in rows:
        writer.writerow(row)
        if buffer.tell() >= FLUSH_CHARS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def passages_csv(passages, site: str) -> Iterator[bytes]:
    """Stream `passages` (a QuerySet) as CSV: PostgreSQL writes it (`COPY`), SQLite and
    others give the cells as plain tuples (`passages_csv_rows`)."""
    if connections[passages.db].vendor == "postgresql":
        return passages_csv_copy(passages, site)
    return passages_csv_rows(passages, site)


def passages_csv_python(passages, site: str) -> Iterator[bytes]:
    """The reference export: model instances through `passage_row`. Both fast paths are
    tested to give its bytes."""
    chunk_size = settings.GLOSS_EXPORT_CHUNK_SIZE
    keys = TagField.objects.keys()
    return csv_chunks(
        (passage_row(passage, site, keys) for passage in passages.iterator(chunk_size=chunk_size)),
        keys,
    )


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


# The PostgreSQL path computes the same cells as `passage_row`, in SQL:
# - `neutralise`: a leading ' where the text matches `formula_start()`, the pattern
#   Python matches (its classes come from Python's Unicode tables, so both agree on every
#   character);
# - empty text becomes NULL, which CSV writes as nothing (an empty string would be "");
# - timestamps as `datetime.isoformat()` writes them in UTC.
_ISO_TIMESTAMP = (
    "regexp_replace(to_char(%(expressions)s AT TIME ZONE 'UTC', "
    """'YYYY-MM-DD"T"HH24:MI:SS.US'), '[.]000000$', '') || '+00:00'"""
)


def _text(expression) -> Func:
    neutralised = "regexp_replace(%(expressions)s, '^(?=" + formula_start() + ")', '''')"
    return Func(expression, template=f"NULLIF({neutralised}, '')", output_field=TextField())


def copy_select(passages, site: str, keys: Iterable[str] = ()):
    """`passages` as a values_list of the CSV's cells (all text or NULL), in listing order."""
    name = Collate("tag__name", "C")  # code-point order, as Python's sorted()
    tags = (
        TaggedAnnotation.objects.filter(content_object=OuterRef("pk"))
        .order_by()
        .values("content_object")
        .annotate(names=StringAgg(name, delimiter=Value("; "), order_by=name))
        .values("names")
    )
    marker = "--slug--"
    link_before, link_after = reverse("article-detail", kwargs={"slug": marker}).split(marker)
    orphaned = Q(anchor_status=Annotation.AnchorStatus.ORPHANED)
    cells = {
        "c_id": Cast("pk", TextField()),
        "c_article": Cast("article_id", TextField()),
        "c_title": _text(F("article__title")),
        "c_url": _text(F("article__url")),
        "c_outlet": _text(F("article__outlet__name")),
        "c_published": Func(
            F("article__published"),
            template="to_char(%(expressions)s, 'YYYY-MM-DD')",
            output_field=TextField(),
        ),
        "c_tags": _text(Subquery(tags, output_field=TextField())),
        "c_organization": _text(F("organization__name")),
        "c_quote": _text(F("exact")),
        "c_prefix": _text(F("prefix")),
        "c_suffix": _text(F("suffix")),
        "c_start": Case(When(orphaned, then=None), default=Cast("start", TextField())),
        "c_end": Case(When(orphaned, then=None), default=Cast("end", TextField())),
        "c_note": _text(F("note")),
        "c_annotator": _text(F("annotator__username")),
        "c_created": Func(F("created"), template=_ISO_TIMESTAMP, output_field=TextField()),
        "c_modified": Func(F("modified"), template=_ISO_TIMESTAMP, output_field=TextField()),
        "c_permalink": Concat(
            Value(site + link_before),
            F("article__slug"),
            Value(link_after + "#passage-"),
            Cast("pk", TextField()),
            output_field=TextField(),
        ),
        "c_adjudicated": Case(
            When(adjudicated=True, then=Value("true")),
            default=Value("false"),
            output_field=TextField(),
        ),
        **{
            f"c_field_{number}": _text(KeyTextTransform(key, "fields"))
            for number, key in enumerate(keys)
        },
    }
    return passages.annotate(**cells).values_list(*cells)


def passages_csv_copy(passages, site: str) -> Iterator[bytes]:
    """Stream `passages` as CSV straight from PostgreSQL's `COPY (...) TO STDOUT`.

    PostgreSQL ends rows with LF where the export uses CRLF; each COPY message is one
    row, so only its last byte is the row's end (line breaks inside quoted cells stay).
    """
    connection = connections[passages.db]
    keys = TagField.objects.keys()
    yield header_line(keys)
    query = copy_select(passages, site, keys).query
    try:
        sql, params = query.get_compiler(connection=connection).as_sql()
    except EmptyResultSet:  # e.g. invalid filters: `.none()`
        return
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
        with raw.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
            buffer, size = [], 0
            for row in copy:
                buffer.append(bytes(row[:-1]))
                buffer.append(b"\r\n")
                size += len(row) + 1
                if size >= FLUSH_CHARS:
                    yield b"".join(buffer)
                    buffer, size = [], 0
            if buffer:
                yield b"".join(buffer)
