"""`/bench/ping`: the trivial view every benchmark figure is a ratio against.

It goes through the whole middleware stack and the same server as the real pages, and
does nothing else (no template, no database). Mounted only when GLOSS_BENCH is on.
"""

from django.http import HttpResponse


def ping(request):
    return HttpResponse(b"pong\n", content_type="text/plain")
