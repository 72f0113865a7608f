"""Finding the echoes of passages: where else their words ran.

For each passage, only its own whole words count (`winnowing.passage_words`: the words of
`exact`, a word it cuts at either end left out; no context is added). Then, for any
number of passages at once, in two queries:

1. the index rows (`Fingerprint`) whose hash is one of the passages' fingerprints: the
   candidate articles, and where in them each shared shingle starts;
2. the candidate articles the reader may see (`articles`, a visible QuerySet), with body
   and outlet.

Each hit is verified in the candidate's body: its words are compared with the passage's
from the shared shingle, then extended left and right while they agree. A run of at
least `MIN_WORDS` words is an echo (the whole shared stretch, as code points into that
article's body); anything shorter, or a hash that only collides, is dropped. Winnowing
guarantees that every shared run of `MIN_WORDS` words holds a fingerprint both sides kept
(see `echoes.winnowing`), so no echo is missed; and since the passage's own
shingles are looked up at every position with that hash, a repeated phrase is aligned
correctly too.
"""

from collections import defaultdict
from datetime import date
from typing import NamedTuple

from echoes.models import Fingerprint
from echoes.winnowing import MIN_WORDS, K, Word, passage_words, shingle_hashes, winnow, words


class PassageText(NamedTuple):
    """What finding a passage's echoes needs of it (no body: its own text and context)."""

    pk: int
    article_id: int
    exact: str
    prefix: str = ""
    suffix: str = ""


class Echo(NamedTuple):
    """A stretch of another article sharing a passage's words: `start`/`end` are code
    points into that article's body, `score` the share of the passage's words it covers."""

    article_id: int
    article_slug: str
    article_title: str
    outlet: str
    published: date | None
    start: int
    end: int
    exact: str
    score: float

    def sort_key(self):
        return (self.published is None, self.published or date.min, self.article_id, self.start)


class _Probe:
    """One passage's words, all its shingle hashes by position, and its fingerprints."""

    def __init__(self, passage: PassageText):
        self.passage = passage
        self.words = passage_words(passage.exact, passage.prefix, passage.suffix)
        self.texts = [w.text for w in self.words]
        hashes = shingle_hashes(self.words) if len(self.words) >= MIN_WORDS else []
        self.positions: dict[int, list[int]] = defaultdict(list)
        for i, h in enumerate(hashes):
            self.positions[h].append(i)
        self.fingerprints = {hashes[i] for i in winnow(hashes)}


def echoes_of(passages, articles, *, most: int | None = None) -> dict[int, list[Echo]]:
    """The echoes of each of `passages` (PassageText) in `articles` (a QuerySet of the
    articles the reader may see), by passage id, earliest publication first. Two
    queries at most, whatever the number of passages.

    `most` bounds the work of a page showing many passages: only that many candidate
    articles are read and verified, those sharing the most fingerprints with the
    passages first (a long shared stretch shares many), so a page's "Also in" may leave
    out the least likely ones. None (the API): every candidate."""
    probes = [_Probe(p) for p in passages]
    found: dict[int, list[Echo]] = {p.passage.pk: [] for p in probes}
    wanted = set().union(*(p.fingerprints for p in probes)) if probes else set()
    if not wanted:
        return found
    hits: dict[int, list[tuple[int, int]]] = defaultdict(list)  # article -> (hash, position)
    rows = Fingerprint.objects.filter(hash__in=sorted(wanted)).values_list(
        "article_id", "hash", "position"
    )
    for article_id, h, position in rows:
        hits[article_id].append((h, position))
    chosen = sorted(hits)
    if most is not None and len(chosen) > most:
        chosen = sorted(sorted(chosen, key=lambda pk: (-len(hits[pk]), pk))[:most])
    candidates = (
        articles.filter(pk__in=chosen)
        .select_related("outlet")
        .only("pk", "slug", "title", "published", "body", "outlet__name")
        .order_by()
    )
    for article in candidates:
        tokens = words(article.body)
        texts = [w.text for w in tokens]
        for probe in probes:
            if probe.passage.article_id == article.pk:
                continue
            stretches = _stretches(probe, hits[article.pk], texts)
            for first, last, length in sorted(stretches):
                start, end = tokens[first].start, tokens[last].end
                found[probe.passage.pk].append(
                    Echo(
                        article.pk,
                        article.slug,
                        article.title,
                        article.outlet.name,
                        article.published,
                        start,
                        end,
                        article.body[start:end],
                        round(length / len(probe.words), 4),
                    )
                )
    for echoes in found.values():
        echoes.sort(key=Echo.sort_key)
    return found


def _stretches(probe: _Probe, hits, texts: list[str]) -> set[tuple[int, int, int]]:
    """The maximal runs of at least MIN_WORDS words the probe shares with a body's
    words `texts`, seeded by the body's index `hits`: (first, last word index in the
    body, length)."""
    a, n, m = probe.texts, len(probe.texts), len(texts)
    runs = set()
    for h, q in hits:
        for p in probe.positions.get(h, ()):
            if q + K > m or texts[q : q + K] != a[p : p + K]:
                continue  # a collision, or an index row of an older body
            i, j = p, q
            while i and j and a[i - 1] == texts[j - 1]:
                i, j = i - 1, j - 1
            e, f = p + K, q + K
            while e < n and f < m and a[e] == texts[f]:
                e, f = e + 1, f + 1
            if e - i >= MIN_WORDS:
                runs.add((j, f - 1, e - i))
    return runs


def passage_text(annotation) -> PassageText:
    return PassageText(
        annotation.pk, annotation.article_id, annotation.exact, annotation.prefix, annotation.suffix
    )


__all__ = ["Echo", "PassageText", "Word", "echoes_of", "passage_text"]
