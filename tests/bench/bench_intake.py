"""Benchmark of the web importer: 200 fixture pages fetched from a loopback server,
extracted and written, in a fresh database of its own.

Run from the project root: `python tests/bench/bench_intake.py` (`make bench` runs it
too). Prints a table and one JSON line, and writes bench/results-intake.json.

- pages per second end to end (fetch, snapshot, extraction, article write), one process,
  no pacing (GLOSS_FETCH_HOST_INTERVAL=0: the per-host limit would make it 1 page/s);
- peak RSS of the process;
- extraction alone, time per page against page size (6 to 1,600 paragraphs, 5 to 280 KB):
  the time per KB must stay flat, not grow with the size (no quadratic step).

BENCH_INTAKE_DATABASE_URL picks the database (default: a temporary SQLite file).
"""

import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="gloss-bench-intake-")
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "DATABASE_URL": os.environ.get("BENCH_INTAKE_DATABASE_URL")
        or f"sqlite:///{_tmp}/bench.sqlite3",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": "bench-only",
        "DJANGO_LOG_LEVEL": "WARNING",
        "GLOSS_BENCH": "0",
        "GLOSS_FETCH_ALLOW_PRIVATE": "1",
        "GLOSS_FETCH_HOST_INTERVAL": "0",
    }
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from intake import actions  # noqa: E402
from intake.extract import decode, extract  # noqa: E402
from intake.fetch import Fetcher  # noqa: E402
from intake.pipeline import item_run  # noqa: E402
from tests.intake.pages import NewsPage, paragraphs, render  # noqa: E402
from tests.intake.server import serving  # noqa: E402

PAGES = 200
SIZES = (6, 25, 100, 400, 1600)  # paragraphs per page, cycled
EXTRACT_RUNS = 5


def main() -> dict:
    call_command("migrate", verbosity=0)
    pages = []
    for i in range(PAGES):
        n = SIZES[i % len(SIZES)]
        page = NewsPage(slug=f"story-{i}", title=f"Story {i}: the harbour council votes again")
        page.paragraphs = paragraphs(n, seed=f"story {i}")
        pages.append((n, page, render(page).encode()))
    with serving() as site:
        urls = [site.page(f"/news/{page.slug}/", html) for _, page, html in pages]
        batch = actions.batch_create(urls=urls)
        items = list(batch.items.select_related("batch"))
        fetcher = Fetcher()
        started = time.perf_counter()
        for item in items:
            item_run(item, fetcher=fetcher)
        elapsed = time.perf_counter() - started
    states = {}
    for item in items:
        states[item.state] = states.get(item.state, 0) + 1

    by_size = {}
    for n, page, html in pages[: len(SIZES) * 3]:
        text = decode(html)
        times = []
        for _ in range(EXTRACT_RUNS):
            t = time.perf_counter()
            extract(text, url=page.canonical)
            times.append(time.perf_counter() - t)
        row = by_size.setdefault(n, {"paragraphs": n, "kb": round(len(html) / 1024, 1), "ms": []})
        row["ms"].append(statistics.median(times) * 1000)
    rows = []
    for row in by_size.values():
        ms = statistics.median(row["ms"])
        rows.append({**row, "ms": round(ms, 2), "ms_per_kb": round(ms / row["kb"], 3)})
    flatness = rows[-1]["ms_per_kb"] / rows[0]["ms_per_kb"]
    return {
        "name": "web import (bench_intake.py)",
        "pages": PAGES,
        "states": states,
        "seconds": round(elapsed, 2),
        "pages_per_second": round(PAGES / elapsed, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "extraction_by_size": rows,
        "ms_per_kb_largest_over_smallest": round(flatness, 2),
        # Linear: the time per KB of the largest pages stays within 2x of the smallest's
        # (which carry the fixed cost of the chrome around a short text).
        "met": states.get("created") == PAGES and flatness < 2,
    }


if __name__ == "__main__":
    result = main()
    rate = result["pages_per_second"]
    print(f"{result['pages']} pages in {result['seconds']} s: {rate} pages/s,")
    print(f"peak RSS {result['peak_rss_mb']} MB, states {result['states']}")
    print("| paragraphs | page KB | extraction ms | ms per KB |")
    print("| ---: | ---: | ---: | ---: |")
    for row in result["extraction_by_size"]:
        print(f"| {row['paragraphs']} | {row['kb']} | {row['ms']} | {row['ms_per_kb']} |")
    out = ROOT / "bench" / "results-intake.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result))
    sys.exit(0 if result["met"] else 1)
