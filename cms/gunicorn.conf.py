"""Gunicorn's production configuration for Gloss (`make serve` uses it).

Every value can be overridden from the environment (GUNICORN_*), so the same file
serves a laptop, a two-core VM and the benchmarks.

Why gthread workers: the CSV export streams a whole archive (a million passages take
tens of seconds). A `sync` worker handles the request in the thread that also tells the
arbiter it is alive, so a response longer than `timeout` gets the worker killed
mid-stream and the client a truncated file. A `gthread` worker heartbeats from its own
event loop while request threads stream, so `timeout` only catches a worker whose loop
is stuck, never a long download. Threads also keep a few slow exports from blocking
every fast page.
"""

import multiprocessing
import os


def _env(name: str, default):
    """The variable's value, or `default` when it is unset or empty (as in .env.example)."""
    return os.environ.get(name) or default


bind = _env("GUNICORN_BIND", "127.0.0.1:8000")
# The usual 2 × cores + 1 processes; each has a few threads for concurrent requests.
workers = int(_env("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(_env("GUNICORN_THREADS", "4"))
# Seconds a worker's event loop may go without a heartbeat (not a request time limit).
timeout = int(_env("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(_env("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(_env("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak cannot grow without bound; the jitter
# keeps them from restarting all at once.
max_requests = int(_env("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = int(_env("GUNICORN_MAX_REQUESTS_JITTER", "2000"))
# Django is imported once in the arbiter and shared copy-on-write by the workers.
# Database connections are opened lazily per thread, after the fork, so none is shared.
preload_app = True
# Access log on stdout ("-"); an empty GUNICORN_ACCESS_LOG turns it off.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = _env("GUNICORN_LOG_LEVEL", "info")
# Requests get this long to send their headers; then the connection is dropped.
limit_request_line = 8190
proc_name = "gloss"


def when_ready(server):
    """In the arbiter, after the app is loaded and before any worker forks: compute what
    every worker would otherwise compute on its first CSV export (the formula pattern
    scans every code point, about a second), once, shared copy-on-write."""
    from django.utils.module_loading import import_string

    for name in ("formula_start", "formula_first_codes"):
        import_string(f"publishing.exports.{name}")()
