"""Agreement on attribution: did two coders who marked the same passage name the same
organization? Krippendorff's nominal alpha (the `krippendorff` package) over matched pairs.

Two coders' passages of one article are a *pair* when they overlap by at least half of the
longer one (so by at least half of each). Each coder's passage is matched at most once per
other coder, best overlap first, so one long passage does not vote for several short ones.
Each pair is one reliability unit holding the two coders' organizations (the other coders'
values missing); a passage with no organization holds the value "none", a choice like any
other: one coder naming the ministry and the other nobody is a disagreement.
"""

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import krippendorff
import numpy as np

NO_PAIRS = "no passages of two coders overlap by at least half"
ONE_VALUE = "every pair names the same organization: no variation, alpha is undefined"


@dataclass(frozen=True)
class Passage:
    coder: Hashable
    article: Hashable
    start: int
    end: int
    organization: Hashable | None


@dataclass(frozen=True)
class AttributionAgreement:
    alpha: float | None
    pairs: int  # matched passage pairs (reliability units)
    agreeing: int  # pairs whose two coders named the same organization (or both none)
    reason: str | None = None


def overlap(a: Passage, b: Passage) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def matched_pairs(passages: Iterable[Passage], coders: Sequence[Hashable]) -> list[tuple]:
    """(passage, passage) pairs of different coders overlapping by at least half the longer.

    Per article and pair of coders: a sweep over both coders' passages sorted by start finds
    the overlapping candidates, then a greedy one-to-one matching keeps the best overlaps.
    """
    by_key: dict[tuple, list[Passage]] = {}
    for p in passages:
        by_key.setdefault((p.article, p.coder), []).append(p)
    articles = list(dict.fromkeys(article for article, _ in by_key))
    pairs = []
    for article in articles:
        for i, first in enumerate(coders):
            for second in coders[i + 1 :]:
                pairs += _match(by_key.get((article, first), []), by_key.get((article, second), []))
    return pairs


def _match(mine: list[Passage], theirs: list[Passage]) -> list[tuple]:
    events = sorted(
        [(p.start, 0, k) for k, p in enumerate(mine)]
        + [(p.start, 1, k) for k, p in enumerate(theirs)]
    )
    sides = (mine, theirs)
    still_open: tuple[list[int], list[int]] = ([], [])
    candidates = []
    for start, side, k in events:
        for s in (0, 1):  # passages that ended before this start overlap nothing from here on
            still_open[s][:] = [n for n in still_open[s] if sides[s][n].end > start]
        for n in still_open[1 - side]:
            x, y = (k, n) if side == 0 else (n, k)
            a, b = mine[x], theirs[y]
            shared = overlap(a, b)
            if 2 * shared >= max(a.end - a.start, b.end - b.start):
                candidates.append((-shared, x, y))
        still_open[side].append(k)
    taken_mine: set[int] = set()
    taken_theirs: set[int] = set()
    pairs = []
    for _, x, y in sorted(candidates):
        if x in taken_mine or y in taken_theirs:
            continue
        taken_mine.add(x)
        taken_theirs.add(y)
        pairs.append((mine[x], theirs[y]))
    return pairs


def attribution_alpha(
    passages: Iterable[Passage], *, coders: Sequence[Hashable]
) -> AttributionAgreement:
    pairs = matched_pairs(passages, coders)
    if not pairs:
        return AttributionAgreement(None, 0, 0, NO_PAIRS)
    values: dict[Hashable, int] = {}
    row = {coder: k for k, coder in enumerate(coders)}
    data = np.full((len(coders), len(pairs)), np.nan)
    agreeing = 0
    for unit, (a, b) in enumerate(pairs):
        agreeing += a.organization == b.organization
        for p in (a, b):
            data[row[p.coder], unit] = values.setdefault(p.organization, len(values))
    if len(values) < 2:
        return AttributionAgreement(None, len(pairs), agreeing, ONE_VALUE)
    alpha = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    return AttributionAgreement(float(alpha), len(pairs), agreeing)
