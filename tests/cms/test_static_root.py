"""The production server never serves the project's own files under /static/.

`.env.example` lists every variable, several of them empty; an empty value once made
`STATIC_ROOT` the project folder, and WhiteNoise then served `manage.py`, the settings
and `.env` itself.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cms.test_production import production_env

ROOT = Path(__file__).resolve().parents[2]
SKIP = shutil.ignore_patterns(
    ".venv", ".git", "staticfiles", "__pycache__", ".pytest_cache", ".ruff_cache",
    ".hypothesis", "bench", "db.sqlite3*", ".env",
)  # fmt: skip

PROBE = """
import json, sys, django
django.setup()
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client
client = Client(HTTP_HOST="gloss.example.org")
paths = sys.argv[1:] + ["/static/" + staticfiles_storage.stored_name("css/site.css")]
print(json.dumps({
    "static_root": str(settings.STATIC_ROOT),
    "status": {p: client.get(p, secure=True).status_code for p in paths},
}))
"""
PROJECT_FILES = [
    "/static/manage.py",
    "/static/cms/settings.py",
    "/static/.env",
    "/static/.env.example",
    "/static/db.sqlite3",
    "/static/pyproject.toml",
    "/static/staticfiles/css/site.css",
]


def run(args, cwd, env, timeout=300):
    return subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_env_example_as_dotenv_serves_only_collected_static_files(tmp_path):
    """`.env.example` copied to `.env` with only the secret key filled in: collectstatic and
    the server work, the collected stylesheet is served, and no project file is."""
    project = tmp_path / "gloss"
    shutil.copytree(ROOT, project, ignore=SKIP)
    example = (ROOT / ".env.example").read_text()
    secret = "k" * 20 + "-production-like-secret-" + "x" * 30
    dotenv = example.replace("\nDJANGO_SECRET_KEY=\n", f"\nDJANGO_SECRET_KEY={secret}\n")
    assert dotenv != example
    (project / ".env").write_text(dotenv)
    (project / "db.sqlite3").write_bytes(b"SQLite format 3\0")
    # Nothing from this process's own settings: only what the copied .env says.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "GLOSS_")) and k != "DATABASE_URL"
    }
    env["DJANGO_SETTINGS_MODULE"] = "cms.settings"

    collected = run(["manage.py", "collectstatic", "--no-input", "-v0"], project, env)
    assert collected.returncode == 0, collected.stderr
    result = run(["-c", PROBE, *PROJECT_FILES], project, env)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["static_root"] == str(project / "staticfiles")
    statuses = seen["status"]
    stylesheet = statuses.pop(next(p for p in statuses if p not in PROJECT_FILES))
    assert stylesheet == 200
    assert statuses == dict.fromkeys(PROJECT_FILES, 404)
    assert not (project / "staticfiles" / "manage.py").exists()


@pytest.mark.parametrize("where", ["project", "parent", "has_manage_py", "app_package", "dotdot"])
def test_server_refuses_to_start_when_static_root_would_publish_the_project(tmp_path, where):
    """Every management command (collectstatic, check, the server) stops with one line."""
    target = {
        "project": str(ROOT),
        "parent": str(ROOT.parent),
        "app_package": str(ROOT / "cms"),
        "dotdot": "static/..",
    }.get(where)
    if where == "has_manage_py":
        (tmp_path / "copy").mkdir()
        (tmp_path / "copy" / "manage.py").write_text("")
        target = str(tmp_path / "copy")
    env = production_env(tmp_path) | {"DJANGO_STATIC_ROOT": target}
    result = run(["manage.py", "check"], ROOT, env, timeout=120)
    assert result.returncode != 0
    assert "DJANGO_STATIC_ROOT" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_every_empty_variable_means_unset(tmp_path):
    """Each variable .env.example lists, set to the empty string, gives its default."""
    names = [
        line.partition("=")[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#") and "=" in line
    ]
    env = production_env(tmp_path) | dict.fromkeys(names, "")
    env |= {"DJANGO_SECRET_KEY": "s" * 50, "DJANGO_DEBUG": "0", "DATABASE_URL": ""}
    probe = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps([str(s.STATIC_ROOT), s.TIME_ZONE, s.GLOSS_EXPORT_CHUNK_SIZE,"
        " s.GLOSS_PAGE_CACHE_SECONDS, s.AXES_FAILURE_LIMIT, str(s.GLOSS_SEEDS_DIR),"
        " s.CACHES['default']['BACKEND'], s.DATABASES['default']['ENGINE']]))"
    )
    result = run(["-c", probe], ROOT, env | {"DJANGO_SETTINGS_MODULE": "cms.settings"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == [
        str(ROOT / "staticfiles"),
        "UTC",
        2000,
        600,
        5,
        str(ROOT.parent / "shared" / "seeds"),
        "django.core.cache.backends.locmem.LocMemCache",
        "django.db.backends.sqlite3",
    ]
