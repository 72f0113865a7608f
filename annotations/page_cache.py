"""Rendered public pages, cached until the corpus changes.

One integer, `CorpusVersion.version`, moves on every write to what the public pages
show: each write service calls `corpus_changed()` first thing in its transaction, so
the bump commits (or rolls back) with the write. A page is cached under the version read
at the start of the request, before anything is rendered; once a write commits, no
later request reads the old version, so nothing cached before the write is served again.
(A page rendered while a write commits can hold the newer rows under the older version:
newer, never staler, and unreachable once the new version is read.)

Bumping first, before any other lock, makes the version row the first lock every write
takes: writes take turns on it, and no two can each hold a lock the other waits for.

Only anonymous GET requests are served from or stored in the cache: staff see drafts,
and signed-in pages carry the user's name and a CSRF token. A page whose rendering
asked for a CSRF token or a CSP nonce, or that sets a cookie, is never stored, nor is
anything but a 200. The key is the full URL (scheme, host, path and query string) and
the version; `GLOSS_PAGE_CACHE_SECONDS` bounds how long a page lives anyway, for
writes made around the services (a username changed in the users admin).
"""

import hashlib

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.db import transaction
from django.db.models import F
from django.http import HttpResponse
from django.template.response import SimpleTemplateResponse

from annotations.models import CorpusVersion

CACHE_HEADER = "X-Gloss-Page-Cache"


def corpus_changed() -> None:
    """Move the corpus version on. Call it first in every write service's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("corpus_changed must run inside the write's transaction")
    if not CorpusVersion.objects.filter(pk=1).update(version=F("version") + 1):
        # The row the migration made is gone (a test flushed the tables): start again.
        CorpusVersion.objects.create(pk=1, version=1)


def corpus_version() -> int:
    """The committed corpus version (one query)."""
    return CorpusVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0


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


def page_key(request, version: int) -> str:
    url = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"gloss:page:{version}:{url}"


def storable(request, response) -> bool:
    """Nothing in the page or its headers belongs to this one request."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not getattr(request, "_csp_nonce", None)
    )


class CachedPublicPageMixin:
    """Serve anonymous visitors the page rendered earlier at the current corpus version."""

    def dispatch(self, request, *args, **kwargs):
        if not cacheable(request):
            return super().dispatch(request, *args, **kwargs)
        key = page_key(request, corpus_version())
        cache = page_cache()
        if (cached := cache.get(key)) is not None:
            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
            response[CACHE_HEADER] = "hit"
            return response
        response = super().dispatch(request, *args, **kwargs)
        response[CACHE_HEADER] = "miss"

        def store(rendered):
            if storable(request, rendered):
                content = (rendered.content, rendered["Content-Type"])
                cache.set(key, content, settings.GLOSS_PAGE_CACHE_SECONDS)

        if isinstance(response, SimpleTemplateResponse):
            response.add_post_render_callback(store)
        else:
            store(response)
        return response
