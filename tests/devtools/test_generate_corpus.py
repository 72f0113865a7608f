"""The development-only app `tests.bench`: its synthetic corpus is consistent and the same on
SQLite and PostgreSQL, and production settings never install it."""

import json
import os
import subprocess
import sys
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from annotations.anchoring import context
from annotations.models import Annotation, TaggedAnnotation
from articles.models import Article, ArticleRevision
from publishing.counts import stored_counts, tally
from publishing.models import ArticleFacet
from tests.bench.synthetic import BUSY_ARTICLE_SLUG

ROOT = Path(__file__).resolve().parents[2]
# The digest of `--articles 20 --passages 200 --seed 7`: one literal for both databases.
DIGEST_SEED_7 = "fd25fb0a3246708e"


@pytest.fixture
def bench_app(settings):
    """The test settings are production's: the bench app is installed for this test only."""
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "tests.bench"]


def generate(**options) -> str:
    out = StringIO()
    call_command("generate_corpus", stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def stored() -> Counter:
    """The maintained counts, and the maintained (article, option) pairs as counts of 1."""
    counts = stored_counts()
    for pair in ArticleFacet.objects.values_list("article_id", "audience", "facet", "value_id"):
        counts[("pair", *pair)] += 1
    return counts


def recount() -> Counter:
    counts, pairs = tally()
    recounted = Counter({key: n for key, n in counts.items() if n})
    recounted.update(("pair", *pair) for pair in pairs)
    return recounted


def passage_rows() -> list[tuple]:
    return list(
        Annotation.objects.order_by("pk").values_list(
            "pk", "article_id", "start", "end", "exact", "organization_id", "annotator_id"
        )
    )


@pytest.mark.django_db
def test_generate_corpus_writes_a_consistent_corpus_with_the_same_digest_on_every_database(
    bench_app,
):
    """20 articles and 200 passages: exact counts, every passage's offsets inside its
    article's body with its text and context, one revision per article, maintained facet
    counts equal to a full recount, and a digest that is one literal on SQLite and
    PostgreSQL. `--replace` (it also restarts the id sequences) gives the same rows again."""
    # --replace both times: it also restarts the id sequences, which other tests moved.
    first = generate(articles=20, passages=200, seed=7, replace=True)
    assert first.startswith("Generated 20 articles, 200 passages, 259 tags on passages in ")
    assert f"digest {DIGEST_SEED_7}," in first
    assert Article.objects.count() == 20
    assert Annotation.objects.count() == 200
    assert TaggedAnnotation.objects.count() == 259
    assert Annotation.objects.filter(article__slug=BUSY_ARTICLE_SLUG).count() == 100
    bodies = dict(Article.objects.values_list("pk", "body"))
    assert dict(ArticleRevision.objects.filter(number=1).values_list("article_id", "body")) == (
        bodies
    )
    assert ArticleRevision.objects.count() == 20
    for passage in Annotation.objects.all():
        body = bodies[passage.article_id]
        assert 0 <= passage.start < passage.end <= len(body)
        assert body[passage.start : passage.end] == passage.exact
        assert (passage.prefix, passage.suffix) == context(body, passage.start, passage.end)
    assert stored() == recount()
    rows = passage_rows()

    again = generate(articles=20, passages=200, seed=7, replace=True)
    assert f"digest {DIGEST_SEED_7}," in again
    assert passage_rows() == rows
    assert stored() == recount()


@pytest.mark.django_db
def test_generate_corpus_refuses_an_archive_that_holds_articles(bench_app):
    """Without --replace an archive with articles is left as it was, with a command error."""
    generate(articles=2, passages=3, seed=1)
    with pytest.raises(CommandError, match="already holds articles"):
        generate(articles=2, passages=3, seed=1)
    assert (Article.objects.count(), Annotation.objects.count()) == (2, 3)


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
