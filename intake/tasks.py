"""Background imports: one django.tasks task per item, run by `manage.py db_worker`."""

from django.db import transaction
from django.tasks import task

from intake import actions
from intake.fetch import Fetcher
from intake.models import ImportBatch, ImportItem
from intake.pipeline import item_run

# One fetcher per worker process: robots.txt is read once per host, and the per-host pace
# (intake.fetch.PACER) is shared by every task the process runs.
_FETCHER = Fetcher()


@task()
def import_item(item_id: int) -> str:
    """Import one queued item; returns its final state."""
    item = ImportItem.objects.select_related("batch", "snapshot").get(pk=item_id)
    if item.finished:
        return item.state
    try:
        return item_run(item, fetcher=_FETCHER).state
    except Exception:
        # A bug or a lost database must not leave the row "fetching" for ever on the
        # editor's screen; the worker logs the traceback with the task's failure.
        actions.item_state_set(
            item=item, state=ImportItem.State.FAILED, reason_code="error",
            reason="unexpected error (logged by the worker)",
        )  # fmt: skip
        raise


def batch_enqueue(batch: ImportBatch) -> None:
    """Queue every item of `batch` once the transaction that made it commits."""
    ids = list(batch.items.values_list("pk", flat=True))

    def enqueue():
        for item_id in ids:
            import_item.enqueue(item_id)

    transaction.on_commit(enqueue)
