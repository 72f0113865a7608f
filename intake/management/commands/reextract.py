from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from intake.extract import ExtractionError
from intake.models import Snapshot
from intake.pipeline import snapshot_import


class Command(BaseCommand):
    help = (
        "Run extraction again on each article's latest stored snapshot, without fetching: "
        "changed text becomes a new revision, the same text writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--article", metavar="SLUG", help="Only this article")

    def handle(self, *args, article, **options):
        snapshots = Snapshot.objects.filter(article__isnull=False).order_by(
            "article_id", "-fetched_at", "-pk"
        )
        if article:
            if not Article.objects.filter(slug=article).exists():
                raise CommandError(f"no article with the slug {article!r}")
            snapshots = snapshots.filter(article__slug=article)
            if not snapshots.exists():
                raise CommandError(f"{article}: no stored snapshot (not imported from a page)")
        counts, failed, seen = {}, 0, set()
        for snapshot in snapshots.select_related("article").iterator(chunk_size=100):
            if snapshot.article_id in seen:
                continue  # older snapshots of an article already done
            seen.add(snapshot.article_id)
            try:
                outcome = snapshot_import(snapshot, status=snapshot.article.status, again=True)
            except ExtractionError as error:
                failed += 1
                self.stderr.write(f"failed: {snapshot.article.slug}: {error.reason}")
                continue
            counts[outcome.state] = counts.get(outcome.state, 0) + 1
            if options["verbosity"] >= 2:
                self.stdout.write(f"{outcome.state}: {snapshot.article.slug}")
        self.stdout.write(
            f"Articles: {counts.get('updated', 0)} updated, "
            f"{counts.get('unchanged', 0)} unchanged, {failed} failed."
        )
        if failed:
            raise CommandError(f"{failed} snapshots gave no article", returncode=1)
