"""Where a page's time goes: database versus Python, in-process, against the bench corpus.

    .venv/bin/python tests/bench/profile_pages.py [--repeat N] [--cprofile PATH] [PATH ...]

Renders each page through Django's test client (no server, no cache: GLOSS_PAGE_CACHE_SECONDS
is forced to 0) N times after one warm-up, and prints per page the median wall time, the
median time spent in SQL, the query count and the slowest queries of the last run. With
`--cprofile`, also the 25 most expensive functions of that one page (cumulative). Reads the
database `make bench` built (BENCH_SCALE picks which; default full).
"""

# ruff: noqa: S603, S607

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
SCALE = os.environ.get("BENCH_SCALE", "full")
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
os.environ.setdefault("DATABASE_URL", f"{SERVER}/gloss_bench_{SCALE}")
os.environ.setdefault("DJANGO_SECRET_KEY", "profile-pages")
os.environ["DJANGO_DEBUG"] = "0"
os.environ["DJANGO_HTTPS"] = "0"
os.environ["GLOSS_PAGE_CACHE_SECONDS"] = "0"
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def default_paths() -> list[str]:
    from tests.bench.synthetic import BUSY_ARTICLE_SLUG, CorpusGenerator

    gen = CorpusGenerator(articles=1, passages=0, seed=1)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT o.slug FROM articles_outlet o JOIN articles_article a ON a.outlet_id = o.id"
            " GROUP BY o.slug ORDER BY count(*) DESC OFFSET 20 LIMIT 1"
        )
        outlet = cursor.fetchone()[0]
    return [
        "/passages/",
        f"/passages/?outlet={outlet}",
        "/articles/",
        f"/articles/?outlet={outlet}",
        f"/passages/?q={gen.rare_word}",
        f"/passages/?q={gen.common_word}",
        f"/articles/?q={gen.rare_word}",
        f"/articles/?q={gen.common_word}",
        f"/articles/{BUSY_ARTICLE_SLUG}/",
        "/admin/annotations/annotation/",
    ]


def staff_client() -> Client:
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    return client


def measure(client: Client, path: str, repeat: int) -> dict:
    client.get(path)  # warm-up: imports, compiled templates, PostgreSQL's buffers
    walls, sqls = [], []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            walls.append(time.perf_counter() - started)
        if response.status_code != 200:
            sys.exit(f"{path}: status {response.status_code}")
        sqls.append(sum(float(q["time"]) for q in captured.captured_queries))
    slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:3]
    return {
        "wall_ms": statistics.median(walls) * 1000,
        "sql_ms": statistics.median(sqls) * 1000,
        "queries": len(captured.captured_queries),
        "slowest": [(float(q["time"]) * 1000, q["sql"]) for q in slowest],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cprofile", help="also profile this one path's Python")
    args = parser.parse_args()
    anonymous, staff = Client(), staff_client()
    print(f"{'page':58} {'wall ms':>8} {'sql ms':>8} {'python':>8} {'queries':>7}")
    for path in args.paths or default_paths():
        client = staff if path.startswith("/admin/") else anonymous
        row = measure(client, path, args.repeat)
        python_ms = row["wall_ms"] - row["sql_ms"]
        print(
            f"{path[:58]:58} {row['wall_ms']:8.1f} {row['sql_ms']:8.1f} "
            f"{python_ms:8.1f} {row['queries']:7}"
        )
        for ms, sql in row["slowest"]:
            print(f"    {ms:7.1f} ms  {sql[:150]}")
    if args.cprofile:
        import cProfile
        import pstats

        client = staff if args.cprofile.startswith("/admin/") else anonymous
        client.get(args.cprofile)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            client.get(args.cprofile)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
