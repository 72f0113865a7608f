"""`manage.py reindex_echoes [--batch N]`: rebuild the echo index from every body."""

import time

from django.core.management.base import BaseCommand, CommandError

from echoes.index import BATCH, reindex_all


class Command(BaseCommand):
    help = (
        "Rebuild the echo index (winnowed fingerprints of every article body) from scratch, "
        "reading the bodies in batches, in one transaction. The article actions keep it "
        "current; use this after writes that went around them (a backup import)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", default=str(BATCH), help=f"articles read per batch (default {BATCH})"
        )

    def handle(self, *args, batch, **options):
        if not batch.isdigit() or not 1 <= int(batch) <= 100_000:
            raise CommandError(f"--batch must be a whole number from 1 to 100000, not {batch!r}")
        began = time.perf_counter()
        articles, rows = reindex_all(batch=int(batch))
        self.stdout.write(
            f"Indexed {articles} article{'s' if articles != 1 else ''}: {rows} fingerprints "
            f"in {time.perf_counter() - began:.1f} s."
        )
