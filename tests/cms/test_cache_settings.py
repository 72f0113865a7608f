"""GLOSS_CACHE_URL and the page cache's settings, read from the environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from cms.settings import cache_from_url

ROOT = Path(__file__).resolve().parents[2]


def test_locmem_is_the_per_process_default():
    assert cache_from_url("locmem://") == {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 300},
    }


def test_redis_selects_django_s_redis_cache_with_short_socket_timeouts():
    """A Redis that stops answering costs a request half a second, not minutes."""
    assert cache_from_url("redis://cache.internal:6379/2") == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.internal:6379/2",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
    }


def test_an_unknown_cache_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured, match="GLOSS_CACHE_URL scheme 'memcached'"):
        cache_from_url("memcached://127.0.0.1:11211")


PROBE = """
import json
from django.conf import settings
print(json.dumps({
    "backend": settings.CACHES["default"]["BACKEND"],
    "location": settings.CACHES["default"].get("LOCATION"),
    "stale": settings.GLOSS_PAGE_STALE_SECONDS,
    "seconds": settings.GLOSS_PAGE_CACHE_SECONDS,
}))
"""


def settings_with(**variables) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GLOSS_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "cms.settings", "DJANGO_SECRET_KEY": "x" * 50}
    # Not read from .env: a developer's local settings must not change what is tested.
    env["GLOSS_CACHE_URL"] = env["GLOSS_PAGE_STALE_SECONDS"] = env["GLOSS_PAGE_CACHE_SECONDS"] = ""
    env |= variables
    result = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", "import django; django.setup()\n" + PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_the_page_cache_settings_come_from_the_environment():
    assert settings_with() == {
        "backend": "django.core.cache.backends.locmem.LocMemCache",
        "location": None,
        "stale": 30,
        "seconds": 600,
    }
    assert settings_with(
        GLOSS_CACHE_URL="redis://127.0.0.1:6379/3", GLOSS_PAGE_STALE_SECONDS="0"
    ) == {
        "backend": "django.core.cache.backends.redis.RedisCache",
        "location": "redis://127.0.0.1:6379/3",
        "stale": 0,
        "seconds": 600,
    }
