from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.backups import BackupProblem, import_lines


class Command(BaseCommand):
    help = (
        "Import a backup written by export_backup into an empty database, all or nothing. "
        "--replace deletes the accounts and content already there first (same transaction)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete existing accounts, articles, passages, tags and history first",
        )

    def handle(self, *args, path: Path, replace: bool, **options):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{path}: cannot read: {error}") from None
        try:
            counts = import_lines(text.splitlines(), replace=replace)
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
