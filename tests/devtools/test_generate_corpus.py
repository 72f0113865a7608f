"""The development-only app `tests.bench`: production settings never install it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


PROBE = """
import json, django
from django.conf import settings
django.setup()
from django.core.management import get_commands
from django.urls import Resolver404, resolve
try:
    ping = resolve("/bench/ping").url_name
except Resolver404:
    ping = None
print(json.dumps({"installed": "tests.bench" in settings.INSTALLED_APPS,
    "command": "generate_corpus" in get_commands(), "ping": ping}))
"""


def run(args: list[str], tmp_path, **variables) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "DJANGO_SECRET_KEY": "test-key",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
        # Empty is unset (and wins over a developer's .env): each case sets its own.
        "DJANGO_DEBUG": "",
        "GLOSS_BENCH": "",
        **variables,
    }
    return subprocess.run(  # noqa: S603 - our own interpreter, manage.py and probe
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("variables", "present"),
    [
        ({"DJANGO_DEBUG": "0"}, False),
        ({}, False),
        ({"DJANGO_DEBUG": "0", "GLOSS_BENCH": "1"}, True),
        ({"DJANGO_DEBUG": "1"}, True),
        ({"DJANGO_DEBUG": "1", "GLOSS_BENCH": "0"}, False),
    ],
)
def test_the_bench_app_is_installed_only_when_asked_for(tmp_path, variables, present):
    """Production settings (debug off, no GLOSS_BENCH) install neither the app, nor its
    command, nor /bench/ping; GLOSS_BENCH=1 (the harness's gunicorn, debug off) or debug
    installs all three."""
    probe = run(["-c", PROBE], tmp_path, **variables)
    assert probe.returncode == 0, probe.stderr
    expected = {"installed": present, "command": present, "ping": "bench-ping" if present else None}
    assert json.loads(probe.stdout.strip().splitlines()[-1]) == expected


def test_generate_corpus_is_an_unknown_command_under_production_settings(tmp_path):
    result = run(
        ["manage.py", "generate_corpus", "--articles", "1", "--passages", "0"],
        tmp_path,
        DJANGO_DEBUG="0",
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Unknown command: 'generate_corpus'")
