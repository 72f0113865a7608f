"""`make bench`: the speed goals of issue 6, measured as ratios on this machine.

Builds (once) a synthetic corpus in its own PostgreSQL database, serves the site with
gunicorn in its production configuration (cms/gunicorn.conf.py), drives it with wrk on
loopback, and compares every figure with a baseline measured in the same run, right
before it: the trivial `/bench/ping` view through the same middleware and server, and
for the CSV export PostgreSQL's own `COPY (the same SELECT) TO STDOUT`.

    BENCH_SCALE=small|medium|full   2k/20k, 20k/200k, 100k/1M articles/passages (full)
    BENCH_SECONDS=8                 length of each wrk run
    BENCH_DATABASE_URL              server to create gloss_bench_<scale> on
    BENCH_CACHE_URL                 the shared page cache of the warm runs
                                    (default redis://127.0.0.1:6379/9; "" for per-worker locmem)
    BENCH_DB_NAME                   database name (default gloss_bench_<scale>)
    BENCH_ONLY=pages                only the page rows (cold, warm, under writes)
    BENCH_ONLY=w3c                  only the W3C container and export.jsonld goals (issue 14)
    BENCH_ONLY=qdpx                 only the REFI-QDA project export, on a fresh server (issue 14)
    BENCH_ONLY=agreement            only the agreement benchmark (issue 16; no corpus needed)
    BENCH_ONLY=embedded             only SQLite's goals (issue 17: bench_embedded.py)
    BENCH_ONLY=writers              only the 20 concurrent API writers (issue 17)
    BENCH_ONLY=echoes               only the echo index and the echoes API (issue 20)
    BENCH_ONLY=analysis             only /analysis/ and a chart, cold and warm (issue 19)

Writes bench/results.json and prints a table. Needs PostgreSQL on 127.0.0.1:5432
(`.ci/postgres` installs one), and installs Debian's wrk and redis-server when they are
missing (Redis is started on 127.0.0.1:6379 when nothing answers there).
"""

# A local benchmark driver: it runs known tools (psql, wrk, gunicorn) and SQL built
# from its own constants.
# ruff: noqa: S603, S607, S608

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
SCALES = {"small": (2_000, 20_000), "medium": (20_000, 200_000), "full": (100_000, 1_000_000)}
SCALE = os.environ.get("BENCH_SCALE", "full")
ARTICLES, PASSAGES = SCALES[SCALE]
SEED = 1
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB_NAME", f"gloss_bench_{SCALE}")
DATABASE_URL = f"{SERVER}/{DB_NAME}"
HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_PORT", "8799"))
BASE = f"http://{HOST}:{PORT}"
WRK_SCRIPT = ROOT / "tests" / "bench" / "wrk_report.lua"
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/9")
# While the "under writes" runs read, a writer creates a passage through the API this often.
WRITE_INTERVAL = float(os.environ.get("BENCH_WRITE_INTERVAL", "1"))

ENV = {
    **os.environ,
    "DATABASE_URL": DATABASE_URL,
    "DJANGO_DEBUG": "0",
    "DJANGO_HTTPS": "0",
    "DJANGO_PLAIN_STATIC": "0",
    "DJANGO_ALLOWED_HOSTS": HOST,
    "DJANGO_LOG_LEVEL": "WARNING",
    # The development-only app: generate_corpus and /bench/ping (debug stays off).
    "GLOSS_BENCH": "1",
    "GUNICORN_BIND": f"{HOST}:{PORT}",
    # The access log costs every request the same; off so wrk measures the application.
    "GUNICORN_ACCESS_LOG": "",
    # Steady state: no worker recycling in the middle of a run (ping alone serves
    # thousands of requests a second).
    "GUNICORN_MAX_REQUESTS": "0",
}


def manage(*args, capture=True) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=ENV, capture_output=capture, text=True
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout if capture else ""


def psql(sql: str, db: str = "postgres") -> str:
    url = f"{SERVER}/{db}"
    return subprocess.run(
        ["psql", url, "-tAc", sql], capture_output=True, text=True, check=True
    ).stdout.strip()


def ensure_wrk() -> None:
    if not shutil.which("wrk"):
        apt_install("wrk")


def apt_install(package: str) -> None:
    print(f"Installing Debian's {package}")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", package],
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )


def redis_answers() -> bool:
    return (
        shutil.which("redis-cli") is not None
        and subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping"], capture_output=True, text=True
        ).stdout.strip()
        == "PONG"
    )


def ensure_redis() -> None:
    """The warm runs share one page cache between gunicorn's workers, as in production."""
    if not CACHE_URL.startswith("redis://") or redis_answers():
        return
    if not shutil.which("redis-server"):
        apt_install("redis-server")
    subprocess.run(
        [
            "redis-server",
            "--daemonize", "yes",
            "--bind", "127.0.0.1",
            "--port", "6379",
            "--save", "",
            "--appendonly", "no",
        ],
        check=True,
    )  # fmt: skip
    for _ in range(50):
        if redis_answers():
            return
        time.sleep(0.1)
    sys.exit("redis-server did not start on 127.0.0.1:6379")


def flush_page_cache() -> None:
    """Each warm run starts from an empty cache: its first renders fall inside it."""
    if CACHE_URL.startswith("redis://"):
        database = CACHE_URL.rsplit("/", 1)[-1] or "0"
        subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "-p", "6379", "-n", database, "FLUSHDB"],
            check=True,
            capture_output=True,
        )


def ensure_corpus() -> dict:
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'") != "1":
        psql(f'CREATE DATABASE "{DB_NAME}"')
    manage("migrate", "--no-input")
    have = psql(
        "SELECT (SELECT count(*) FROM articles_article) || ' ' || "
        "(SELECT count(*) FROM annotations_annotation WHERE annotator_id IN "
        "(SELECT id FROM auth_user WHERE username LIKE 'bench-annotator-%'))",
        DB_NAME,
    )
    if have != f"{ARTICLES} {PASSAGES}":
        print(f"Generating {ARTICLES} articles / {PASSAGES} passages (seed {SEED}) ...")
        started = time.monotonic()
        out = manage(
            "generate_corpus",
            f"--articles={ARTICLES}",
            f"--passages={PASSAGES}",
            f"--seed={SEED}",
            "--replace",
        )
        print(out.strip())
        generated = {"seconds": round(time.monotonic() - started, 1), "output": out.strip()}
    else:
        generated = {"reused": True}
    # The corpus is written around the actions, so the echo index is built here.
    if psql("SELECT count(*) FROM echoes_printset", DB_NAME) == "0":
        manage("reindex_echoes")
        manage("recount_facets")
        # What autovacuum does to a live database within minutes: a freshly bulk-written
        # one has no planner statistics and half its count rows dead (each write's upsert
        # leaves one), which made the count tables' scans twice as slow as in use.
        psql("VACUUM ANALYZE", DB_NAME)
    manage("collectstatic", "--no-input", "--verbosity", "0")
    return generated


def fixtures() -> dict:
    """An admin session, an API token, and the corpus's search terms and articles."""
    code = """
import json
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from articles.models import Article
from annotations.actions.tokens import api_token_create
from tests.bench.synthetic import CorpusGenerator, BUSY_ARTICLE_SLUG
User = get_user_model()
admin, _ = User.objects.get_or_create(username="bench-admin")
admin.is_staff = admin.is_superuser = True
admin.set_password("bench-admin-password")
admin.save()
session = SessionStore()
session[SESSION_KEY] = str(admin.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = admin.get_session_auth_hash()
session.create()
token = api_token_create(user=admin, name="bench")
target = Article.objects.published().exclude(slug=BUSY_ARTICLE_SLUG).order_by("pk").first()
words = target.body.split(" ")
exact = " ".join(words[1:6])
start = target.body.index(exact)
gen = CorpusGenerator(articles=1, passages=0, seed=SEED)
print(json.dumps({"session": session.session_key, "token": token, "common": gen.common_word,
    "rare": gen.rare_word, "article": target.pk, "start": start, "end": start + len(exact),
    "exact": exact}))
""".replace("SEED", str(SEED))
    return json.loads(manage("shell", "-c", code).strip().splitlines()[-1])


class Server:
    def __init__(self, **env):
        self.env = {**ENV, **env}

    def __enter__(self):
        self.process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "cms/gunicorn.conf.py", "cms.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(ROOT / "bench" / "gunicorn.log", "a"),  # noqa: SIM115
        )
        for _ in range(100):
            try:
                ping = http.client.HTTPConnection(HOST, PORT, timeout=2)
                ping.request("GET", "/bench/ping")  # the arbiter listens before it forks:
                ping.getresponse().read()  # a worker has answered
                # Every worker and thread answers a while before anything is measured: the
                # first measured ping ran into workers still starting (its p95 was 490 ms
                # where the others' were 5-7, which made the first page's ratio nothing).
                wrk("/bench/ping", seconds=2)
                return self
            except OSError:
                time.sleep(0.2)
        sys.exit("gunicorn did not start; see bench/gunicorn.log")

    def worker_pids(self) -> list[int]:
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]

    def _largest(self, field: str) -> float:
        """The largest worker's `field` of /proc/<pid>/status, in MB."""
        sizes = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(rf"{field}:\s+(\d+)", status).group(1)) / 1024)
        return round(max(sizes), 1)

    def peak_rss_mb(self) -> float:
        return self._largest("VmHWM")

    def rss_mb(self) -> float:
        """The largest worker's resident memory now."""
        return self._largest("VmRSS")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


def wrk(path: str, *, connections=8, headers=(), script=None, seconds=None) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds or SECONDS}s", "--timeout", "30s"]
    for header in headers:
        command += ["-H", header]
    command += ["-s", str(script or WRK_SCRIPT), BASE + path]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    report = json.loads(out[out.index("{") :].splitlines()[0])
    report["non_2xx"] = int(m.group(1)) if (m := re.search(r"Non-2xx.*?(\d+)", out)) else 0
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    report["socket_errors"] = sum(map(int, errors.groups())) if errors else 0
    return report


def paired(
    name: str, path: str, goal: str, limit: float, metric: str, *, writer=None, **kwargs
) -> dict:
    """`path` against /bench/ping measured just before it, under the same load.

    With a `writer` (a `Writer`), it writes to the corpus while `path` is measured (not
    while ping is): every write moves the corpus version, so cached pages go stale.
    """
    ping = wrk("/bench/ping", connections=kwargs.get("connections", 8))
    if writer is None:
        target = wrk(path, **kwargs)
    else:
        with writer:
            target = wrk(path, **kwargs)
        target["writes"] = writer.report()
    cancel_stragglers()
    if metric == "throughput":
        ratio = ping["rps"] / max(target["rps"], 1e-9)  # how many times slower
    else:
        ratio = target["p95_ms"] / max(ping["p95_ms"], 1e-9)
    row = {
        "name": name,
        "path": path,
        "goal": goal,
        "limit": limit,
        "ratio": round(ratio, 1),
        "met": ratio <= limit
        and target["requests"] > 0
        and not target["non_2xx"]
        and not target["socket_errors"],
        "target": target,
        "baseline": ping,
    }
    cache = f"hit {target['cache_hit']} stale {target['cache_stale']} miss {target['cache_miss']}"
    writes = f", {target['writes']['ok']} writes" if writer else ""
    print(
        f"  {name:38} {ratio:7.1f}x  (limit {limit}x)  {target['rps']:8.1f} req/s  "
        f"p95 {target['p95_ms']:7.1f} ms  ({cache}{writes})"
    )
    return row


class Writer:
    """Creates one passage through the API every WRITE_INTERVAL seconds, in a thread."""

    def __init__(self, fx: dict):
        self.body = json.dumps(
            {"article": fx["article"], "start": fx["start"], "end": fx["end"], "exact": fx["exact"]}
        )
        self.headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {fx['token']}",
        }

    def __enter__(self):
        self.stop = threading.Event()
        self.ok = self.failed = 0
        self.seconds: list[float] = []
        self.thread = threading.Thread(target=self.run)
        self.thread.start()
        return self

    def run(self):
        while not self.stop.wait(WRITE_INTERVAL):
            connection = http.client.HTTPConnection(HOST, PORT, timeout=30)
            started = time.monotonic()
            connection.request("POST", "/api/annotations/", self.body, self.headers)
            status = connection.getresponse().status
            self.seconds.append(time.monotonic() - started)
            connection.close()
            if status == 201:
                self.ok += 1
            else:
                self.failed += 1

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    def report(self) -> dict:
        slowest = max(self.seconds, default=0)
        return {"ok": self.ok, "failed": self.failed, "slowest_ms": round(slowest * 1000, 1)}


def cancel_stragglers() -> None:
    """Queries wrk gave up on keep running in PostgreSQL; stop them so the next
    measurement starts on an idle machine."""
    psql(
        "SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE state = 'active' "
        f"AND datname = '{DB_NAME}' AND pid <> pg_backend_pid()"
    )


def count_rows(stream) -> tuple[int, int]:
    rows = size = 0
    tail = b""
    while chunk := stream.read(1 << 20):
        size += len(chunk)
        rows += (tail + chunk).count(b"\r\n") - tail.count(b"\r\n")
        tail = chunk[-1:]
    return rows, size


def http_export(query: str = "") -> dict:
    connection = http.client.HTTPConnection(HOST, PORT, timeout=600)
    started = time.monotonic()
    connection.request("GET", "/passages/export.csv" + query)
    response = connection.getresponse()
    expected = int(response.getheader("X-Gloss-Row-Count"))
    try:
        rows, size = count_rows(response)
        complete = True
    except http.client.IncompleteRead:
        rows, size, complete = -1, -1, False
    return {
        "seconds": round(time.monotonic() - started, 2),
        "status": response.status,
        "header_rows": expected,
        "rows": rows - 1,  # the header line
        "bytes": size,
        "complete": complete,
    }


def copy_baseline(query: str = "") -> dict:
    """The same SELECT as the export, through PostgreSQL's COPY, read by a client."""
    code = f"""
import time
from django.http import QueryDict
from django.contrib.auth.models import AnonymousUser
from publishing.exports import copy_select
from publishing.filters import PassageFilterSet
from annotations.models import Annotation
from django.db import connection
visible = Annotation.objects.visible_to(AnonymousUser())
f = PassageFilterSet(QueryDict({query.lstrip("?")!r}) or None, queryset=visible)
sql, params = copy_select(f.qs.for_listing(), "http://{HOST}:{PORT}").query.get_compiler(connection=connection).as_sql()
started = time.monotonic(); rows = size = 0
with connection.cursor() as cursor:
    with cursor.cursor.copy(f"COPY ({{sql}}) TO STDOUT WITH (FORMAT csv)", params) as copy:
        for row in copy:
            rows += 1; size += len(row)
print(time.monotonic() - started, rows, size)
"""
    seconds, rows, size = manage("shell", "-c", code).split()[-3:]
    return {"seconds": round(float(seconds), 2), "rows": int(rows), "bytes": int(size)}


def export_benchmarks(server: Server, cutoff: str) -> dict:
    small_query = f"?published_after={cutoff}"
    small = http_export(small_query)
    small["peak_rss_mb"] = server.peak_rss_mb()
    small_copy = copy_baseline(small_query)
    full_copy = copy_baseline()
    full = http_export()
    full["peak_rss_mb"] = server.peak_rss_mb()
    ratio = full["seconds"] / full_copy["seconds"]
    met = (
        ratio <= 3
        and full["complete"]
        and full["rows"] == full["header_rows"] == full_copy["rows"]
        and full["peak_rss_mb"] <= 150
        and full["peak_rss_mb"] <= 1.2 * small["peak_rss_mb"]
    )
    print(
        f"  {'CSV export, all passages':38} {ratio:7.1f}x  (limit 3x)  {full['rows']} rows, "
        f"{full['seconds']} s vs COPY {full_copy['seconds']} s, peak RSS {full['peak_rss_mb']} MB "
        f"(subset of {small['rows']} rows: {small['peak_rss_mb']} MB)"
    )
    return {
        "name": "CSV export, all passages",
        "goal": "HTTP export within 3x of COPY; peak worker RSS <= 150 MB and <= 1.2x the subset's",
        "limit": 3,
        "ratio": round(ratio, 2),
        "met": met,
        "full": full,
        "full_copy": full_copy,
        "subset": small,
        "subset_copy": small_copy,
    }


def qdpx_export_benchmark(csv_seconds: float | None = None) -> dict:
    """`/passages/export.qdpx` of the whole archive: time and the worker's peak RSS.

    A server of its own, so the peak is the export's, not that of pages served before
    it; the workers' RSS before the request is reported beside it. No baseline of its
    own: the time is reported beside the CSV export's (same run), the memory against the
    issue's 150 MB."""
    with Server() as server:
        idle = server.rss_mb()
        connection = http.client.HTTPConnection(HOST, PORT, timeout=1800)
        started = time.monotonic()
        connection.request("GET", "/passages/export.qdpx")
        response = connection.getresponse()
        expected = int(response.getheader("X-Gloss-Row-Count") or -1)
        size, complete = 0, True
        try:
            while chunk := response.read(1 << 20):
                size += len(chunk)
        except http.client.IncompleteRead:
            complete = False
        seconds = round(time.monotonic() - started, 2)
        peak = server.peak_rss_mb()
    met = complete and response.status == 200 and peak <= 150
    csv = f"; CSV {csv_seconds} s" if csv_seconds is not None else ""
    print(
        f"  {'REFI-QDA export, all passages':38} {seconds} s ({expected} passages, "
        f"{size / 2**20:.0f} MB{csv}), peak RSS {peak} MB (limit 150; idle {idle} MB)"
    )
    return {
        "name": "REFI-QDA export (.qdpx), all passages",
        "goal": "whole archive streamed; peak worker RSS <= 150 MB",
        "met": met,
        "status": response.status,
        "complete": complete,
        "header_rows": expected,
        "rows": expected if complete else -1,
        "bytes": size,
        "seconds": seconds,
        "peak_rss_mb": peak,
        "idle_rss_mb": idle,
    }


def truncation_check() -> dict:
    """Kill the export's database session mid-stream: the client must see a broken body."""
    result = {}

    def killer():
        time.sleep(1.5)
        result["killed"] = psql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE query LIKE 'COPY (%' AND pid <> pg_backend_pid()",
            DB_NAME,
        )

    thread = threading.Thread(target=killer)
    thread.start()
    outcome = http_export()
    thread.join()
    visible = not outcome["complete"] or outcome["rows"] != outcome["header_rows"]
    print(f"  {'export killed mid-stream':38} failure visible to the client: {visible}")
    return {"name": "export killed mid-stream", "met": visible, "killed": result, **outcome}


def versus(name: str, path: str, baseline: str, goal: str, limit: float) -> dict:
    """`path`'s p95 against `baseline`'s, measured just before it under the same load."""
    base = wrk(baseline)
    target = wrk(path)
    cancel_stragglers()
    ratio = target["p95_ms"] / max(base["p95_ms"], 1e-9)
    met = ratio <= limit and target["requests"] > 0 and not target["non_2xx"]
    print(
        f"  {name:38} {ratio:7.1f}x  (limit {limit}x)  p95 {target['p95_ms']:7.1f} ms "
        f"vs {base['p95_ms']:.1f} ms ({baseline})"
    )
    return {
        "name": name,
        "path": path,
        "goal": goal,
        "limit": limit,
        "ratio": round(ratio, 1),
        "met": met,
        "target": target,
        "baseline": base,
    }


def count_in_stream(stream, needle: bytes) -> tuple[int, int]:
    """How often `needle` occurs in `stream` (across chunk boundaries), and its size."""
    count = size = 0
    tail = b""
    while chunk := stream.read(1 << 20):
        size += len(chunk)
        window = tail + chunk
        count += window.count(needle) - tail.count(needle)
        tail = window[-(len(needle) - 1) :]
    return count, size


def http_export_jsonld() -> dict:
    connection = http.client.HTTPConnection(HOST, PORT, timeout=1200)
    started = time.monotonic()
    connection.request("GET", "/passages/export.jsonld")
    response = connection.getresponse()
    expected = int(response.getheader("X-Gloss-Row-Count"))
    try:
        items, size = count_in_stream(response, b'"type":"Annotation"')
        complete = True
    except http.client.IncompleteRead:
        items, size, complete = -1, -1, False
    return {
        "seconds": round(time.monotonic() - started, 2),
        "status": response.status,
        "header_rows": expected,
        "rows": items,
        "bytes": size,
        "complete": complete,
    }


def w3c_benchmarks() -> list[dict]:
    """Issue 14's speed goals of the W3C container and the JSON-LD export.

    Each export runs in a server of its own, so each worker's peak RSS is its own.
    """
    passage = psql(
        "SELECT a.id FROM annotations_annotation a JOIN articles_article r "
        "ON r.id = a.article_id WHERE a.status = 'published' AND r.status = 'published' "
        "ORDER BY a.id DESC LIMIT 1",
        DB_NAME,
    )
    results = []
    with Server(GLOSS_PAGE_CACHE_SECONDS="0"):
        print("W3C Web Annotation, cache off (ratio = p95 / the baseline's p95):")
        results.append(
            versus(
                "W3C container, last page vs first",
                "/annotations/?page=last",
                "/annotations/?page=first",
                "last page p95 within 2x the first page's",
                2,
            )
        )
        results.append(
            versus(
                "W3C single annotation vs ping (cold)",
                f"/annotations/{passage}",
                "/bench/ping",
                "reference: every request builds the answer",
                float("inf"),
            )
        )
    with Server():
        print("W3C Web Annotation, answers kept per corpus version (per-worker cache):")
        results.append(
            versus(
                "W3C single annotation vs ping",
                f"/annotations/{passage}",
                "/bench/ping",
                "p95 within 2x the trivial view's",
                2,
            )
        )
    with Server() as server:
        csv = http_export()
        csv["peak_rss_mb"] = server.peak_rss_mb()
    with Server() as server:
        jsonld = http_export_jsonld()
        jsonld["peak_rss_mb"] = server.peak_rss_mb()
    ratio = jsonld["seconds"] / max(csv["seconds"], 1e-9)
    met = (
        ratio <= 3
        and jsonld["complete"]
        and jsonld["rows"] == jsonld["header_rows"] == csv["rows"]
        and jsonld["peak_rss_mb"] <= 150
    )
    print(
        f"  {'export.jsonld vs export.csv':38} {ratio:7.1f}x  (limit 3x)  {jsonld['rows']} items "
        f"in {jsonld['seconds']} s (CSV {csv['seconds']} s), peak RSS {jsonld['peak_rss_mb']} MB "
        f"(CSV {csv['peak_rss_mb']} MB)"
    )
    results.append(
        {
            "name": "export.jsonld, all passages",
            "goal": "within 3x the CSV export's time; peak worker RSS <= 150 MB",
            "limit": 3,
            "ratio": round(ratio, 2),
            "met": met,
            "full": jsonld,
            "full_copy": csv,
            "subset": {"peak_rss_mb": csv["peak_rss_mb"]},
        }
    )
    return results


def reanchor_benchmark() -> dict:
    script = ROOT / "tests" / "bench" / "bench_reanchor.py"
    if not script.is_file():
        return {"name": "re-anchoring", "skipped": "tests/bench/bench_reanchor.py not found"}
    result = subprocess.run(
        [PYTHON, str(script)],
        cwd=ROOT,
        env={**ENV, "DJANGO_DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=900,
    )
    print("  re-anchoring benchmark: exit", result.returncode)
    return {
        "name": "re-anchoring (bench_reanchor.py)",
        "exit": result.returncode,
        "output": result.stdout[-4000:],
    }


def intake_benchmark() -> dict:
    """The web importer on 200 loopback pages, in a database of its own (bench_intake.py)."""
    script = ROOT / "tests" / "bench" / "bench_intake.py"
    result = subprocess.run(
        [PYTHON, str(script)], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=900
    )
    print("  web import benchmark: exit", result.returncode)
    lines = result.stdout.strip().splitlines()
    try:
        return {**json.loads(lines[-1]), "exit": result.returncode}
    except (IndexError, ValueError):
        return {"name": "web import (bench_intake.py)", "exit": result.returncode,
                "output": (result.stdout + result.stderr)[-4000:]}  # fmt: skip


def import_benchmark() -> dict:
    """`import_annotations` of 10,000 W3C annotations (its own fresh databases)."""
    script = ROOT / "tests" / "bench" / "bench_import_annotations.py"
    result = subprocess.run(
        [PYTHON, str(script), "--databases", "sqlite,postgres"],
        cwd=ROOT,
        env={**ENV, "BENCH_DATABASE_URL": SERVER},
        capture_output=True,
        text=True,
        timeout=1800,
    )
    print("  import_annotations benchmark: exit", result.returncode)
    print("\n".join("    " + line for line in result.stdout.splitlines()[1:]))
    return {
        "name": "import_annotations, 10,000 W3C annotations (bench_import_annotations.py)",
        "exit": result.returncode,
        "met": result.returncode == 0,
        "output": result.stdout[-4000:],
    }


def agreement_benchmark() -> dict:
    """Agreement of a round of 200 articles x 3 coders x 3,000 passages, sweep vs direct
    transcription of the formulas (bench_agreement.py, its own fresh database)."""
    script = ROOT / "tests" / "bench" / "bench_agreement.py"
    result = subprocess.run(
        [PYTHON, str(script)], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=1800
    )
    print("  agreement benchmark: exit", result.returncode)
    lines = result.stdout.strip().splitlines()
    try:
        return {**json.loads(lines[-1]), "exit": result.returncode}
    except (IndexError, ValueError):
        return {"name": "agreement (bench_agreement.py)", "exit": result.returncode,
                "output": (result.stdout + result.stderr)[-4000:]}  # fmt: skip


def api_create_script(fx: dict) -> Path:
    body = json.dumps(
        {"article": fx["article"], "start": fx["start"], "end": fx["end"], "exact": fx["exact"]}
    )
    path = ROOT / "bench" / "wrk_create.lua"
    path.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(body)}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {fx["token"]}"\n' + WRK_SCRIPT.read_text()
    )
    return path


# /analysis/ against ping (issue 19): rendered (cold: four grouped counts, four tables),
# within 30x; from the page cache (warm), within 5x. Under writes every request renders.
ANALYSIS_LIMITS = {"cold": 30, "warm": 5}


def analysis_benchmarks(
    outlet: str, label: str, limit: float, *, flush=False, writer=None
) -> list[dict]:
    """The analysis page (unfiltered and filtered) and one of its charts, each against ping."""
    results = []
    for name, path in (
        ("/analysis/ unfiltered", "/analysis/"),
        ("/analysis/ filtered by outlet", f"/analysis/?outlet={outlet}"),
        ("/analysis/ chart (SVG)", "/analysis/charts/tag-outlet.svg"),
    ):
        if flush:
            flush_page_cache()
        row = paired(name, path, f"p95 within {limit}x of ping's", limit, "p95", writer=writer)
        row["name"] += label
        results.append(row)
    return results


def chart_after_page() -> dict:
    """The chart as a browser asks for it: right after its page, which counted its table
    (`Analysis.computed` keeps it for the page, the charts and the CSV), so the chart only
    draws. The page cache stays off: every request draws again. The tables are kept in the
    shared cache (as in production), so every worker finds what the page counted."""
    page = http.client.HTTPConnection(HOST, PORT, timeout=60)
    page.request("GET", "/analysis/")
    page.getresponse().read()
    row = paired(
        "/analysis/ chart (SVG) after its page",
        "/analysis/charts/tag-outlet.svg",
        f"p95 within {ANALYSIS_LIMITS['cold']}x of ping's",
        ANALYSIS_LIMITS["cold"],
        "p95",
    )
    row["name"] += " (cold)"
    return row


def page_benchmarks(
    fx: dict,
    outlet: str,
    admin: list[str] | None,
    label: str,
    *,
    flush=False,
    writer=None,
    analysis_limit: float = ANALYSIS_LIMITS["cold"],
) -> list[dict]:
    """The public pages and (with `admin`) the admin changelist, each against ping.

    With `flush`, each page's run starts from an empty shared cache; with `writer`, the
    corpus changes while each page is read.
    """
    results = []

    def measure(name, path, goal, limit, metric, **kwargs):
        if flush:
            flush_page_cache()
        row = paired(name, path, goal, limit, metric, writer=writer, **kwargs)
        row["name"] += label
        results.append(row)

    for name, path in (
        ("/passages/ unfiltered", "/passages/"),
        ("/passages/ filtered by outlet", f"/passages/?outlet={outlet}"),
        ("/articles/ unfiltered", "/articles/"),
        ("/articles/ filtered by outlet", f"/articles/?outlet={outlet}"),
    ):
        measure(name, path, "throughput >= 1/10 of ping", 10, "throughput")
    for name, path in (
        ("search passages, rare term", f"/passages/?q={fx['rare']}"),
        ("search passages, common term", f"/passages/?q={fx['common']}"),
        ("search articles, rare term", f"/articles/?q={fx['rare']}"),
        ("search articles, common term", f"/articles/?q={fx['common']}"),
    ):
        measure(name, path, "p95 within 10x of ping's", 10, "p95")
    measure(
        "article with 500 passages",
        "/articles/bench-busy-article/",
        "p95 within 10x of ping's",
        10,
        "p95",
    )
    results += analysis_benchmarks(outlet, label, analysis_limit, flush=flush, writer=writer)
    if admin:
        # Staff pages are never cached: measured once, with the cold pages.
        measure(
            "admin passage changelist",
            "/admin/annotations/annotation/",
            "p95 within 20x of ping's",
            20,
            "p95",
            headers=admin,
        )
        # A reference, not a goal: Django's admin index shows no rows at all, so its
        # figure is what the admin's own page (header, app list, session) costs.
        measure(
            "admin index (reference: no rows)",
            "/admin/",
            "reference for the changelist",
            float("inf"),
            "p95",
            headers=admin,
        )
    return results


def main() -> None:
    (ROOT / "bench").mkdir(exist_ok=True)
    if os.environ.get("BENCH_ONLY") == "agreement":  # issue 16: builds its own round
        write_report({"skipped": "not needed"}, [agreement_benchmark()])
        return
    ensure_wrk()
    print(f"Scale {SCALE}: {ARTICLES} articles, {PASSAGES} passages; database {DB_NAME}")
    generated = ensure_corpus()
    fx = fixtures()
    cutoff = psql(
        "SELECT published FROM articles_article ORDER BY published DESC "
        f"OFFSET {ARTICLES // 10} LIMIT 1",
        DB_NAME,
    )
    outlet = psql(
        "SELECT o.slug FROM articles_outlet o JOIN articles_article a ON a.outlet_id = o.id "
        "GROUP BY o.slug ORDER BY count(*) DESC OFFSET 20 LIMIT 1",
        DB_NAME,
    )
    admin = [f"Cookie: sessionid={fx['session']}"]
    results = []
    if os.environ.get("BENCH_ONLY") == "w3c":  # the W3C goals alone (issue 14)
        write_report(generated, w3c_benchmarks())
        return
    if os.environ.get("BENCH_ONLY") == "qdpx":  # the REFI-QDA project's memory (issue 14)
        write_report(generated, [qdpx_export_benchmark()])
        return
    if os.environ.get("BENCH_ONLY") == "embedded":  # SQLite's goals alone (issue 17)
        write_report(generated, embedded_benchmarks())
        return
    if os.environ.get("BENCH_ONLY") == "writers":
        write_report(generated, writers_benchmarks())
        return
    if os.environ.get("BENCH_ONLY") == "echoes":
        write_report(generated, echoes_benchmarks())
        return
    if os.environ.get("BENCH_ONLY") == "analysis":  # issue 19's /analysis/ alone
        with Server(GLOSS_PAGE_CACHE_SECONDS="0", GLOSS_ANALYSIS_CACHE_SECONDS="0"):
            print("Analysis, cold (caches off: every request counts and draws):")
            results += analysis_benchmarks(outlet, " (cold)", ANALYSIS_LIMITS["cold"])
        ensure_redis()
        with Server(
            GLOSS_PAGE_CACHE_SECONDS="0",
            GLOSS_ANALYSIS_CACHE_SECONDS="600",
            GLOSS_CACHE_URL=CACHE_URL,
        ):
            print("Analysis chart after its page (page cache off, the page's tables kept):")
            if CACHE_URL:
                flush_page_cache()
            results.append(chart_after_page())
        with Server(GLOSS_CACHE_URL=CACHE_URL):
            print("Analysis, warm (page cache, emptied before each run):")
            results += analysis_benchmarks(
                outlet, " (warm)", ANALYSIS_LIMITS["warm"], flush=bool(CACHE_URL)
            )
        write_report(generated, results)
        return
    # Cold: the page cache off, so every request renders, as the first one after a write
    # does. Warm (below): the same pages again, served from the cache after the first.
    pages_only = os.environ.get("BENCH_ONLY") == "pages"
    with Server(GLOSS_PAGE_CACHE_SECONDS="0"):
        print("Cold pages (cache off: every request renders, as after a write):")
        results += page_benchmarks(fx, outlet, admin, " (cold)")
    ensure_redis()
    with Server(GLOSS_CACHE_URL=CACHE_URL) as server:
        cache = CACHE_URL or "per-worker locmem"
        print(f"Warm pages (page cache {cache}, emptied before each page's run):")
        results += page_benchmarks(
            fx,
            outlet,
            None,
            " (warm)",
            flush=bool(CACHE_URL),
            analysis_limit=ANALYSIS_LIMITS["warm"],
        )
        print(
            f"Pages while a passage is created every {WRITE_INTERVAL:g} s "
            "(each write makes every cached page stale):"
        )
        results += page_benchmarks(
            fx, outlet, None, f" (1 write per {WRITE_INTERVAL:g} s)", writer=Writer(fx)
        )
        if pages_only:  # the page rows alone (cold, warm, under writes)
            write_report(generated, results)
            return
        create = paired(
            "API create, 20 clients",
            "/api/annotations/",
            "no errors; throughput reported",
            float("inf"),
            "throughput",
            connections=20,
            script=api_create_script(fx),
        )
        t = create["target"]
        create["met"] = t["requests"] > 0 and not t["non_2xx"] and not t["socket_errors"]
        results.append(create)
        print("Export (ratio = HTTP time / COPY time of the same SELECT):")
        results.append(export_benchmarks(server, cutoff))
    results.append(qdpx_export_benchmark(results[-1]["full"]["seconds"]))
    # A short heartbeat timeout proves the long export is not killed by it.
    with Server(GUNICORN_TIMEOUT="5"):
        results.append(truncation_check())
        long = http_export()
        long["met"] = long["complete"] and long["rows"] == long["header_rows"]
        long["name"] = "whole export under a 5 s worker timeout"
        print(f"  {long['name']:38} {long['seconds']} s, complete: {long['met']}")
        results.append(long)
    results.append(reanchor_benchmark())
    results += w3c_benchmarks()
    results.append(intake_benchmark())
    results.append(import_benchmark())
    results.append(agreement_benchmark())
    results += embedded_benchmarks()
    results += writers_benchmarks()
    results += echoes_benchmarks()
    write_report(generated, results)


def embedded_benchmarks() -> list[dict]:
    """Issue 17, SQLite (the embedded default) at the issue's sizes whatever the scale:
    the CSV export of 100k passages against `sqlite3 -csv`, import_articles of 5,000 files
    (and on PostgreSQL), import_backup and import_annotations of 100k passages."""
    import bench_embedded

    print("Embedded (SQLite; 100k passages, 5,000 files):")
    results = [bench_embedded.export()]
    results += bench_embedded.articles()
    results += bench_embedded.backup()
    results += bench_embedded.annotations()
    return results


def writers_benchmarks() -> list[dict]:
    """Issue 17: 20 API clients creating passages at once, on PostgreSQL."""
    import bench_embedded

    print("Writers (PostgreSQL, 20 API clients creating passages):")
    return [bench_embedded.writers()]


# The echoes API's limit against the trivial view (issue 20), and what "within a few times
# the bodies" is taken to mean for the index's size (table and its indexes, in bytes).
ECHOES_API_LIMIT = 10
ECHO_INDEX_LIMIT = 5


def echoes_benchmarks() -> list[dict]:
    """Issue 20: the echo index's size against the bodies', `reindex_echoes`'s time, and
    `GET /api/annotations/<id>/echoes/` of a corpus passage against /bench/ping."""
    print("Echoes (issue 20):")
    started = time.monotonic()
    out = manage("reindex_echoes").strip()
    seconds = round(time.monotonic() - started, 1)
    index_bytes, body_bytes, rows, articles = map(
        int,
        psql(
            "SELECT pg_total_relation_size('echoes_printset') || ' ' || "
            "(SELECT sum(octet_length(body)) FROM articles_article) || ' ' || "
            "(SELECT coalesce(sum(cardinality(hashes)), 0) FROM echoes_printset) || ' ' || "
            "(SELECT count(*) FROM articles_article)",
            DB_NAME,
        ).split(),
    )
    size = index_bytes / max(body_bytes, 1)
    print(
        f"  {'echo index / bodies':38} {size:7.2f}x  (limit {ECHO_INDEX_LIMIT}x)  "
        f"{index_bytes / 2**20:.1f} MB for {body_bytes / 2**20:.1f} MB of bodies, {rows} rows"
    )
    print(f"  {'reindex_echoes':38} {seconds} s for {articles} articles ({out})")
    results = [
        {
            "name": "echo index size / body size (bytes)",
            "ratio": round(size, 2),
            "limit": ECHO_INDEX_LIMIT,
            "met": size <= ECHO_INDEX_LIMIT,
            "goal": "within a few times the size of the bodies",
            "summary": f"{index_bytes / 2**20:.1f} MB (table and indexes) for "
            f"{body_bytes / 2**20:.1f} MB of bodies (UTF-8), {rows} fingerprints",
            "index_bytes": index_bytes,
            "body_bytes": body_bytes,
            "rows": rows,
        },
        {
            "name": "reindex_echoes",
            "met": True,
            "detail": f"{seconds} s for {articles} articles, {rows} fingerprints",
            "seconds": seconds,
        },
    ]
    # A published passage of a published article, two or three sentences long: in this
    # corpus the sentences repeat across articles, so it has echoes (as wire copy does).
    passage = psql(
        "SELECT p.id FROM annotations_annotation p JOIN articles_article a "
        "ON a.id = p.article_id WHERE p.status = 'published' AND a.status = 'published' "
        "AND length(p.exact) BETWEEN 150 AND 300 ORDER BY p.id LIMIT 1",
        DB_NAME,
    )
    path = f"/api/annotations/{passage}/echoes/"
    with Server(GLOSS_PAGE_CACHE_SECONDS="0"):
        connection = http.client.HTTPConnection(HOST, PORT, timeout=60)
        connection.request("GET", path)
        found = len(json.loads(connection.getresponse().read())["echoes"])
        print(f"  passage {passage}: {found} echoes")
        api = versus(
            "echoes API vs trivial view",
            path,
            "/bench/ping",
            f"within {ECHOES_API_LIMIT}x the trivial view",
            ECHOES_API_LIMIT,
        )
        api["echoes"] = found
        results.append(api)
    return results


def write_report(generated: dict, results: list[dict]) -> None:
    machine = {
        "cpus": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
        "postgresql": psql("SHOW server_version"),
        "python": sys.version.split()[0],
    }
    report = {
        "scale": SCALE,
        "articles": ARTICLES,
        "passages": PASSAGES,
        "seconds_per_run": SECONDS,
        "machine": machine,
        "corpus": generated,
        "results": results,
    }
    only = f"-{os.environ['BENCH_ONLY']}" if os.environ.get("BENCH_ONLY") else ""
    name = "results" + ("" if SCALE == "full" else f"-{SCALE}") + only + ".json"
    out = ROOT / "bench" / name
    out.write_text(json.dumps(report, indent=2))
    print_table(report)
    print(f"Wrote {out.relative_to(ROOT)}")


def print_table(report: dict) -> None:
    print(f"\n| benchmark ({report['scale']}) | ratio | limit | met | detail |")
    print("| --- | ---: | ---: | :---: | --- |")
    for row in report["results"]:
        if "ratio" not in row:
            detail = (
                row.get("skipped")
                or row.get("detail")
                or row.get("summary")
                or f"exit {row.get('exit')}"
            )
            if "complete" in row:
                got = "body cut off" if row["rows"] < 0 else f"{row['rows']} rows"
                detail = (
                    f"status {row['status']}, {got} of {row['header_rows']} announced, "
                    f"{row['seconds']} s"
                )
                if "peak_rss_mb" in row:
                    detail += f", peak RSS {row['peak_rss_mb']} MB"
                if "idle_rss_mb" in row:
                    detail += f" (idle {row['idle_rss_mb']} MB)"
            print(f"| {row['name']} | | | {'yes' if row.get('met') else '-'} | {detail} |")
            continue
        if "summary" in row:  # issue 17's rows say their own figures
            met = "yes" if row["met"] else "NO"
            print(
                f"| {row['name']} | {row['ratio']}x | {row['limit']}x | {met} | {row['summary']} |"
            )
            continue
        if "target" in row and not row["target"]["requests"]:
            print(f"| {row['name']} | no reply in {SECONDS} s | {row['limit']}x | NO | |")
            continue
        if "target" in row:
            t = row["target"]
            b = row["baseline"]
            detail = (
                f"{t['rps']:.0f} req/s, p95 {t['p95_ms']:.1f} ms "
                f"(ping {b['rps']:.0f} req/s, p95 {b['p95_ms']:.1f} ms)"
            )
            if t["cache_hit"] or t["cache_stale"] or t["cache_miss"]:
                detail += (
                    f"; cache hit {t['cache_hit']}, stale {t['cache_stale']}, "
                    f"miss {t['cache_miss']}"
                )
            if "writes" in t:
                detail += f"; {t['writes']['ok']} writes ({t['writes']['failed']} failed)"
        else:
            f = row["full"]
            detail = (
                f"{f['rows']} rows in {f['seconds']} s (COPY {row['full_copy']['seconds']} s), "
                f"peak RSS {f['peak_rss_mb']} MB (subset {row['subset']['peak_rss_mb']} MB)"
            )
        limit = "-" if row["limit"] == float("inf") else f"{row['limit']}x"
        met = "yes" if row["met"] else "NO"
        print(f"| {row['name']} | {row['ratio']}x | {limit} | {met} | {detail} |")


if __name__ == "__main__":
    main()
