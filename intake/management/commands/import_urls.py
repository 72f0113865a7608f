import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from intake import actions
from intake.fetch import Fetcher
from intake.models import ImportItem
from intake.pipeline import item_run


def read_url_list(path: Path) -> list[str]:
    """URLs one a line; blank lines and lines starting with `#` are skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"{path}: cannot read the URL list ({error})") from None
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


class Command(BaseCommand):
    help = (
        "Fetch news pages and import their main text and metadata (inline, no worker needed). "
        "Goes on past failed URLs, names each failure, and exits 1 if any failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("urls", nargs="*", help="http(s) URLs of article pages")
        parser.add_argument("--file", type=Path, help="A text file of URLs, one a line")
        parser.add_argument(
            "--status", choices=Article.Status.values, default=Article.Status.PUBLISHED
        )
        parser.add_argument("--outlet", default="", help="Outlet name for every article")

    def handle(self, *args, urls, file, status, outlet, **options):
        urls = [*urls, *(read_url_list(file) if file else [])]
        if not urls:
            raise CommandError("no URLs given (name them, or --file LIST.txt)")
        too_long = next((url for url in urls if len(url) > 2000), None)
        if too_long:
            raise CommandError(f"{too_long[:80]}...: a URL longer than 2,000 characters")
        batch = actions.batch_create(urls=urls, status=status, outlet_name=outlet)
        items = list(batch.items.select_related("batch", "snapshot"))
        fetcher, counts, failures = Fetcher(), {}, []
        show_bar = options["verbosity"] >= 1
        for index, item in enumerate(items, start=1):
            if show_bar:
                self._bar(index - 1, len(items), item.url)
            item_run(item, fetcher=fetcher)
            counts[item.state] = counts.get(item.state, 0) + 1
            if item.state == ImportItem.State.FAILED:
                failures.append(item)
        if show_bar:
            self._bar(len(items), len(items), "done")
            sys.stderr.write("\n")
        for item in failures:
            self.stderr.write(f"failed: {item.url}: {item.reason}")
        self.stdout.write(
            "URLs: "
            + ", ".join(f"{counts.get(s, 0)} {s}" for s in ("created", "updated", "unchanged"))
            + f", {len(failures)} failed."
        )
        if failures:
            raise CommandError(f"{len(failures)} of {len(items)} URLs failed", returncode=1)

    def _bar(self, done: int, total: int, label: str) -> None:
        width = 30
        filled = width * done // total
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label[-60:]:<60}"
        )
        sys.stderr.flush()
