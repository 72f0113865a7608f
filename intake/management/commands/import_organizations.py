from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from intake.importers import ImportProblem, import_organizations


class Command(BaseCommand):
    help = (
        "Create or update organizations from a CSV with columns name,kind,aliases "
        "(aliases separated by |)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            created, updated, unchanged = import_organizations(file)
        except ImportProblem as problem:
            raise CommandError(f"{problem.source}: {problem.reason}") from None
        self.stdout.write(
            f"Organizations: {created} created, {updated} updated, {unchanged} unchanged."
        )
