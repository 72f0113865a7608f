"""Concurrency soak: simulated annotators against gunicorn + PostgreSQL (`make soak`).

Not part of `make test`. It creates a PostgreSQL database of its own, starts gunicorn on
a loopback port with the production configuration (`cms/gunicorn.conf.py`, debug off),
and runs SOAK_CLIENTS annotators (20) for SOAK_SECONDS (120) through the JSON API:
creating, editing and deleting passages on a handful of articles, several at once on the
same article. A few of them are editors who edit anyone's passages with `If-Match`, so
they race the owners; every client also replays an edit with an ETag it knows is stale.

Every acknowledged operation (2xx) is logged. At the end the database must equal the
log: the passages that exist are exactly those created and not deleted, each reads as
its latest acknowledged version, and each write left one history record. It fails
(exit 1) on any 5xx, any transport error, any lost or phantom write, or any stale edit
that was not refused with 409.

Environment: SOAK_SECONDS, SOAK_CLIENTS, SOAK_EDITORS (5), SOAK_PORT (8765),
SOAK_SERVER (postgres://postgres@127.0.0.1:5432), SOAK_KEEP_DB=1 to keep the database,
GUNICORN_* to change the server's configuration. Figures go to stdout and, as JSON, to
tests/soak/results/last.json.
"""

import http.client
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECONDS = float(os.environ.get("SOAK_SECONDS", "120"))
CLIENTS = int(os.environ.get("SOAK_CLIENTS", "20"))
EDITORS = int(os.environ.get("SOAK_EDITORS", "5"))
PORT = int(os.environ.get("SOAK_PORT", "8765"))
SERVER = os.environ.get("SOAK_SERVER", "postgres://postgres@127.0.0.1:5432")
DB_NAME = f"gloss_soak_{int(time.time())}_{secrets.token_hex(3)}"
DATABASE_URL = f"{SERVER}/{DB_NAME}"
ARTICLES = 4
TAGS = ["statistic", "quote", "legal-argument"]

SERVER_ENV = {
    "DATABASE_URL": DATABASE_URL,
    "DJANGO_DEBUG": "0",
    # Plain HTTP on loopback: no TLS proxy in front here, so no HTTPS redirect.
    "DJANGO_HTTPS": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "DJANGO_LOG_LEVEL": "WARNING",
    "GUNICORN_BIND": f"127.0.0.1:{PORT}",
    "GUNICORN_ACCESS_LOG": "",
}
os.environ.update(SERVER_ENV)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
sys.path.insert(0, str(ROOT))


def make_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{DB_NAME}"')


def drop_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def prepare() -> tuple[list[dict], list[tuple[str, str, bool]]]:
    """Migrate, then make the articles and the accounts with their tokens."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from annotations.actions.tokens import api_token_create
    from tests.factories import make_annotator, make_article, make_editor

    sentence = (
        "The council said 42\u00a0percent of claims failed, and the union \u201cobjected\u201d "
        "in court; caf\u00e9 owners \U0001f600 disagreed. "
    )
    articles = []
    for n in range(ARTICLES):
        body = "".join(f"{n}.{i} {sentence}" for i in range(200))
        article = make_article(body, title=f"Soak article {n}")
        articles.append({"id": article.pk, "body": body})
    accounts = []
    for n in range(CLIENTS):
        editor = n < EDITORS
        user = (make_editor if editor else make_annotator)(f"soak{n}")
        accounts.append((user.username, api_token_create(user=user, name="soak"), editor))
    from django.db import connections

    connections.close_all()
    return articles, accounts


@dataclass
class Log:
    """What the server acknowledged, and what it answered."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    created: dict[int, dict] = field(default_factory=dict)
    latest: dict[int, dict] = field(default_factory=dict)  # id -> newest acknowledged state
    deleted: set[int] = field(default_factory=set)
    writes: Counter = field(default_factory=Counter)  # acknowledged writes by kind
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    transport_errors: list[str] = field(default_factory=list)
    stale_sent: int = 0
    stale_refused: int = 0
    stale_accepted: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    def acknowledge(self, state: dict) -> None:
        with self.lock:
            known = self.latest.get(state["id"])
            if known is None or state["modified"] > known["modified"]:
                self.latest[state["id"]] = state


class Client:
    def __init__(self, token: str, log: Log):
        self.connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.log = log

    def call(self, method: str, path: str, payload=None, **headers):
        body = json.dumps(payload).encode() if payload is not None else None
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=self.headers | headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            with self.log.lock:
                self.log.transport_errors.append(f"{method} {path}: {error!r}")
            return None, None, None
        elapsed = time.perf_counter() - started
        with self.log.lock:
            self.log.latencies.append(elapsed)
            self.log.statuses[response.status] += 1
            if response.status >= 500:
                self.log.server_errors.append(f"{method} {path}: {response.status} {data[:200]!r}")
        parsed = json.loads(data) if data else None
        return response.status, parsed, response.getheader("ETag")


def annotator_loop(username: str, token: str, editor: bool, articles, log: Log, stop, seed):
    rng = random.Random(seed)
    client = Client(token, log)
    mine: list[int] = []
    n = 0
    while not stop.is_set():
        n += 1
        roll = rng.random()
        if roll < 0.4 or not mine:
            article = rng.choice(articles[:2]) if rng.random() < 0.7 else rng.choice(articles)
            start = rng.randrange(0, len(article["body"]) - 60)
            end = start + rng.randrange(1, 60)
            if not article["body"][start:end].strip():
                continue
            status, body, etag = client.call(
                "POST",
                "/api/annotations/",
                {
                    "article": article["id"],
                    "start": start,
                    "end": end,
                    "exact": article["body"][start:end],
                    "tags": rng.sample(TAGS, rng.randrange(0, 3)),
                    "note": f"{username} created #{n}",
                },
            )
            if status == 201:
                with log.lock:
                    log.created[body["id"]] = body
                    log.writes["create"] += 1
                log.acknowledge(body)
                mine.append(body["id"])
        elif roll < 0.7:
            # Edit one of mine (or, as an editor, anyone's) with If-Match: may race.
            target = rng.choice(mine)
            if editor and rng.random() < 0.6:
                with log.lock:
                    alive = [pk for pk in log.latest if pk not in log.deleted]
                target = rng.choice(alive) if alive else target
            status, body, etag = client.call("GET", f"/api/annotations/{target}/")
            if status != 200:
                continue
            status, body, _ = client.call(
                "PATCH",
                f"/api/annotations/{target}/",
                {"note": f"{username} edit #{n}", "tags": rng.sample(TAGS, rng.randrange(0, 3))},
                **{"If-Match": etag},
            )
            if status == 200:
                with log.lock:
                    log.writes["update"] += 1
                log.acknowledge(body)
        elif roll < 0.85:
            # A stale edit on purpose: change it, then send the old ETag again.
            target = rng.choice(mine)
            status, body, old = client.call("GET", f"/api/annotations/{target}/")
            if status != 200:
                continue
            status, body, _ = client.call(
                "PATCH", f"/api/annotations/{target}/", {"note": f"{username} fresh #{n}"}
            )
            if status != 200:
                continue
            with log.lock:
                log.writes["update"] += 1
            log.acknowledge(body)
            status, body, _ = client.call(
                "PATCH",
                f"/api/annotations/{target}/",
                {"note": f"{username} STALE #{n}"},
                **{"If-Match": old},
            )
            with log.lock:
                log.stale_sent += 1
                if status == 409 and body["error"]["code"] == "stale_passage":
                    log.stale_refused += 1
                elif status is not None and status < 300:
                    log.stale_accepted.append(f"{target}: {status}")
                    log.writes["update"] += 1
            if status is not None and status < 300:
                log.acknowledge(body)
        else:
            target = mine.pop(rng.randrange(len(mine)))
            status, body, etag = client.call("GET", f"/api/annotations/{target}/")
            if status != 200:
                continue
            status, _, _ = client.call(
                "DELETE", f"/api/annotations/{target}/", **{"If-Match": etag}
            )
            if status == 204:
                with log.lock:
                    log.deleted.add(target)
                    log.writes["delete"] += 1


def start_server() -> subprocess.Popen:
    env = os.environ | SERVER_ENV
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(  # noqa: S603 - the venv's own gunicorn
        [str(Path(sys.executable).with_name("gunicorn")), "--config", "cms/gunicorn.conf.py"]
        + ["cms.wsgi"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.kill()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def verify(log: Log, articles) -> dict:
    """Compare the database with the log of acknowledged operations."""
    from annotations.models import Annotation
    from audit.models import HistoryRecord

    rows = {
        p.pk: p
        for p in Annotation.objects.filter(article_id__in=[a["id"] for a in articles])
        .select_related("annotator")
        .prefetch_related("tags")
    }
    expected_ids = set(log.created) - log.deleted
    lost, phantom, wrong = [], [], []
    phantom = sorted(set(rows) - expected_ids)
    lost = sorted(expected_ids - set(rows))
    for pk in sorted(expected_ids & set(rows)):
        row, state = rows[pk], log.latest[pk]
        actual = {
            "note": row.note,
            "tags": sorted(t.slug for t in row.tags.all()),
            "modified": row.modified.isoformat(),
        }
        wanted = {k: state[k] for k in actual}
        if actual != wanted:
            wrong.append({"id": pk, "database": actual, "acknowledged": wanted})
    history = Counter(
        HistoryRecord.objects.for_model(Annotation)
        .filter(action__in=["create", "update", "delete"])
        .values_list("action", flat=True)
    )
    return {
        "passages_in_database": len(rows),
        "lost_writes": lost,
        "phantom_rows": phantom,
        "rows_not_at_latest_ack": wrong,
        "history_records": dict(history),
    }


def main() -> int:
    make_database()
    server = None
    try:
        articles, accounts = prepare()
        server = start_server()
        log, stop = Log(), threading.Event()
        threads = [
            threading.Thread(
                target=annotator_loop,
                args=(username, token, editor, articles, log, stop, n),
                daemon=True,
            )
            for n, (username, token, editor) in enumerate(accounts)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(SECONDS)
        stop.set()
        for thread in threads:
            thread.join(timeout=90)
        duration = time.monotonic() - started
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        server = None
        result = verify(log, articles)
        latencies = sorted(log.latencies)
        quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
        figures = {
            "seconds": round(duration, 1),
            "clients": CLIENTS,
            "editors": EDITORS,
            "gunicorn": {
                k: os.environ.get(f"GUNICORN_{k.upper()}", "config default")
                for k in ("workers", "threads")
            },
            "requests": sum(log.statuses.values()),
            "requests_per_second": round(sum(log.statuses.values()) / duration, 1),
            "statuses": dict(sorted(log.statuses.items())),
            "acknowledged_writes": dict(log.writes),
            "server_errors": len(log.server_errors),
            "transport_errors": len(log.transport_errors),
            "stale_edits_sent": log.stale_sent,
            "stale_edits_refused_409": log.stale_refused,
            "stale_edits_accepted": log.stale_accepted,
            "latency_ms": {
                "p50": round(quantiles[49] * 1000, 1),
                "p95": round(quantiles[94] * 1000, 1),
                "p99": round(quantiles[98] * 1000, 1),
                "max": round(latencies[-1] * 1000, 1) if latencies else 0,
            },
            **{k: v if not isinstance(v, list) else len(v) for k, v in result.items()},
            "examples": {
                "server_errors": log.server_errors[:5],
                "transport_errors": log.transport_errors[:5],
                "rows_not_at_latest_ack": result["rows_not_at_latest_ack"][:3],
                "lost": result["lost_writes"][:5],
                "phantom": result["phantom_rows"][:5],
            },
        }
        writes = log.writes
        history_ok = result["history_records"] == {
            k: v
            for k, v in (
                ("create", writes["create"]),
                ("update", writes["update"]),
                ("delete", writes["delete"]),
            )
            if v
        }
        figures["history_matches_log"] = history_ok
        out = ROOT / "tests" / "soak" / "results"
        out.mkdir(exist_ok=True)
        (out / "last.json").write_text(json.dumps(figures, indent=2) + "\n")
        print(json.dumps(figures, indent=2))
        failed = (
            log.server_errors
            or log.transport_errors
            or result["lost_writes"]
            or result["phantom_rows"]
            or result["rows_not_at_latest_ack"]
            or log.stale_accepted
            or log.stale_refused != log.stale_sent
            or not history_ok
        )
        print("SOAK FAILED" if failed else "SOAK PASSED")
        return 1 if failed else 0
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGKILL)
        from django.db import connections

        connections.close_all()
        if not os.environ.get("SOAK_KEEP_DB"):
            drop_database()


if __name__ == "__main__":
    sys.exit(main())
