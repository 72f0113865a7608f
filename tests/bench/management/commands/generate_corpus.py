import time

from django.core.management.base import BaseCommand, CommandError

from tests.bench.synthetic import corpus_clear, generate_corpus


class Command(BaseCommand):
    help = (
        "Fill the archive with a deterministic synthetic corpus for benchmarks: N articles "
        "of 2–8 KB, M passages (some overlapping, some drafts), a few hundred outlets and "
        "organizations, Zipf-distributed tags. The same seed gives the same rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, required=True)
        parser.add_argument("--passages", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete every article, passage, outlet and organization first.",
        )

    def handle(self, *args, articles, passages, seed, replace, **options):
        if articles < 1 or passages < 0:
            raise CommandError("--articles must be at least 1 and --passages at least 0")
        started = time.monotonic()
        if replace:
            corpus_clear()

        def progress(summary):
            if summary.articles % 20_000 < 2_000 or summary.articles == articles:
                self.stderr.write(
                    f"  {summary.articles} articles, {summary.passages} passages, "
                    f"{time.monotonic() - started:.0f} s"
                )

        try:
            summary = generate_corpus(
                articles=articles, passages=passages, seed=seed, progress=progress
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Generated {summary.articles} articles, {summary.passages} passages, "
            f"{summary.tagged} tags on passages in {time.monotonic() - started:.1f} s "
            f"(seed {seed}, digest {summary.digest[:16]}, common word {summary.common_word!r}, "
            f"rare word {summary.rare_word!r}, busy article {summary.busy_article!r})"
        )
