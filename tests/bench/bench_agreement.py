"""Benchmark of the agreement computation (issue 16): a round of 200 articles, 3 coders and
3,000 passages per coder (9,000 in all, 3 tags), in a fresh database of its own.

Run from the project root: `python tests/bench/bench_agreement.py` (`make bench` runs it
too). Prints a table and one JSON line, and writes bench/results-agreement.json.

- `round_agreement` end to end: the four queries, α_U per tag and overall, per article,
  and attribution (median of RUNS);
- the sweep alone (`unitizing_alpha`, the whole continuum) and the direct transcription of
  the formulas on the same units, once: the same figures, and how much the sweep saves.

Goal: seconds, not minutes, for the whole read; the sweep and the direct transcription give
the same result. BENCH_AGREEMENT_DATABASE_URL picks the database (default: a temporary
SQLite file). Everything is seeded, so runs are comparable.
"""

import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="gloss-bench-agreement-")
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "DATABASE_URL": os.environ.get("BENCH_AGREEMENT_DATABASE_URL")
        or f"sqlite:///{_tmp}/bench.sqlite3",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": "bench-only",
        "DJANGO_LOG_LEVEL": "WARNING",
        "GLOSS_BENCH": "0",
    }
)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from annotations.anchoring import CONTEXT_CHARS  # noqa: E402
from annotations.models import Annotation, Tag, TaggedAnnotation  # noqa: E402
from articles.models import Article, Organization, Outlet  # noqa: E402
from rounds.agreement import round_agreement  # noqa: E402
from rounds.agreement.unitizing import unitizing_alpha  # noqa: E402
from rounds.models import Round  # noqa: E402

SEED = 16
ARTICLES = 200
CODERS = 3
PASSAGES_PER_CODER = 3_000
TAGS = ("legal argument", "statistic", "quote")
BODY_CHARS = 4_000
RUNS = 5
WORDS = (
    "the minister said budget council voted library residents protested government announced "
    "tax imported steel yesterday critics opposition figures accounting flooding engineers "
    "repairs weeks rain reporters summit chancellor parliament coalition election campaign"
).split()


def build() -> Round:
    """The round: per article 15 stretches worth coding; each coder marks each one with
    probability 0.9 (boundaries moved by up to 12 code points, the tag changed one time in
    ten), or else a stretch of their own elsewhere."""
    rnd = random.Random(SEED)
    User = get_user_model()
    coders = [User.objects.create_user(f"coder{n}", password="x") for n in range(CODERS)]
    editor = User.objects.create_user("editor", password="x")
    outlet = Outlet.objects.create(name="Bench outlet", slug="bench-outlet", domain="b.example")
    orgs = Organization.objects.bulk_create(
        Organization(name=f"Org {n}", slug=f"org-{n}", kind="advocacy") for n in range(6)
    )
    tags = [Tag.objects.get_or_create(name=name)[0] for name in TAGS]
    articles = []
    for n in range(ARTICLES):
        words = []
        size = 0
        while size < BODY_CHARS:
            words.append(rnd.choice(WORDS))
            size += len(words[-1]) + 1
        body = " ".join(words)[:BODY_CHARS]
        articles.append(
            Article(title=f"Article {n}", slug=f"article-{n}", outlet=outlet, body=body,
                    status="published")
        )  # fmt: skip
    articles = Article.objects.bulk_create(articles)
    per_article = PASSAGES_PER_CODER // ARTICLES
    passages, tagging = [], []
    for article in articles:
        length = len(article.body)
        truth = []
        for k in range(per_article):
            slot = length // per_article
            start = k * slot + rnd.randrange(0, slot // 3)
            truth.append((start, start + rnd.randint(20, slot // 2), rnd.choice(tags),
                          rnd.choice(orgs)))  # fmt: skip
        for coder in coders:
            for start, end, tag, org in truth:
                if rnd.random() < 0.9:
                    start = max(0, start + rnd.randint(-12, 12))
                    end = min(length, max(start + 1, end + rnd.randint(-12, 12)))
                    tag = tag if rnd.random() < 0.9 else rnd.choice(tags)
                    org = org if rnd.random() < 0.85 else rnd.choice(orgs)
                else:
                    start = rnd.randrange(0, length - 50)
                    end = start + rnd.randint(10, 50)
                passages.append(
                    Annotation(
                        article=article, start=start, end=end, exact=article.body[start:end],
                        prefix=article.body[max(0, start - CONTEXT_CHARS) : start],
                        suffix=article.body[end : end + CONTEXT_CHARS],
                        annotator=coder, organization=org, status="draft",
                    )
                )  # fmt: skip
                tagging.append(tag)
    passages = Annotation.objects.bulk_create(passages, batch_size=1000)
    TaggedAnnotation.objects.bulk_create(
        (TaggedAnnotation(content_object=p, tag=t) for p, t in zip(passages, tagging, strict=True)),
        batch_size=1000,
    )
    round_ = Round.objects.create(name="Bench round", created_by=editor)
    round_.articles.set(articles)
    round_.coders.set(coders)
    round_.tags.set(tags)
    return round_


def units_of(round_: Round) -> tuple[list, int, list[str]]:
    """The same units round_agreement reads, as (coder, tag, start, end) on the continuum."""
    starts, length = {}, 0
    for article in round_.articles.order_by("pk"):
        starts[article.pk] = length
        length += len(article.body)
    rows = TaggedAnnotation.objects.filter(content_object__article__rounds=round_).values_list(
        "content_object__annotator__username",
        "tag__name",
        "content_object__article_id",
        "content_object__start",
        "content_object__end",
    )
    units = [(c, t, starts[a] + s, starts[a] + e) for c, t, a, s, e in rows]
    coders = sorted(round_.coders.values_list("username", flat=True))
    return units, length, coders


def main() -> dict:
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    round_ = build()
    built = time.perf_counter() - started
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            result = round_agreement(round_)
        times.append(time.perf_counter() - t)
    read = statistics.median(times)
    units, length, coders = units_of(round_)
    categories = sorted(TAGS)
    t = time.perf_counter()
    sweep = unitizing_alpha(units, length=length, coders=coders, categories=categories)
    sweep_seconds = time.perf_counter() - t
    t = time.perf_counter()
    direct = unitizing_alpha(
        units, length=length, coders=coders, categories=categories, method="direct"
    )
    direct_seconds = time.perf_counter() - t
    same = sweep == direct and sweep.alpha == result["overall"]["alpha"]
    return {
        "name": "agreement, 200 articles x 3 coders x 3,000 passages (bench_agreement.py)",
        "articles": ARTICLES,
        "coders": CODERS,
        "passages": len(units),
        "continuum_code_points": length,
        "build_seconds": round(built, 1),
        "queries": len(queries.captured_queries),
        "round_agreement_seconds": round(read, 3),
        "sweep_seconds": round(sweep_seconds, 4),
        "direct_seconds": round(direct_seconds, 2),
        "direct_over_sweep": round(direct_seconds / sweep_seconds, 1),
        "same_result": same,
        "alpha_u": round(result["overall"]["alpha"], 4),
        "tags": {
            name: tag["alpha"] and round(tag["alpha"], 4) for name, tag in result["tags"].items()
        },
        "attribution_alpha": result["attribution"]["alpha"]
        and round(result["attribution"]["alpha"], 4),
        "detail": (
            f"round_agreement {read:.2f} s ({len(queries.captured_queries)} queries); "
            f"sweep {sweep_seconds:.3f} s vs direct {direct_seconds:.1f} s on the same "
            f"{len(units)} passages ({direct_seconds / sweep_seconds:.0f}x), same result: {same}"
        ),
        # Seconds, not minutes: the whole read under 10 s; both computations agree.
        "met": read < 10 and same,
    }


if __name__ == "__main__":
    result = main()
    print(result["detail"])
    print(f"alpha_U {result['alpha_u']}, per tag {result['tags']}, "
          f"attribution {result['attribution_alpha']}")  # fmt: skip
    out = ROOT / "bench" / "results-agreement.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result))
    sys.exit(0 if result["met"] else 1)
