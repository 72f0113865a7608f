"""The CSV export on PostgreSQL: `COPY (SELECT ...) TO STDOUT WITH CSV`, the cells computed
in SQL as `passage_row` computes them."""

from collections.abc import Iterable, Iterator

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, F, Func, OuterRef, Q, StringAgg, Subquery, TextField, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Collate, Concat
from django.urls import reverse

from annotations.models import Annotation, TagField, TaggedAnnotation
from publishing.exports.formulas import formula_start
from publishing.exports.rows import FLUSH_CHARS, header_line

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
