"""Inserting many new rows of one model, fast: COPY on PostgreSQL, multi-row INSERTs elsewhere.

`QuerySet.bulk_create` spends most of a large import in Django building the statement
(per value: the field's preparation, its placeholder, nested parameter lists): profiled on
20,000 imported annotations, 36 of 86 s, against a fraction of that in the database. Here
each column's conversion is chosen once per call, plain columns (numbers, text, foreign
keys, booleans) pass through as they are, and the rows go to PostgreSQL by COPY, with
their ids drawn from the table's sequence first, or to SQLite as multi-row
`INSERT ... RETURNING id` statements. Each object gets its `pk`, as `bulk_create` gives it.

What `bulk_create` does that this does not: no signals (it sends none either), no
`save()`; `auto_now` / `auto_now_add` and defaults apply as in `bulk_create` (`pre_save`).
For new rows only (an object whose pk is set is inserted with it).
"""

from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from enum import Enum

from django.db import connections

#: Columns whose Python value is already what the database driver takes.
PLAIN = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
        "URLField",
    }
)
#: Parameters per SQLite statement (SQLITE_MAX_VARIABLE_NUMBER is 32,766 since 3.32).
SQLITE_PARAMETERS = 30_000
SQLITE_ROWS = 500


def insert(objects: Sequence, *, using: str = "default") -> None:
    """Insert `objects` (new, all of one model) in as few statements as the database
    allows, and set each one's pk."""
    if not objects:
        return
    model = type(objects[0])
    connection = connections[using]
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
    if objects[0].pk is None:
        fields = [f for f in fields if f is not pk]
    converters = [_converter(field, connection) for field in fields]
    getters = [_getter(field) for field in fields]

    def row(obj) -> list:
        values = [get(obj) for get in getters]
        for i, convert in enumerate(converters):
            if convert is not None and values[i] is not None:
                values[i] = convert(values[i])
        return values

    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    if connection.vendor == "postgresql":
        if objects[0].pk is None:
            _draw_ids(connection, model, objects)
            fields, getters, converters = (
                [pk, *fields],
                [_getter(pk), *getters],
                [None, *converters],
            )
        columns = ", ".join(q(field.column) for field in fields)
        with connection.cursor() as cursor:
            # psycopg's own cursor: Django's wrapper has no copy(). Names are the model's own.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for obj in objects:
                    copy.write_row(row(obj))
        return
    columns = ", ".join(q(field.column) for field in fields)
    per = max(1, min(SQLITE_ROWS, SQLITE_PARAMETERS // len(fields)))
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    returning = objects[0].pk is None
    with connection.cursor() as cursor:
        for start in range(0, len(objects), per):
            chunk = objects[start : start + per]
            # Names are the model's own, quoted; every value is a parameter.
            values = ", ".join([one] * len(chunk))
            sql = f"INSERT INTO {table} ({columns}) VALUES {values}"  # noqa: S608
            params = [value for obj in chunk for value in row(obj)]
            if returning:
                cursor.execute(f"{sql} RETURNING {q(pk.column)}", params)
                # SQLite returns the rows in insertion order (Django's bulk_create relies
                # on it too: `can_return_rows_from_bulk_insert`).
                for obj, (new,) in zip(chunk, cursor.fetchall(), strict=True):
                    obj.pk = new
                    obj._state.adding = False
            else:
                cursor.execute(sql, params)
    for obj in objects:
        obj._state.adding = False


def insert_values(model, names: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert plain rows (values of the fields `names`, by attribute name, already as the
    driver takes them: numbers, text, None) without building model instances: link
    tables. No pks are returned."""
    connection = connections["default"]
    meta = model._meta
    q = connection.ops.quote_name
    table = q(meta.db_table)
    columns = ", ".join(q(meta.get_field(name).column) for name in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
            return
        one = "(" + ", ".join(["%s"] * len(names)) + ")"
        per = max(1, min(SQLITE_ROWS, SQLITE_PARAMETERS // len(names)))
        rows = list(rows)
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            values = ", ".join([one] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values}",  # noqa: S608
                [value for row in chunk for value in row],
            )


def _draw_ids(connection, model, objects: Sequence) -> None:
    """Take len(objects) values of the table's id sequence (identity or serial)."""
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        for obj, (new,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = new
            obj._state.adding = False


def _getter(field) -> Callable:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: field.pre_save(obj, True)
    attname = field.attname
    return lambda obj: getattr(obj, attname)


def converter(field, connection) -> Callable | None:
    """What makes a field's Python value one the database driver takes (None: it already
    is one), chosen once per column, as `insert` chooses it."""
    return _converter(field, connection)


def _converter(field, connection) -> Callable | None:
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        if connection.vendor == "postgresql":
            return None  # psycopg writes an aware datetime as it is
        # What get_db_prep_save ends in, without its checks of a value already a datetime.
        return connection.ops.adapt_datetimefield_value
    if kind in PLAIN:
        # A choice given as its enum member goes in as its value (psycopg would write an
        # Enum's name).
        return _plain_value if field.choices else None
    return lambda value: field.get_db_prep_save(value, connection)


def _plain_value(value):
    return value.value if isinstance(value, Enum) else value


#: What PostgreSQL may use to sort an index's entries when one is built afresh.
BUILD_MEMORY = "256MB"


@contextmanager
def indexes_built_after(models: Iterable, *, using: str = "default"):
    """Load into these models' tables with their plain (non-unique) indexes dropped, and
    build them once at the end: inserting a row into a B-tree, and still more into a GIN
    (full-text search, the echo index), costs more than building the index from sorted
    entries. For loads into empty tables (a backup import). Unique indexes stay, so
    duplicates are still refused as the rows go in. The statements are the database's
    own definitions, read back, so the indexes come back exactly as they were; inside
    the caller's transaction, so a failed load gets them back as well."""
    connection = connections[using]
    tables = sorted({model._meta.db_table for model in models})
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
                "current_schema() AND tablename = ANY(%s) AND indexdef NOT LIKE "
                "'CREATE UNIQUE %%' ORDER BY indexname",
                [tables],
            )
        else:
            placeholders = ", ".join(["%s"] * len(tables))
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT "  # noqa: S608
                f"NULL AND tbl_name IN ({placeholders}) AND sql NOT LIKE 'CREATE UNIQUE %%' "
                "ORDER BY name",
                tables,
            )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A table with deferred foreign-key checks pending cannot be indexed: they run
            # now (a dangling id fails here), and later writes defer theirs again.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
        for _, definition in indexes:
            cursor.execute(definition)
