"""Finding the echoes of passages: where else their words ran.

For each passage, only its own whole words count (`winnowing.passage_words`: the words of
`exact`, a word it cuts at either end left out; no context is added). Then, for any
number of passages at once, in two queries:

1. the index's fingerprints (`echoes.store.hits`) whose hash is one of the passages'
   fingerprints: the candidate articles, and where in them each shared shingle starts;
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

from echoes import store
from echoes.winnowing import (
    MIN_WORDS,
    K,
    Word,
    iter_words,
    passage_words,
    shingle_hashes,
    winnow,
)


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


class Found(dict[int, list[Echo]]):
    """The echoes of each passage, by passage id; `cut` holds the passages some of whose
    candidate articles were left unread by `most` (their lists may be incomplete)."""

    def __init__(self, *args):
        super().__init__(*args)
        self.cut: set[int] = set()


def echoes_of(passages, articles, *, most: int | None = None) -> Found:
    """The echoes of each of `passages` (PassageText) in `articles` (a QuerySet of the
    articles the reader may see), by passage id, earliest publication first. Two
    queries at most, whatever the number of passages.

    `most` bounds the work of an "Also in" request for many passages: only that many
    candidate articles are read and verified, those sharing the most fingerprints with
    the passages first (a long shared stretch shares many), so "Also in" may leave out
    the least likely ones, and says for which passages (`Found.cut`). None (the API, a
    passage's own echoes page): every candidate."""
    probes = [_Probe(p) for p in passages]
    found = Found({p.passage.pk: [] for p in probes})
    wanted = set().union(*(p.fingerprints for p in probes)) if probes else set()
    if not wanted:
        return found
    # article -> its fingerprints among the wanted hashes: (hash, code point)
    hits: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for article_id, h, start in store.hits(wanted):
        hits[article_id].append((h, start))
    # Which passages hold each shingle hash (any position, not only their fingerprints),
    # so an article's hits reach the passages they concern without trying every one.
    holders: dict[int, list[int]] = defaultdict(list)
    for index, probe in enumerate(probes):
        for h in probe.positions:
            holders[h].append(index)
    # How many of each article's hits concern a passage of another article (a passage's
    # own article is never its echo): an article with none cannot hold an echo.
    shared = {
        pk: sum(
            1
            for h, _ in article_hits
            for index in holders.get(h, ())
            if probes[index].passage.article_id != pk
        )
        for pk, article_hits in hits.items()
    }
    chosen = sorted(pk for pk, n in shared.items() if n)
    if most is not None and len(chosen) > most:
        ranked = sorted(chosen, key=lambda pk: (-shared[pk], pk))
        chosen = sorted(ranked[:most])
        for pk in ranked[most:]:
            for h, _ in hits[pk]:
                for index in holders.get(h, ()):
                    if probes[index].passage.article_id != pk:
                        found.cut.add(probes[index].passage.pk)
    candidates = (
        articles.filter(pk__in=chosen)
        .select_related("outlet")
        .only("pk", "slug", "title", "published", "body", "outlet__name")
        .order_by()
    )
    for article in candidates:
        body = article.body
        concerning: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for hit in hits[article.pk]:
            for index in holders.get(hit[0], ()):
                concerning[index].append(hit)
        for index, probe_hits in sorted(concerning.items()):
            probe = probes[index]
            if probe.passage.article_id == article.pk:
                continue
            for start, end, length in sorted(_stretches(probe, probe_hits, body)):
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


def _run_at(probe: _Probe, p: int, text: str, at: int) -> tuple[int, int, int] | None:
    """The maximal run of equal words through the probe's shingle at word `p` and the
    body's words from code point `at`: (start, end code point in the body, words); None
    when the shingle's K words are not there (a hash collision, or a fingerprint of an
    older body).

    The body's words are read only as far as they agree: forwards one at a time from
    `at`, backwards in a window as long as the passage's words before `p` could be
    (twice, for the body's own spacing and punctuation), and from the body's start when
    the run reaches that window's edge."""
    a = probe.texts
    e, end = p, at
    for word in iter_words(text, at):
        if (e == p and word.start != at) or e == len(a) or word.text != a[e]:
            break
        e, end = e + 1, word.end
    if e - p < K:
        return None
    i, start = p, at
    if p:
        before = probe.words[p].start - probe.words[0].start
        lo = max(0, at - 2 * before - 32)
        while True:
            earlier = list(iter_words(text, lo, at))
            if lo and earlier:
                earlier = earlier[1:]  # perhaps the end of a word the window cuts
            i, start = p, at
            for word in reversed(earlier):
                if not i or word.text != a[i - 1]:
                    break
                i, start = i - 1, word.start
            reached_edge = i and len(earlier) == p - i
            if not (lo and reached_edge):
                break
            lo = 0  # the run may go on before the window: read from the body's start
    return start, end, e - i


def _stretches(probe: _Probe, hits, body: str) -> set[tuple[int, int, int]]:
    """The maximal runs of at least MIN_WORDS words the probe shares with `body`, seeded
    by the body's index rows `hits`: (start, end code point in the body, words)."""
    runs: set[tuple[int, int, int]] = set()
    for h, at in hits:
        positions = probe.positions.get(h)
        if not positions or any(s <= at < e for s, e, _ in runs):
            continue  # not this passage's, or inside a stretch already found
        for p in positions:
            run = _run_at(probe, p, body, at)
            if run is not None and run[2] >= MIN_WORDS:
                runs.add(run)
    return runs


def passage_text(annotation) -> PassageText:
    return PassageText(
        annotation.pk, annotation.article_id, annotation.exact, annotation.prefix, annotation.suffix
    )


__all__ = ["Echo", "PassageText", "Word", "echoes_of", "passage_text"]
