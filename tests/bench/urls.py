"""The development-only routes, mounted under `/bench/` by `cms/urls.py` when GLOSS_BENCH is on."""

from django.urls import path

from tests.bench.views import ping

urlpatterns = [
    path("ping", ping, name="bench-ping"),
]
