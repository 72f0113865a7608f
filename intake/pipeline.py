"""One import item from start to end: fetch (or take the upload), keep the snapshot,
extract, write; the item's state says where it is and, if it failed, why.

Used by the background task (a batch from the workspace page), by `import_urls` (inline)
and, for stored snapshots, by `reextract`. A failure of one item never stops the others.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from intake import actions
from intake.extract import ExtractionError, decode, extract
from intake.fetch import Fetcher, FetchError
from intake.models import ImportItem, Snapshot

State = ImportItem.State


def item_run(item: ImportItem, *, fetcher: Fetcher | None = None) -> ImportItem:
    """Run `item` (queued) to a finished state and return it."""
    batch, snapshot = item.batch, item.snapshot
    try:
        if snapshot is None:
            actions.item_state_set(item=item, state=State.FETCHING)
            fetched = (fetcher or Fetcher()).fetch(item.url)
            snapshot = actions.snapshot_store(
                body=fetched.body,
                url=fetched.url,
                final_url=fetched.final_url,
                status=fetched.status,
                content_type=fetched.content_type,
                charset=fetched.charset,
                fetched_at=fetched.fetched_at,
            )
        outcome = snapshot_import(
            snapshot, status=batch.article_status, outlet_name=batch.outlet_name,
            editor=batch.created_by,
        )  # fmt: skip
    except (FetchError, ExtractionError) as error:
        actions.item_state_set(
            item=item,
            state=State.FAILED,
            reason_code=error.code,
            reason=error.reason,
            snapshot=snapshot,
        )
        return item
    except ValidationError as error:
        actions.item_state_set(
            item=item, state=State.FAILED, reason_code="invalid", reason="; ".join(error.messages)
        )
        return item
    actions.item_state_set(
        item=item, state=outcome.state, snapshot=snapshot, article=outcome.article
    )
    return item


def snapshot_import(
    snapshot: Snapshot, *, status: str, outlet_name: str = "", editor=None, again: bool = False
):
    """Extract the stored page and write it (atomically); ExtractionError when it holds none.
    `again`: extraction re-run on a stored snapshot, which revises the article it made."""
    html = decode(snapshot.raw(), snapshot.charset)
    extracted = extract(html, url=snapshot.final_url or snapshot.url)
    with transaction.atomic():
        return actions.page_import(
            extracted=extracted,
            snapshot=snapshot,
            status=status,
            outlet_name=outlet_name,
            editor=editor,
            article=snapshot.article if again else None,
            comment="Extracted again from the stored snapshot" if again else "",
        )
