from pathlib import Path

from django.core.management.base import BaseCommand

from backups.archive import export_backup


class Command(BaseCommand):
    help = (
        "Write a complete, versioned backup (JSON Lines): accounts, outlets, organizations, "
        "articles with revisions, tags, passages, history, the pages articles were imported "
        "from and the coding rounds (done marks, adjudications). `-` writes to standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="File to write (replaced if it exists), or -")
        parser.add_argument(
            "--with-passwords",
            action="store_true",
            help="Include password hashes (keep such a file as secret as the database)",
        )

    def handle(self, *args, path: str, with_passwords: bool, **options):
        if path == "-":
            export_backup(self.stdout._out, with_passwords=with_passwords)
            return
        target = Path(path)
        partial = target.with_name(target.name + ".partial")
        # Written beside the target and renamed at the end: a failed export never leaves a
        # truncated file under the real name.
        with partial.open("w", encoding="utf-8", newline="\n") as out:
            rows = export_backup(out, with_passwords=with_passwords)
        if with_passwords:
            partial.chmod(0o600)
        partial.replace(target)
        self.stderr.write(f"Backup of {rows} rows written to {target}.")
