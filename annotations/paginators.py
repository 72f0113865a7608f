"""A paginator for admin changelists over a million passages.

Django's paginator runs `SELECT COUNT(*)` on every changelist page; over a million rows
that scan is most of the page's time. Unfiltered, PostgreSQL's own row estimate
(`pg_class.reltuples`, kept by autovacuum/ANALYZE) is close enough to number the pages;
filtered, rows are counted up to a cap and the last page number is approximate beyond it.
"""

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class EstimatedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        connection = connections[queryset.db]
        if connection.vendor == "postgresql" and not queryset.query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [queryset.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] > COUNT_CAP:
                return row[0]
        return queryset.order_by()[: COUNT_CAP + 1].count()
