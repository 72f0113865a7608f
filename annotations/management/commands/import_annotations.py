from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from annotations.imports.action import ImportRefused, annotations_import
from annotations.imports.formats import FileProblem, stream
from annotations.imports.report import report_lines
from annotations.models import Annotation


class Command(BaseCommand):
    help = (
        "Import W3C Web Annotations (one, an array, an AnnotationCollection or AnnotationPage) "
        "or a Hypothesis search result as passages. Atomic: any failing item aborts the whole "
        "file with every failure listed; re-importing updates the passages it made."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="JSON file ('-' is not supported)")
        parser.add_argument("--annotator", required=True, help="Username the passages belong to")
        parser.add_argument(
            "--create-tags", action="store_true", help="Create tags the file names but Gloss lacks"
        )
        parser.add_argument(
            "--status",
            choices=Annotation.Status.values,
            default=Annotation.Status.PUBLISHED,
            help="Status of new passages (default: published)",
        )
        parser.add_argument(
            "--skip-unplaced",
            action="store_true",
            help="Import the rest when an item's article or quote is not found, and list it",
        )

    def handle(self, *args, file, annotator, create_tags, status, skip_unplaced, **options):
        user = get_user_model().objects.filter(username=annotator).first()
        if user is None:
            raise CommandError(f"--annotator: no user {annotator!r}")
        try:
            handle = file.open("rb")
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}") from None
        try:
            # Streamed: the file is read as the import goes, never held whole.
            with handle:
                report = annotations_import(
                    items=stream(handle),
                    annotator=user,
                    status=status,
                    create_tags=create_tags,
                    skip_unplaced=skip_unplaced,
                )
        except FileProblem as problem:
            raise CommandError(f"{file}: {problem}") from None
        except ImportRefused as refused:
            for problem in refused.problems:
                self.stderr.write(f"{file}: {problem}")
            count = len(refused.problems)
            raise CommandError(
                f"{file}: {count} item{'s' if count != 1 else ''} failed; nothing imported"
            ) from None
        except PermissionDenied as error:
            raise CommandError(f"--annotator {annotator}: {error}") from None
        except ValidationError as error:
            raise CommandError(f"{file}: {'; '.join(error.messages)}") from None
        for line in report_lines(report):
            self.stdout.write(line)
