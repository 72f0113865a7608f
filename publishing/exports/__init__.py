"""The CSV export of passages: RFC 4180, UTF-8, streamed, safe to open in a spreadsheet.

`passages_csv` picks the path for the database: PostgreSQL writes the CSV itself
(`copy`), SQLite writes each row's cells (`sqlite`); `rows` holds the columns and the
reference export both are tested against, `formulas` the neutralisation all three share.
"""

from collections.abc import Iterator

from django.db import connections

from publishing.exports.copy import copy_select, passages_csv_copy
from publishing.exports.formulas import formula_first_codes, formula_start, neutralise
from publishing.exports.rows import (
    FLUSH_CHARS,
    HEADER,
    csv_chunks,
    header_line,
    passage_row,
    passages_csv_python,
)
from publishing.exports.sqlite import passages_csv_rows, rows_select


def passages_csv(passages, site: str) -> Iterator[bytes]:
    """Stream `passages` (a QuerySet) as CSV: PostgreSQL writes it (`COPY`), SQLite and
    others give the cells as plain tuples (`passages_csv_rows`)."""
    if connections[passages.db].vendor == "postgresql":
        return passages_csv_copy(passages, site)
    return passages_csv_rows(passages, site)


__all__ = [
    "FLUSH_CHARS",
    "HEADER",
    "copy_select",
    "csv_chunks",
    "formula_first_codes",
    "formula_start",
    "header_line",
    "neutralise",
    "passage_row",
    "passages_csv",
    "passages_csv_copy",
    "passages_csv_python",
    "passages_csv_rows",
    "rows_select",
]
