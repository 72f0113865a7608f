"""`manage.py import_codebook FILE.qdc`: tags from a REFI-QDA codebook (NVivo, ATLAS.ti,
MAXQDA, QualCoder, Gloss), created or updated by name, nested as in the file."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from annotations.actions.codebook import tags_import_codebook
from annotations.codebook import CodebookProblem, read_codebook
from audit.models import HistoryRecord


class Command(BaseCommand):
    help = "Create or update tags from a REFI-QDA codebook (.qdc); a bad file writes nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        try:
            codes = read_codebook(data)
            counts = tags_import_codebook(codes=codes, via=HistoryRecord.Via.COMMAND)
        except CodebookProblem as problem:
            raise CommandError(f"{path}: {problem}") from None
        except ValidationError as error:
            raise CommandError(f"{path}: {' '.join(error.messages)}") from None
        self.stdout.write(
            f"{len(codes)} codes: {counts['created']} tags created, {counts['updated']} "
            f"updated, {counts['unchanged']} unchanged."
        )
