from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from intake.importers import ImportProblem, import_articles


class Command(BaseCommand):
    help = (
        "Import plain-text articles (first non-empty line is the title) from files and folders. "
        "Idempotent and atomic: any bad input aborts the whole batch with nothing written."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="+",
            type=Path,
            help="Files or folders: .txt (plain text) and .html/.htm (saved web pages)",
        )
        parser.add_argument(
            "--manifest",
            type=Path,
            help=(
                "CSV with columns file,outlet,outlet_domain,url,published,author and an "
                "optional title column: a title there replaces the file's first line (for "
                "files whose first line is page chrome, not the headline)"
            ),
        )
        parser.add_argument(
            "--status",
            choices=Article.Status.values,
            default=Article.Status.PUBLISHED,
            help="Status of newly created articles (default: published)",
        )

    def handle(self, *args, paths, manifest, status, **options):
        verbosity = options["verbosity"]

        def progress(index, total, article_file, outcome):
            # Every file at -v2; otherwise every 100th and the last, so long imports show life.
            if verbosity >= 2 or (verbosity >= 1 and (index % 100 == 0 or index == total)):
                self.stdout.write(f"[{index}/{total}] {outcome}: {article_file.path.name}")

        try:
            report = import_articles(paths, manifest=manifest, status=status, progress=progress)
        except ImportProblem as problem:
            raise CommandError(f"{problem.source}: {problem.reason}") from None
        self.stdout.write(
            f"Articles: {report.created} created, {report.revised} revised, "
            f"{report.updated} updated, {report.unchanged} unchanged."
        )
