from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backups.archive import MODELS
from backups.format import BackupProblem, verify
from backups.restore import import_verified


class Command(BaseCommand):
    help = (
        "Import a backup written by export_backup into an empty database, all or nothing. "
        "The whole file is verified first (trailer, row counts, checksum). "
        "--replace deletes the accounts and content already there first (same transaction)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--replace",
            action="store_true",
            help=(
                "Delete existing accounts, articles, passages, tags, history, snapshots and "
                "import batches first"
            ),
        )

    @contextmanager
    def lines(self, path: Path):
        try:
            with path.open("rb") as file:
                yield file
        except OSError as error:
            raise CommandError(f"{path}: cannot read: {error}") from None

    def handle(self, *args, path: Path, replace: bool, **options):
        try:
            # Two readings of the file: the first proves it whole before anything is
            # deleted, the second imports it without holding it in memory.
            with self.lines(path) as lines:
                verify(lines, MODELS)
            with self.lines(path) as lines:
                counts = import_verified(lines, replace=replace)
        except BackupProblem as problem:
            raise CommandError(f"{path}: {problem}") from None
        with_passwords = counts.pop("with_passwords")
        summary = ", ".join(f"{n} {label}" for label, n in counts.items())
        self.stdout.write(f"Imported {summary}.")
        if not with_passwords:
            self.stdout.write(
                "The backup holds no password hashes: accounts need a new password "
                "(manage.py changepassword USER) before they can log in."
            )
