"""Rendered public pages, cached until the corpus changes, rendered once per change.

Versions. One integer, `CorpusVersion.version`, moves on every write to what the public
pages show: every action writes inside `publishing.hooks.corpus_write`, which bumps it first
thing in its transaction, so the bump commits (or rolls back) with the write; a write
that rolls back leaves the version, and with it every cached page, valid. Bumping first,
before any other lock, makes the version row the first lock every write takes: writes
take turns on it, and no two can each hold a lock the other waits for.

What is cached. Only anonymous GET requests are served from or stored in the cache:
staff see drafts, and signed-in pages carry the user's name and a CSRF token. A page
whose rendering asked for a CSRF token or a CSP nonce, or that sets a cookie, is never
stored, nor is anything but a 200, nor a request with a message waiting to be shown.

Entries. A page lives under one key per full URL (scheme, host, path and query string),
`gloss:page:<sha256 of the URL>`, as (version, rendering start time, bytes, content
type); `GLOSS_PAGE_CACHE_SECONDS` bounds how long it lives anyway, for writes made around
the services (a username changed in the users admin). The cache is Django's `default`
cache: per process (locmem) unless `GLOSS_CACHE_URL` names a Redis server shared by
every worker.

A request reads the corpus version first, before anything else, and then the URL's
entry. The outcome is in the `X-Gloss-Page-Cache` header:

- `hit`: the entry is at the version read; its bytes are served. (A page rendered while
  a write commits can hold the newer rows under the older version: newer, never staler.)
- `miss`: the request took the URL's render lock for that version
  (`gloss:render:<version>:<sha256>`, taken with the cache's atomic `add()`, expiring
  after `RENDER_LOCK_SECONDS` so a killed worker cannot hold a page forever), rendered
  the page, stored it if storable and released the lock (also when rendering raised).
  One request renders per (URL, version) at a time.
- `stale`: another request holds that lock (it is re-rendering the page for the new
  version) and the entry is another version's page (an earlier one; or a newer one, for
  a request that read the version just before a write committed) whose rendering
  started at most `GLOSS_PAGE_STALE_SECONDS` ago (0 turns stale serving off): that page
  is served at once instead of waiting. Stale pages are never served otherwise: not when
  no re-render is under way (the first reader of a new version renders it), not when
  older than the bound. So after a write commits, a reader sees the earlier corpus only
  while the new page is being rendered, and never the corpus as it stood more than the
  bound before the request.
- Otherwise the request waits (polling the lock, up to `RENDER_WAIT_SECONDS`) for the
  renderer, and is served its page as a `hit`; if the lock is still held at the end,
  or the renderer stored nothing (a 404, a page with a cookie), it renders the page
  itself (`miss`), without the lock.

When the cache server fails (Redis down, or not answering within the socket timeouts
cms/settings.py gives it), the request still renders its page, uncached
(`X-Gloss-Page-Cache: unavailable`), and a warning with the error is logged; this process
then leaves the cache alone for `OUTAGE_SECONDS` (renders without it, logs nothing more)
and tries it again after that, logging again if it fails again.
"""

import hashlib
import logging
import time
import uuid

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpResponse
from django.template.response import SimpleTemplateResponse
from redis.exceptions import RedisError

from publishing.version import corpus_version

logger = logging.getLogger(__name__)

CACHE_HEADER = "X-Gloss-Page-Cache"
# Longest a renderer holds a page's lock: only a killed worker lets it run out.
RENDER_LOCK_SECONDS = 30
# Longest a request waits for another request's rendering of the page it wants.
RENDER_WAIT_SECONDS = 5.0
# How often a waiting request looks again (first, then growing to the longest).
POLL_FIRST_SECONDS = 0.005
POLL_LONGEST_SECONDS = 0.05
# After the cache server fails, this process renders without it for this long.
OUTAGE_SECONDS = 5.0
# What the cache backends raise when their server is down (redis-py wraps socket errors).
CACHE_ERRORS = (RedisError, OSError)

# Monotonic time until which this process leaves the failed cache alone.
_outage_until = 0.0
# Indirections the tests replace (a clock to age entries, a sleep to see waiters).
_clock = time.time
_sleep = time.sleep


def page_cache():
    return caches[settings.GLOSS_PAGE_CACHE]


def cacheable(request) -> bool:
    """An anonymous GET with no message waiting to be shown (messages are per visitor)."""
    return (
        settings.GLOSS_PAGE_CACHE_SECONDS > 0
        and request.method == "GET"
        and not request.user.is_authenticated
        and not len(get_messages(request))
    )


def url_digest(request) -> str:
    return hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()


def page_key(digest: str) -> str:
    return f"gloss:page:{digest}"


def lock_key(digest: str, version: int) -> str:
    return f"gloss:render:{version}:{digest}"


def storable(request, response) -> bool:
    """Nothing in the page or its headers belongs to this one request."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not getattr(request, "_csp_nonce", None)
    )


class RequestCache:
    """The page cache as one request uses it. The first failure is logged, ends the
    request's use of the cache (each call then answers None) and, for OUTAGE_SECONDS,
    every other request's in this process."""

    def __init__(self):
        self.cache = page_cache()
        self.up = time.monotonic() >= _outage_until

    def call(self, method: str, *args):
        if not self.up:
            return None
        try:
            return getattr(self.cache, method)(*args)
        except CACHE_ERRORS as error:
            global _outage_until
            self.up = False
            _outage_until = time.monotonic() + OUTAGE_SECONDS
            logger.warning(
                "Page cache unavailable (%s: %s); rendering pages without it for %s s",
                type(error).__name__,
                error,
                OUTAGE_SECONDS,
                exc_info=True,
            )
            return None


def current(entry, version: int) -> bool:
    return entry is not None and entry[0] == version


def fresh_enough(entry, started: float) -> bool:
    """An earlier version's page whose rendering began at most GLOSS_PAGE_STALE_SECONDS
    before this request did."""
    bound = settings.GLOSS_PAGE_STALE_SECONDS
    return entry is not None and bound > 0 and started - entry[1] <= bound


def served(entry, outcome: str) -> HttpResponse:
    _version, _started, content, content_type = entry
    response = HttpResponse(content, content_type=content_type)
    response[CACHE_HEADER] = outcome
    return response


def rendered_elsewhere(pages: RequestCache, digest: str, version: int):
    """Wait while another request holds the page's render lock; its entry if it stored
    one at `version`, else None (it stored nothing, it is still rendering, or the cache
    failed)."""
    lock = lock_key(digest, version)
    deadline = time.monotonic() + RENDER_WAIT_SECONDS
    pause = POLL_FIRST_SECONDS
    while time.monotonic() < deadline:
        _sleep(pause)
        pause = min(pause * 2, POLL_LONGEST_SECONDS)
        if pages.call("get", lock) is None:
            break
    else:
        return None
    entry = pages.call("get", page_key(digest))
    return entry if current(entry, version) else None


class CachedPublicPageMixin:
    """Serve anonymous visitors the page rendered at the current corpus version, render it
    once per version however many ask at the same time (see the module docstring)."""

    def dispatch(self, request, *args, **kwargs):
        if not cacheable(request):
            return super().dispatch(request, *args, **kwargs)
        started = _clock()
        version = corpus_version()
        digest = url_digest(request)
        pages = RequestCache()
        entry = pages.call("get", page_key(digest))
        if current(entry, version):
            return served(entry, "hit")
        if not pages.up:
            return self.render_uncached(request, *args, **kwargs)

        lock, token = lock_key(digest, version), uuid.uuid4().hex
        if pages.call("add", lock, token, RENDER_LOCK_SECONDS):
            try:
                return self.render_and_store(
                    pages, digest, version, started, request, *args, **kwargs
                )
            finally:
                # Only our own lock: one that ran out may have been taken by another.
                if pages.call("get", lock) == token:
                    pages.call("delete", lock)
        if not pages.up:
            return self.render_uncached(request, *args, **kwargs)

        if fresh_enough(entry, started):
            return served(entry, "stale")
        if (waited := rendered_elsewhere(pages, digest, version)) is not None:
            return served(waited, "hit")
        if not pages.up:
            return self.render_uncached(request, *args, **kwargs)
        return self.render_and_store(pages, digest, version, started, request, *args, **kwargs)

    def render_page(self, request, *args, **kwargs):
        """The view's response, its template rendered now (inside the render lock)."""
        response = super().dispatch(request, *args, **kwargs)
        if isinstance(response, SimpleTemplateResponse):
            response.render()
        return response

    def render_and_store(self, pages, digest, version, started, request, *args, **kwargs):
        response = self.render_page(request, *args, **kwargs)
        if storable(request, response):
            entry = (version, started, response.content, response["Content-Type"])
            pages.call("set", page_key(digest), entry, settings.GLOSS_PAGE_CACHE_SECONDS)
        response[CACHE_HEADER] = "miss" if pages.up else "unavailable"
        return response

    def render_uncached(self, request, *args, **kwargs):
        response = self.render_page(request, *args, **kwargs)
        response[CACHE_HEADER] = "unavailable"
        return response
