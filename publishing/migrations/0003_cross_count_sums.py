"""Each maintained `/analysis/` table keeps its row and column sums as cells of its own
(`CrossCount.ROW_SUM`, `COL_SUM` as the row key; the summed row or column as the column
key). Written here from the cells already kept, in SQL; the writes keep them from then on.
"""

from django.db import migrations

ROW_SUM, COL_SUM = -1, -2


def sum_cells(apps, schema_editor):
    table = schema_editor.quote_name("publishing_crosscount")
    q = schema_editor.quote_name
    audience, kind, row, col, count = (q(c) for c in ("audience", "table", "row_key", "col_key", "count"))
    cells = f"FROM {table} WHERE {kind} <> 'built' AND {row} >= 0 AND {count} > 0"
    for key, summed in ((ROW_SUM, row), (COL_SUM, col)):
        schema_editor.execute(
            f"INSERT INTO {table} ({audience}, {kind}, {row}, {col}, {count}) "
            f"SELECT {audience}, {kind}, {key}, {summed}, SUM({count}) {cells} "
            f"GROUP BY {audience}, {kind}, {summed}",
            params=None,
        )


def drop_sums(apps, schema_editor):
    table = schema_editor.quote_name("publishing_crosscount")
    schema_editor.execute(f"DELETE FROM {table} WHERE {schema_editor.quote_name('row_key')} < 0")


class Migration(migrations.Migration):
    dependencies = [("publishing", "0002_cross_counts")]

    operations = [migrations.RunPython(sum_cells, drop_sums)]
