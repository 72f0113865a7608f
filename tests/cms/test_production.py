"""Production configuration: the deploy check, security headers, CSP and /healthz."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DatabaseError

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path) -> dict[str, str]:
    """The environment .env.example describes, with a real secret and a throwaway SQLite."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GLOSS_"))}
    env.pop("DATABASE_URL", None)
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            if value:
                env[key.strip()] = value.strip()
    env["DJANGO_SECRET_KEY"] = "k" * 20 + "-production-like-secret-" + "x" * 30
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'prod.sqlite3'}"
    return env


def test_check_deploy_is_clean_with_the_example_production_environment(tmp_path):
    """Only security.W021 (HSTS preload, the operator's choice) is silenced, as README says."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout


PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="gloss.example.org")
plain = client.get("/articles/")
secure = client.get("/accounts/login/", secure=True)
health = client.get("/healthz")
print(json.dumps({
    "plain_status": plain.status_code, "plain_location": plain.get("Location"),
    "headers": dict(secure.headers), "status": secure.status_code,
    "csrf_cookie": {k: secure.cookies["csrftoken"][k] for k in ("secure", "httponly", "samesite")},
    "session": [settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY],
    "health": [health.status_code, health.json()],
    "debug": settings.DEBUG,
}))
"""


def test_security_headers_and_cookies_with_the_production_environment(tmp_path):
    env = production_env(tmp_path) | {
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
    }
    # Production pages need the hashed-files manifest, as `make serve` builds it; a clean
    # checkout has none, so collect into a throwaway folder first.
    collected = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stderr
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["debug"] is False
    # Plain HTTP is redirected to HTTPS, except the health probe.
    assert seen["plain_status"] == 301
    assert seen["plain_location"] == "https://gloss.example.org/articles/"
    assert seen["health"] == [200, {"status": "ok", "database": "ok"}]
    headers = seen["headers"]
    assert seen["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert "unsafe" not in headers["Content-Security-Policy"]
    assert seen["csrf_cookie"]["secure"] is True
    assert seen["session"] == [True, True]


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def refuse(self, sql, params=None):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
