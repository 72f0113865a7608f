"""Benchmark of `manage.py import_annotations`: 10,000 synthetic W3C annotations.

Run from the project root: `python tests/bench/bench_import_annotations.py [--count N]
[--databases sqlite,postgres]`. For each database it migrates a fresh one (a SQLite file in
a temporary folder; `gloss_bench_import_<pid>` on BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432, dropped afterwards), creates 200 articles of ~4,000
code points and an annotator, writes the annotations as one AnnotationCollection, and
times the command in a child process of its own (wall time, and peak RSS from wait4):
first the import (every passage created), then the same file again (every passage found
by its id and left unchanged). Prints one JSON line (with the load average: the machine
may be shared) and a readable line per database.

The annotations are seeded: 50 an article, a third naming the article by its page here and
the rest by its original URL (with `utm_*` and `www.`), 80 % with a position that reads
the quote, 10 % with a position off by a few code points, 10 % with the quote alone; 1-2
of 5 tags, a note on a third of them. Every quote is a phrase of the body with its context.
"""

# A local benchmark driver: it runs manage.py and psql with arguments of its own.
# ruff: noqa: S603, S607

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
SEED = 14
ARTICLES = 200
TAGS = ["bench fact", "bench claim", "bench quote", "bench figure", "bench law"]
WORDS = (
    "the minister said budget council voted library residents protested government announced "
    "tax imported steel yesterday critics opposition figures accounting flooding engineers "
    "repairs weeks rain reporters summit chancellor parliament coalition election campaign "
    "union strike wages inflation prices energy climate policy court ruling appeal police "
    "investigation city mayor hospital school teachers students report data survey percent"
).split()
SITE = "https://gloss.example"

# Runs inside the database's own process (manage.py shell): the articles and the annotator.
SETUP = """
import json
from django.contrib.auth.models import Group
from articles.actions.articles import article_create
from articles.actions.outlets import outlet_get_or_create
from annotations.models import Tag
from tests.factories import make_user
spec = json.load(open("SPEC"))
outlet, _ = outlet_get_or_create(name="Bench outlet", domain="news.example")
for name in spec["tags"]:
    Tag.objects.create(name=name)
make_user("bench", group="annotators")
slugs = []
for n, body in enumerate(spec["bodies"]):
    article = article_create(
        title=f"Bench article {n}", body=body, outlet=outlet,
        url=f"https://news.example/story/{n}", status="published",
    )
    slugs.append(article.slug)
print(json.dumps(slugs))
"""


def body(rnd: random.Random) -> str:
    sentences, size = [], 0
    while size < 4_000:
        words = [rnd.choice(WORDS) for _ in range(rnd.randint(6, 18))]
        sentence = " ".join(words).capitalize() + rnd.choice([".", ".", "?", "!"])
        sentences.append(sentence)
        size += len(sentence) + 1
    return " ".join(sentences)


def write_annotations(
    path: Path, rnd: random.Random, bodies: list[str], slugs: list[str], count: int
) -> None:
    """The annotations as one AnnotationCollection, written one by one: this process never
    holds them all, so its memory (which the timed child starts from: `fork` copies it and
    `wait4` counts it in the child's peak) stays small."""
    head = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "https://elsewhere.example/annotations/",
        "type": "AnnotationCollection",
        "total": count,
    }
    out = path.open("w", encoding="utf-8")
    out.write(
        json.dumps(head)[:-1] + ', "first": {"type": "AnnotationPage", "startIndex": 0, "items": ['
    )
    for i in range(count):
        n = i % len(bodies)
        text = bodies[n]
        start = rnd.randrange(0, len(text) - 120)
        end = start + rnd.randint(12, 100)
        if not text[start:end].strip():
            end = start + 12
        selectors = [
            {
                "type": "TextQuoteSelector",
                "exact": text[start:end],
                "prefix": text[max(0, start - 32) : start],
                "suffix": text[end : end + 32],
            }
        ]
        kind = rnd.random()
        if kind < 0.8:
            selectors.append({"type": "TextPositionSelector", "start": start, "end": end})
        elif kind < 0.9:
            shift = rnd.randint(1, 4)
            selectors.append(
                {"type": "TextPositionSelector", "start": start + shift, "end": end + shift}
            )
        source = (
            f"{SITE}/articles/{slugs[n]}/"
            if i % 3 == 0
            else f"http://www.news.example/story/{n}/?utm_source=bench"
        )
        bodies_ = [
            {"type": "TextualBody", "purpose": "tagging", "value": tag}
            for tag in rnd.sample(TAGS, rnd.randint(1, 2))
        ]
        if i % 3 == 1:
            bodies_.append({"type": "TextualBody", "purpose": "commenting", "value": f"Note {i}"})
        item = {
            "id": f"https://elsewhere.example/annotations/{i}",
            "type": "Annotation",
            "motivation": "highlighting",
            "body": bodies_,
            "target": {"source": source, "selector": selectors},
        }
        out.write(("" if i == 0 else ", ") + json.dumps(item))
    out.write("]}}")
    out.close()


def env(url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench"),
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def manage(url: str, *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env(url), capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args[:2])} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def timed_import(url: str, path: Path, workdir: Path) -> dict:
    """Wall time and the child's own peak RSS (from wait4) of one run of the command."""
    out = workdir / "import.out"
    with out.open("wb") as sink:
        started = time.perf_counter()
        child = subprocess.Popen(
            [PYTHON, "manage.py", "import_annotations", str(path), "--annotator", "bench"],
            cwd=ROOT,
            env=env(url),
            stdout=sink,
            stderr=sink,
        )
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    text = out.read_text(encoding="utf-8")
    if child.returncode:
        sys.exit(f"import_annotations failed:\n{text[-3000:]}")
    return {
        "seconds": round(seconds, 2),
        # The command's own CPU time (not the database server's): on a shared machine the
        # wall time also counts waiting for a core.
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux reports KB
        "output": text.splitlines()[0],
    }


def bench(name: str, url: str, count: int, workdir: Path) -> dict:
    rnd = random.Random(SEED)
    bodies = [body(rnd) for _ in range(ARTICLES)]
    spec = workdir / f"{name}-spec.json"
    spec.write_text(json.dumps({"bodies": bodies, "tags": TAGS}), encoding="utf-8")
    manage(url, "migrate", "--no-input", "-v", "0")
    slugs = json.loads(manage(url, "shell", "-v", "0", "-c", SETUP.replace("SPEC", str(spec))))
    path = workdir / f"{name}-annotations.json"
    write_annotations(path, rnd, bodies, slugs, count)
    first = timed_import(url, path, workdir)
    again = timed_import(url, path, workdir)
    return {
        "database": name,
        "annotations": count,
        "file_mb": round(path.stat().st_size / 2**20, 1),
        "import": first | {"per_second": round(count / first["seconds"])},
        "reimport": again | {"per_second": round(count / again["seconds"])},
    }


def postgres_database() -> tuple[str, str]:
    name = f"gloss_bench_import_{os.getpid()}"
    subprocess.run(
        ["psql", SERVER + "/postgres", "-qc", f'CREATE DATABASE "{name}"'],
        check=True,
        capture_output=True,
    )
    return name, f"{SERVER}/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--databases", default="sqlite,postgres")
    options = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for name in options.databases.split(","):
            if name == "sqlite":
                url = f"sqlite:///{workdir / 'bench.sqlite3'}"
                results.append(bench(name, url, options.count, workdir))
            elif name == "postgres":
                db, url = postgres_database()
                try:
                    results.append(bench(name, url, options.count, workdir))
                finally:
                    subprocess.run(
                        ["psql", SERVER + "/postgres", "-qc", f'DROP DATABASE "{db}" WITH (FORCE)'],
                        capture_output=True,
                    )
            else:
                sys.exit(f"unknown database {name!r} (sqlite, postgres)")
    print(json.dumps({"load_average": os.getloadavg(), "results": results}))
    for r in results:
        print(
            f"{r['database']}: {r['annotations']} annotations ({r['file_mb']} MB): import "
            f"{r['import']['seconds']} s ({r['import']['per_second']}/s, CPU "
            f"{r['import']['cpu_seconds']} s, peak RSS {r['import']['peak_rss_mb']} MB); "
            f"again {r['reimport']['seconds']} s ({r['reimport']['per_second']}/s, CPU "
            f"{r['reimport']['cpu_seconds']} s, peak RSS {r['reimport']['peak_rss_mb']} MB)"
        )


if __name__ == "__main__":
    main()
