"""Benchmark of annotations.anchoring.reanchor on a ~100 KB article with 1,000 passages.

Run from the project root: `python tests/bench/bench_reanchor.py`. Prints one JSON line (for
tooling) and one readable line. Everything is seeded, so runs are comparable.

Scenarios:
- "insert": a sentence is inserted into the first paragraph (outside every passage); every
  passage must come back ANCHORED, none lost. Target: median well under 100 ms.
- "rewrite": in the middle of the body, five passages get a word inserted into their own text
  (the fuzzy path runs) and a sixth is deleted outright (the orphan path runs).
- "replace_all": the whole body is replaced by unrelated text, the worst case for the searches
  (every passage goes through exact, whitespace-insensitive and bounded approximate search).
"""

import json
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from annotations.anchoring import Anchor, AnchorStatus, Placement, anchor, reanchor  # noqa: E402

SEED = 20_240_611
TARGET_CHARS = 100_000
PASSAGES = 1_000
RUNS = 15
WORDS = (
    "the minister said budget council voted library residents protested government announced "
    "tax imported steel yesterday critics opposition figures accounting flooding engineers "
    "repairs weeks rain reporters summit chancellor parliament coalition election campaign "
    "union strike wages inflation prices energy climate policy court ruling appeal police "
    "investigation city mayor hospital school teachers students report data survey percent"
).split()


def make_article(rnd: random.Random) -> tuple[str, list[tuple[int, int]]]:
    """About TARGET_CHARS code points of paragraphs; returns the body and sentence spans."""
    paragraphs: list[str] = []
    size = 0
    while size < TARGET_CHARS:
        sentences = []
        for _ in range(rnd.randint(3, 7)):
            words = [rnd.choice(WORDS) for _ in range(rnd.randint(6, 18))]
            sentences.append(" ".join(words).capitalize() + rnd.choice([".", ".", ".", "?", "!"]))
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    body = "\n\n".join(paragraphs)
    sentences_spans = []
    start = 0
    for i, ch in enumerate(body):
        if ch in ".?!":
            sentences_spans.append((start, i + 1))
            start = i + 2 if i + 2 <= len(body) else i + 1
    return body, sentences_spans


def make_passages(rnd: random.Random, body: str, keep_clear: int) -> list[tuple[int, int]]:
    """PASSAGES spans spread evenly over the body, starting on word starts, 20-200 code points
    long (so neighbours often overlap) and every tenth starting inside its predecessor; none
    straddles the offset `keep_clear`."""
    word_starts = [
        i for i in range(len(body)) if body[i].isalpha() and (i == 0 or body[i - 1] in " \n")
    ]
    spans: list[tuple[int, int]] = []
    step = len(word_starts) / PASSAGES
    for n in range(PASSAGES):
        if n % 10 == 9 and spans:
            prev_start, prev_end = spans[-1]
            start = min(prev_end - 1, prev_start + (prev_end - prev_start) // 2)
        else:
            start = word_starts[min(len(word_starts) - 1, int(n * step + rnd.random() * step))]
        end = min(len(body), start + rnd.randint(20, 200))
        if start < keep_clear < end:
            end = keep_clear
        spans.append((start, end))
    return spans


def timed(
    old: str, new: str, anchors: list[Anchor], runs: int = RUNS
) -> tuple[list[float], list[Placement]]:
    """Wall-clock milliseconds of `runs` calls of reanchor, and the last call's placements."""
    times = []
    placements: list[Placement] = []
    for _ in range(runs):
        started = time.perf_counter()
        placements = reanchor(old, new, anchors)
        times.append((time.perf_counter() - started) * 1000)
    return times, placements


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p95 = ordered[max(0, -(-95 * len(ordered) // 100) - 1)]  # nearest rank
    return {"median_ms": round(statistics.median(ordered), 2), "p95_ms": round(p95, 2)}


def counts(placements: list[Placement]) -> dict[str, int]:
    found = Counter(str(p.status) for p in placements)
    return {str(status): found.get(str(status), 0) for status in AnchorStatus}


def scenario_insert(body: str, sentences: list[tuple[int, int]], anchors: list[Anchor]) -> dict:
    at = sentences[0][1]  # right after the first sentence of the first paragraph
    new = (
        body[:at]
        + " A late addition to the first paragraph changes every offset after it."
        + body[at:]
    )
    times, placements = timed(body, new, anchors)
    assert len(placements) == len(anchors), "passages lost"
    assert all(p.status == AnchorStatus.ANCHORED for p in placements), counts(placements)
    for a, p in zip(anchors, placements, strict=True):
        assert new[p.start : p.end] == a.exact
    return {**summary(times), "statuses": counts(placements)}


def scenario_rewrite(body: str, anchors: list[Anchor]) -> dict:
    middle = len(body) // 2
    inside = [i for i, a in enumerate(anchors) if middle <= a.start and a.end - a.start >= 40][:6]
    new = body
    # Edit from the back so earlier offsets stay valid: insert a word into five passages (a
    # small edit relative to their length), delete the sixth passage outright.
    for n, i in reversed(list(enumerate(inside))):
        a = anchors[i]
        if n == 5:
            new = new[: a.start] + new[a.end :]
            continue
        text = new[a.start : a.end]
        cut = text.find(" ", len(text) // 2)
        cut = cut if cut > 0 else len(text) // 2
        new = new[: a.start] + text[:cut] + " also" + text[cut:] + new[a.end :]
    times, placements = timed(body, new, anchors)
    assert len(placements) == len(anchors), "passages lost"
    assert all(
        p.status != AnchorStatus.ANCHORED or new[p.start : p.end] == a.exact
        for a, p in zip(anchors, placements, strict=True)
    )
    return {**summary(times), "statuses": counts(placements)}


def scenario_replace_all(body: str, anchors: list[Anchor]) -> dict:
    other = random.Random(SEED + 1)
    words = [w[::-1] for w in WORDS]  # unrelated text of the same shape
    new = " ".join(other.choice(words) for _ in range(len(body) // 7))[: len(body)]
    # Fewer runs: this case is bounded, not fast.
    times, placements = timed(body, new, anchors, runs=3)
    assert len(placements) == len(anchors), "passages lost"
    return {**summary(times), "statuses": counts(placements)}


def main() -> None:
    rnd = random.Random(SEED)
    body, sentences = make_article(rnd)
    spans = make_passages(rnd, body, keep_clear=sentences[0][1])
    anchors = [anchor(body, s, e) for s, e in spans]
    overlapping = sum(1 for (_, e1), (s2, _) in zip(spans, spans[1:], strict=False) if s2 < e1)

    scenarios: dict[str, Callable[[], dict]] = {
        "insert": lambda: scenario_insert(body, sentences, anchors),
        "rewrite": lambda: scenario_rewrite(body, anchors),
        "replace_all": lambda: scenario_replace_all(body, anchors),
    }
    results = {name: run() for name, run in scenarios.items()}
    insert = results["insert"]
    record = {
        "bench": "reanchor",
        "body_chars": len(body),
        "passages": len(anchors),
        "overlapping_passages": overlapping,
        "runs": RUNS,
        "median_ms": insert["median_ms"],
        "p95_ms": insert["p95_ms"],
        "statuses": insert["statuses"],
        "rewrite_median_ms": results["rewrite"]["median_ms"],
        "rewrite_p95_ms": results["rewrite"]["p95_ms"],
        "rewrite_statuses": results["rewrite"]["statuses"],
        "replace_all_median_ms": results["replace_all"]["median_ms"],
        "replace_all_statuses": results["replace_all"]["statuses"],
        "python": sys.version.split()[0],
    }
    print(json.dumps(record))
    print(
        f"reanchor: {len(anchors)} passages in {len(body):,} code points; "
        f"insert near start: median {insert['median_ms']} ms, p95 {insert['p95_ms']} ms "
        f"over {RUNS} runs, {insert['statuses']}; "
        f"rewrite in the middle: median {results['rewrite']['median_ms']} ms, "
        f"{results['rewrite']['statuses']}; "
        f"whole body replaced (worst case): median {results['replace_all']['median_ms']} ms"
    )


if __name__ == "__main__":
    main()
