"""Krippendorff's unitizing alpha, α_U, for two or more coders (pure computation).

Krippendorff, "On the reliability of unitizing contiguous data", Sociological Methodology 25
(1995) 47-76; *Content Analysis*, 2nd ed. (2004), section 12.4, pp. 251-256.

Each coder partitions the continuum [0, L) (code points) per category c into *units* (a
stretch the coder marked with c, w = 1) and *gaps* (everything else, w = 0). For category c,
with m coders, segments g of coder i beginning at b_ig with length l_ig:

    D_oc = Σ_i Σ_j≠i Σ_g Σ_h δ²(ig, jh) / (m (m - 1) L²)

    δ²(ig, jh) = (b_ig - b_jh)² + (b_ig + l_ig - b_jh - l_jh)²   two units that overlap
               = l_ig²    unit ig lies within gap jh           (l_jh - l_ig ≥ b_ig - b_jh ≥ 0)
               = l_jh²    unit jh lies within gap ig           (l_ig - l_jh ≥ b_jh - b_ig ≥ 0)
               = 0        otherwise

    D_ec = (2 / L) Σ_i Σ_g w_ig [ (N_c - 1)(2 l_ig³ - 3 l_ig² + l_ig) / 3
                                 + l_ig² Σ_j Σ_h (1 - w_jh) [l_jh ≥ l_ig] (l_jh - l_ig + 1) ]
           / ( m L (m L - 1) - Σ_i Σ_g w_ig l_ig (l_ig - 1) )

    α_c = 1 - D_oc / D_ec;   α_U = 1 - Σ_c D_oc / Σ_c D_ec

N_c is the number of c units of all coders. The book's example (p. 254: D_oc = 0.0144,
D_ec = 0.0532, α_c = 0.7286, α_k = 1, α_U = 0.859) is reproduced in
tests/rounds/test_unitizing.py.

Two computations of the same sums, kept side by side on purpose:

- `method="sweep"` (used everywhere): for each pair of coders, one merge of their two sorted
  segment lists visits only the segment pairs that overlap (the only ones whose δ² can be
  non-zero), so D_o costs O(m² n); D_e sorts the gap lengths once and answers each unit with
  a binary search and suffix sums, O(n log n).
- `method="direct"`: the formulas as written, every segment pair of every coder pair, every
  unit against every gap; quadratic, for the property test and the benchmark only.

Every numerator and denominator above is an integer (l (l - 1)(2 l - 1) is divisible by 6),
so both methods compute the same integers exactly and divide once at the end: they agree to
the last bit, which the property test asserts.

A coder's overlapping units of one category count as their union (a unit is a stretch, and
a stretch marked twice is still one stretch); touching units (one ends where the next
begins) stay two units, as two adjacent statistics are two.
"""

from bisect import bisect_left
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

Span = tuple[int, int]  # [start, end) in code points, start < end
Segment = tuple[int, int, bool]  # begin, length, is a unit (w = 1) or a gap (w = 0)

NO_UNITS = "no units: no coder marked this tag"
NO_TEXT = "no text: the continuum is empty"
NO_EXPECTED = "no expected disagreement: alpha is undefined"
NO_TAGS = "no units in any tag in scope"


def one_coder(coder) -> str:
    return f"insufficient data: only {coder} marked this tag"


@dataclass(frozen=True)
class Disagreement:
    """The exact sums behind D_o and D_e of one category (integers, see the module doc)."""

    observed: int  # Σ_i Σ_j≠i Σ_g Σ_h δ²
    expected: int  # Σ_i Σ_g w [ ... ]  (before the factor 2 / L)
    expected_denominator: int  # m L (m L - 1) - Σ w l (l - 1)


@dataclass(frozen=True)
class CategoryAgreement:
    """α_c of one category: `alpha` is None, with `reason`, when it cannot be computed.

    `observed` and `expected` are D_oc and D_ec; `units` counts each coder's units (after
    overlapping ones are joined).
    """

    alpha: float | None
    observed: float
    expected: float
    units: dict[Hashable, int]
    reason: str | None = None


@dataclass(frozen=True)
class UnitizingAgreement:
    """α_U over the categories, and α_c of each (in the order the categories were given)."""

    alpha: float | None
    observed: float
    expected: float
    categories: dict[Hashable, CategoryAgreement] = field(default_factory=dict)
    reason: str | None = None


def union(spans: Iterable[Span]) -> list[Span]:
    """Sorted spans with overlapping ones joined (touching ones kept apart)."""
    joined: list[Span] = []
    for start, end in sorted(spans):
        if joined and start < joined[-1][1]:
            if end > joined[-1][1]:
                joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def segments(units: Sequence[Span], length: int) -> list[Segment]:
    """A coder's partition of [0, length) into its (sorted, disjoint) units and the gaps."""
    out: list[Segment] = []
    position = 0
    for start, end in units:
        if start > position:
            out.append((position, start - position, False))
        out.append((start, end - start, True))
        position = end
    if position < length:
        out.append((position, length - position, False))
    return out


def delta_squared(b1: int, l1: int, w1: bool, b2: int, l2: int, w2: bool) -> int:
    """δ² between segment (b1, l1, w1) of one coder and (b2, l2, w2) of another."""
    if w1 and w2 and -l1 < b1 - b2 < l2:
        return (b1 - b2) ** 2 + (b1 + l1 - b2 - l2) ** 2
    if w1 and not w2 and l2 - l1 >= b1 - b2 >= 0:
        return l1 * l1
    if not w1 and w2 and l1 - l2 >= b2 - b1 >= 0:
        return l2 * l2
    return 0


def _unit_self_term(n_units: int, length: int) -> int:
    # (N_c - 1)(2 l³ - 3 l² + l) / 3, exact: l (l - 1)(2 l - 1) is six times Σ k² (k < l).
    return (n_units - 1) * (length * (length - 1) * (2 * length - 1)) // 3


def _observed_sweep(per_coder: list[list[Segment]]) -> int:
    total = 0
    for i in range(len(per_coder)):
        for j in range(i + 1, len(per_coder)):
            total += _pair_sweep(per_coder[i], per_coder[j])
    return 2 * total  # δ² is symmetric: each unordered pair counts for (i, j) and (j, i)


def _pair_sweep(first: list[Segment], second: list[Segment]) -> int:
    """Σ δ² over the overlapping segment pairs of two partitions of the same continuum."""
    total = 0
    a = b = 0
    while a < len(first) and b < len(second):
        b1, l1, w1 = first[a]
        b2, l2, w2 = second[b]
        if w1 or w2:
            total += delta_squared(b1, l1, w1, b2, l2, w2)
        end1, end2 = b1 + l1, b2 + l2
        if end1 <= end2:
            a += 1
        if end2 <= end1:
            b += 1
    return total


def _expected_sweep(per_coder: list[list[Segment]]) -> int:
    gaps = sorted(n for segs in per_coder for _, n, w in segs if not w)
    suffix = [0] * (len(gaps) + 1)
    for k in range(len(gaps) - 1, -1, -1):
        suffix[k] = suffix[k + 1] + gaps[k]
    lengths = [n for segs in per_coder for _, n, w in segs if w]
    total = 0
    for unit in lengths:
        k = bisect_left(gaps, unit)
        # Σ over the gaps at least as long as the unit of (gap - unit + 1)
        fitting = suffix[k] - (len(gaps) - k) * (unit - 1)
        total += _unit_self_term(len(lengths), unit) + unit * unit * fitting
    return total


def _observed_direct(per_coder: list[list[Segment]]) -> int:
    total = 0
    for i, segs_i in enumerate(per_coder):
        for j, segs_j in enumerate(per_coder):
            if i == j:
                continue
            for g in segs_i:
                for h in segs_j:
                    total += delta_squared(*g, *h)
    return total


def _expected_direct(per_coder: list[list[Segment]]) -> int:
    n_units = sum(w for segs in per_coder for _, _, w in segs)
    total = 0
    for segs_i in per_coder:
        for _, l_g, w_g in segs_i:
            if not w_g:
                continue
            fitting = 0
            for segs_j in per_coder:
                for _, l_h, w_h in segs_j:
                    if not w_h and l_h >= l_g:
                        fitting += l_h - l_g + 1
            total += _unit_self_term(n_units, l_g) + l_g * l_g * fitting
    return total


def _union_direct(spans: Iterable[Span]) -> list[Span]:
    """The union the slow way: join any two overlapping spans until none overlap."""
    pool = list(spans)
    merged = True
    while merged:
        merged = False
        for x in range(len(pool)):
            for y in range(x + 1, len(pool)):
                (s1, e1), (s2, e2) = pool[x], pool[y]
                if s1 < e2 and s2 < e1:
                    pool[x] = (min(s1, s2), max(e1, e2))
                    del pool[y]
                    merged = True
                    break
            if merged:
                break
    return sorted(pool)


def disagreement(
    units_by_coder: Sequence[Sequence[Span]],
    length: int,
    *,
    method: Literal["sweep", "direct"] = "sweep",
) -> Disagreement:
    """The exact sums of one category; `units_by_coder` has one (joined) span list a coder."""
    per_coder = [segments(units, length) for units in units_by_coder]
    m = len(per_coder)
    if method == "sweep":
        observed, expected = _observed_sweep(per_coder), _expected_sweep(per_coder)
    else:
        observed, expected = _observed_direct(per_coder), _expected_direct(per_coder)
    squares = sum(n * (n - 1) for segs in per_coder for _, n, w in segs if w)
    return Disagreement(observed, expected, m * length * (m * length - 1) - squares)


def unitizing_alpha(
    units: Iterable[tuple[Hashable, Hashable, int, int]],
    *,
    length: int,
    coders: Sequence[Hashable],
    categories: Sequence[Hashable],
    method: Literal["sweep", "direct"] = "sweep",
) -> UnitizingAgreement:
    """α_U and α_c of `units` (coder, category, start, end) on the continuum [0, length).

    `coders` are all the coders (two or more; one who marked nothing is a coder whose
    continuum is one gap), `categories` all the categories in scope, in the order the result
    lists them (one nobody used has alpha None, "no units"). A unit naming a coder or a
    category not listed, or reaching outside [0, length), is a ValueError.
    """
    if len(coders) < 2:
        raise ValueError("unitizing alpha needs two or more coders")
    coder_index = {coder: k for k, coder in enumerate(coders)}
    spans: dict[Hashable, list[list[Span]]] = {c: [[] for _ in coders] for c in categories}
    for coder, category, start, end in units:
        if coder not in coder_index or category not in spans:
            raise ValueError(f"unit of an unlisted coder or category: {coder!r}, {category!r}")
        if not 0 <= start < end <= length:
            raise ValueError(f"unit [{start}, {end}) is not inside [0, {length})")
        spans[category][coder_index[coder]].append((start, end))
    join = union if method == "sweep" else _union_direct
    m = len(coders)
    results: dict[Hashable, CategoryAgreement] = {}
    observed_total = expected_total = 0.0
    for category, by_coder in spans.items():
        joined = [join(s) for s in by_coder]
        counts = {coder: len(joined[k]) for coder, k in coder_index.items()}
        marking = [coder for coder, n in counts.items() if n]
        if not length:
            results[category] = CategoryAgreement(None, 0.0, 0.0, counts, NO_TEXT)
            continue
        sums = disagreement(joined, length, method=method)
        observed = sums.observed / (m * (m - 1) * length * length)
        expected = 2 * sums.expected / (length * sums.expected_denominator)
        observed_total += observed
        expected_total += expected
        if not marking:
            reason = NO_UNITS
        elif len(marking) == 1:
            reason = one_coder(marking[0])
        elif not sums.expected:
            reason = NO_EXPECTED
        else:
            reason = None
        alpha = None if reason else 1 - observed / expected
        results[category] = CategoryAgreement(alpha, observed, expected, counts, reason)
    if not length:
        return UnitizingAgreement(None, 0.0, 0.0, results, NO_TEXT)
    if not expected_total:
        return UnitizingAgreement(None, observed_total, expected_total, results, NO_TAGS)
    alpha = 1 - observed_total / expected_total
    return UnitizingAgreement(alpha, observed_total, expected_total, results)
