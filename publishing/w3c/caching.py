"""Anonymous W3C answers, kept until the corpus changes (the page cache's rule).

Like `publishing.page_cache`, an anonymous GET reads the corpus version first and is
served the answer stored for its URL at that version; otherwise the view builds it and
stores it. The entry also keeps the headers the answer depends on (ETag,
Content-Location, Preference-Applied), and the key includes the `Prefer` header, which
changes the container's representation. No render lock: a JSON answer costs a few
milliseconds to build, where the listing pages that the page cache serializes cost far
more. A cache server that fails is left alone as the page cache leaves it
(`RequestCache`), and the answer is built uncached. The version is the one this process
read at most `GLOSS_CORPUS_VERSION_SECONDS` ago (`recent_corpus_version`), so an answer
served from the cache costs no query: one annotation within twice the trivial view.
"""

import hashlib

from django.conf import settings
from django.http import HttpResponse

from publishing.page_cache import CACHE_HEADER, RequestCache
from publishing.version import recent_corpus_version

KEPT_HEADERS = ("Content-Type", "ETag", "Content-Location", "Preference-Applied")


def answer_key(request) -> str:
    prefer = request.headers.get("Prefer", "")
    url = request.build_absolute_uri()
    return "gloss:w3c:" + hashlib.sha256(f"{url}\n{prefer}".encode()).hexdigest()


def answer_cacheable(request) -> bool:
    """An anonymous GET, the page cache on. (Unlike a page, a JSON answer never shows the
    visitor's waiting messages, so they do not keep it from the cache.)"""
    return (
        settings.GLOSS_PAGE_CACHE_SECONDS > 0
        and request.method == "GET"
        and not request.user.is_authenticated
    )


def cached_answer(request, build) -> HttpResponse:
    """`build()`'s response, or the one it gave for this request at this corpus version."""
    if not answer_cacheable(request):
        return build()
    version = recent_corpus_version()
    key = answer_key(request)
    answers = RequestCache()
    entry = answers.call("get", key)
    if entry is not None and entry[0] == version:
        _, content, headers = entry
        response = HttpResponse(content)
        for name, value in headers.items():
            response[name] = value
        response[CACHE_HEADER] = "hit"
        return response
    response = build()
    if response.status_code == 200:
        headers = {name: response[name] for name in KEPT_HEADERS if name in response}
        entry = (version, response.content, headers)
        answers.call("set", key, entry, settings.GLOSS_PAGE_CACHE_SECONDS)
    response[CACHE_HEADER] = "miss" if answers.up else "unavailable"
    return response
