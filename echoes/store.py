"""The echo index's rows, in each database's layout (`echoes.models`): writing an
article's fingerprints, forgetting them, and the one read finding needs (which articles
hold which hashes, and where).

Below both `echoes.index` (the writes the article actions call) and `echoes.finding`
(the reads), so neither needs to know which database it runs on.
"""

from collections.abc import Iterable, Iterator, Sequence

from django.db import connection

from cms.bulk import insert_values
from echoes.models import Fingerprint, PrintSet
from echoes.winnowing import kept_prints

#: Articles per INSERT or COPY when many are written at once.
WRITE_BATCH = 500

Body = tuple[int, str]  # (article id, body)
Hit = tuple[int, int, int]  # (article id, hash, start)


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def model():
    return PrintSet if on_postgresql() else Fingerprint


def write(bodies: Iterable[Body]) -> int:
    """Write the fingerprints of articles that have none (new, or just forgotten), by
    COPY on PostgreSQL, multi-row INSERTs on SQLite. Returns how many fingerprints."""
    written = 0
    pending: list[Body] = []
    for pair in bodies:
        pending.append(pair)
        if len(pending) == WRITE_BATCH:
            written += _write(pending)
            pending = []
    return written + _write(pending)


def _write(bodies: Sequence[Body]) -> int:
    if not bodies:
        return 0
    if on_postgresql():
        rows, written = [], 0
        for pk, body in bodies:
            hashes, starts = kept_prints(body)
            if hashes:  # a body of fewer than K words has none: no row
                rows.append((pk, _array(hashes), _array(starts)))
                written += len(hashes)
        insert_values(PrintSet, ["article_id", "hashes", "starts"], rows)
        return written
    rows = [
        (pk, h, start) for pk, body in bodies for h, start in zip(*kept_prints(body), strict=True)
    ]
    insert_values(Fingerprint, ["article_id", "hash", "start"], rows)
    return len(rows)


def _array(numbers: list[int]) -> str:
    """An integer array as PostgreSQL's text form, which COPY reads: the driver's own
    array dumper spent longer on the fingerprints than fingerprinting them."""
    return "{" + ",".join(map(str, numbers)) + "}"


def forget(article_ids: Sequence[int]) -> None:
    """Delete these articles' fingerprints."""
    model().objects.filter(article_id__in=list(article_ids)).delete()


def clear() -> None:
    """Delete every fingerprint (a rebuild follows). On PostgreSQL, TRUNCATE: no dead
    rows left behind."""
    if not on_postgresql():
        Fingerprint.objects.all().delete()
        return
    with connection.cursor() as cursor:
        # Deferred foreign-key checks of rows written earlier in this transaction would
        # block the TRUNCATE: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {connection.ops.quote_name(PrintSet._meta.db_table)}")


def is_empty() -> bool:
    return not model().objects.exists()


def count() -> int:
    """How many fingerprints the index holds."""
    if not on_postgresql():
        return Fingerprint.objects.count()
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(PrintSet._meta.db_table)
        cursor.execute(f"SELECT coalesce(sum(cardinality(hashes)), 0) FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]


def rows(article_ids: Sequence[int] | None = None) -> list[Hit]:
    """Every fingerprint (of these articles), sorted: (article id, hash, start)."""
    if not on_postgresql():
        found = Fingerprint.objects.all()
        if article_ids is not None:
            found = found.filter(article_id__in=list(article_ids))
        return sorted(found.values_list("article_id", "hash", "start"))
    sql = f"""
        SELECT p.article_id, u.h, u.s
        FROM {connection.ops.quote_name(PrintSet._meta.db_table)} p,
             unnest(p.hashes, p.starts) AS u(h, s)
    """  # noqa: S608 (the model's own table name)
    params: list = []
    if article_ids is not None:
        sql += " WHERE p.article_id = ANY(%s)"
        params.append(list(article_ids))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(cursor.fetchall())


def hits(hashes: Iterable[int]) -> Iterator[Hit]:
    """Every fingerprint whose hash is one of `hashes`: (article id, hash, start).

    On PostgreSQL the GIN index finds the articles holding any of them (`&&`), and only
    those articles' arrays are unnested."""
    wanted = sorted(set(hashes))
    if not wanted:
        return iter(())
    if not on_postgresql():
        return iter(
            Fingerprint.objects.filter(hash__in=wanted).values_list("article_id", "hash", "start")
        )
    sql = f"""
        SELECT p.article_id, u.h, u.s
        FROM {connection.ops.quote_name(PrintSet._meta.db_table)} p,
             unnest(p.hashes, p.starts) AS u(h, s)
        WHERE p.hashes && %s::integer[] AND u.h = ANY(%s::integer[])
    """  # noqa: S608 (the model's own table name)
    with connection.cursor() as cursor:
        cursor.execute(sql, [wanted, wanted])
        return iter(cursor.fetchall())
