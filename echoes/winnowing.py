"""Words, shingles and winnowed fingerprints of a text (pure Python, no Django).

An *echo* is a stretch of at least `MIN_WORDS` (8) consecutive words that two texts share
once both are normalised: case (`str.casefold`), every kind of whitespace (non-breaking
spaces included), curly and straight quotes and apostrophes, and dashes. Words are runs
of letters and digits; an apostrophe between two of them (`Nation's`, `Nation’s`) belongs
to the word and is written `'`; every other character (spaces, quotes, dashes, hyphens,
punctuation) only separates words, so `asylum-seekers`, `asylum–seekers` and `asylum —
seekers` are the same two words. Each word keeps its code-point `start`/`end` in the
ORIGINAL text, so a match is reported in the body as it was published.

Fingerprints (Schleimer, Wilkerson and Aiken, "Winnowing: local algorithms for document
fingerprinting", SIGMOD 2003, the method of MOSS): hash every run of `K` consecutive
words (a *shingle*), then in every window of `W` consecutive shingle hashes keep the
smallest (the rightmost smallest on a tie, and the one already kept while it is still in
the window: *robust* winnowing, so runs of equal hashes keep one fingerprint). Any
window is then represented, and so any two texts that share a run of `t = K + W - 1`
words (which holds `W` whole shingles, one window's worth) share at least one
fingerprint: the smallest hash of that window, kept by both. Runs shorter than `K` words
share no shingle at all. Hence the choice `K + W - 1 = MIN_WORDS`:

- `K = 8, W = 1` keeps every shingle: one row per word, the index about 20 times the
  bodies' size;
- `K = 5, W = 4` (chosen) keeps about `2 / (W + 1)` = 40 % of the shingles, and 5-word
  shingles are still rare enough in news text that few articles come up as candidates
  only by chance (every candidate is verified word by word, so chance ones cost time,
  never a wrong answer);
- smaller `K` (3 or 4) keeps fewer rows but lets every "one of the most" call up half the
  archive as candidates.

Hashes are the first 4 bytes of BLAKE2b over the shingle's normalised words (not Python's
`hash()`, which is salted per process), read as a signed 32-bit integer so that they fit
an integer column. Two different shingles share a hash one time in four billion: at 30
million fingerprints a passage's 20 hashes call up a chance candidate about once in seven
lookups, and every candidate is verified word by word, so a collision costs a body read,
never a wrong echo.
"""

import functools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from hashlib import blake2b
from typing import NamedTuple

MIN_WORDS = 8  # an echo is at least this many shared consecutive words
K = 5  # words per shingle
W = MIN_WORDS - K + 1  # shingles per winnowing window (4): guarantee threshold K + W - 1 = 8

# Apostrophes and their look-alikes (straight, right and left single quotes, modifier
# letter apostrophe, prime, backtick, full-width apostrophe) inside a word.
_APOSTROPHES = "'\u2019\u2018\u02bc\u2032`\uff07"
_WORD = re.compile(rf"[^\W_]+(?:[{_APOSTROPHES}][^\W_]+)*")
_TO_STRAIGHT = str.maketrans(dict.fromkeys(_APOSTROPHES, "'"))


class Word(NamedTuple):
    """One word: its normalised form, and its code-point span in the original text."""

    text: str
    start: int
    end: int


class Fingerprint(NamedTuple):
    """A winnowed shingle: its hash, the index of its first word, and the code-point span
    of its words in the original text."""

    hash: int
    position: int
    start: int
    end: int


@functools.lru_cache(maxsize=200_000)
def normalise_word(word: str) -> str:
    """A word as compared: compatibility-normalised (NFKC: full-width letters, ligatures),
    case-folded, every apostrophe straight. (Cached: a language has fewer words than a
    corpus has occurrences of them.)"""
    if word.isascii():
        return word.lower().translate(_TO_STRAIGHT)
    return unicodedata.normalize("NFKC", word).casefold().translate(_TO_STRAIGHT)


def words(text: str) -> list[Word]:
    """The words of `text`, normalised, with their code-point spans in `text`."""
    return [Word(normalise_word(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]


def iter_words(text: str, pos: int = 0, endpos: int | None = None) -> Iterator[Word]:
    """The words of `text[pos:endpos]`, normalised, with their code-point spans in `text`,
    read one at a time (a word cut by `pos` or `endpos` comes out cut)."""
    found = _WORD.finditer(text, pos) if endpos is None else _WORD.finditer(text, pos, endpos)
    for m in found:
        yield Word(normalise_word(m.group()), m.start(), m.end())


def shingle_hash(texts: Sequence[str]) -> int:
    """The stable signed 32-bit hash of a run of normalised words."""
    digest = blake2b("\x1f".join(texts).encode("utf-8"), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


def shingle_hashes(tokens: Sequence[Word], k: int = K) -> list[int]:
    """The hash of every run of `k` consecutive words, by the index of its first word."""
    texts = [w.text for w in tokens]
    return [shingle_hash(texts[i : i + k]) for i in range(len(texts) - k + 1)]


def winnow(hashes: Sequence[int], w: int = W) -> list[int]:
    """The positions robust winnowing keeps: in every window of `w` consecutive hashes
    the smallest, the rightmost on a tie unless the one kept last is still in the window
    and as small. A sequence shorter than one window keeps its smallest."""
    if not hashes:
        return []
    if len(hashes) < w:
        w = len(hashes)
    kept: list[int] = []
    chosen = -1
    for right in range(w - 1, len(hashes)):
        left = right - w + 1
        if chosen < left:
            # The kept one left the window: the rightmost minimum of the whole window.
            chosen = left
            for i in range(left + 1, right + 1):
                if hashes[i] <= hashes[chosen]:
                    chosen = i
            kept.append(chosen)
        elif hashes[right] < hashes[chosen]:
            # A strictly smaller hash came in; an equal one does not displace the kept one.
            chosen = right
            kept.append(chosen)
    return kept


def fingerprints(tokens: Sequence[Word], k: int = K, w: int = W) -> list[Fingerprint]:
    """The winnowed fingerprints of a text's words (none for fewer than `k` words)."""
    hashes = shingle_hashes(tokens, k)
    return [
        Fingerprint(hashes[i], i, tokens[i].start, tokens[i + k - 1].end) for i in winnow(hashes, w)
    ]


def fingerprint_text(text: str) -> list[Fingerprint]:
    return fingerprints(words(text))


def kept_prints(text: str, k: int = K, w: int = W) -> tuple[list[int], list[int]]:
    """The hashes and code-point starts of `fingerprint_text(text)`, and only those: what
    the index stores. The same values, made for speed (index writes fingerprint every
    body imported): no record per word, and the shingles' bytes sliced out of the text's
    words encoded once instead of each joined and encoded on its own."""
    texts: list[str] = []
    starts: list[int] = []
    for m in _WORD.finditer(text):
        texts.append(normalise_word(m[0]))
        starts.append(m.start())
    if len(texts) < k:
        return [], []
    data = "\x1f".join(texts).encode("utf-8")
    offsets = []  # where each word starts in `data`, and one past the end
    at = 0
    for word in texts:
        offsets.append(at)
        at += (len(word) if word.isascii() else len(word.encode("utf-8"))) + 1
    offsets.append(at)
    hashes = [
        int.from_bytes(
            blake2b(data[offsets[i] : offsets[i + k] - 1], digest_size=4).digest(),
            "big",
            signed=True,
        )
        for i in range(len(texts) - k + 1)
    ]
    kept = winnow(hashes, w)
    return [hashes[i] for i in kept], [starts[i] for i in kept]


class Run(NamedTuple):
    """A maximal run of words two texts share: `length` words from index `a` of the first
    and `b` of the second."""

    a: int
    b: int
    length: int


def shared_runs(a: Sequence[str], b: Sequence[str], min_words: int = MIN_WORDS) -> list[Run]:
    """Every maximal run of at least `min_words` consecutive equal words of `a` and `b`
    (normalised word texts), in order of their start in `a`, then in `b`.

    Each such run begins with a `min_words`-word run found in both: every start in `b` of
    each `min_words`-gram of `a` is looked up, and kept if the words before differ (or
    either text starts there), then extended to the right as far as the words agree.
    """
    if len(a) < min_words or len(b) < min_words:
        return []
    starts: dict[tuple[str, ...], list[int]] = {}
    for j in range(len(b) - min_words + 1):
        starts.setdefault(tuple(b[j : j + min_words]), []).append(j)
    runs = []
    for i in range(len(a) - min_words + 1):
        for j in starts.get(tuple(a[i : i + min_words]), ()):
            if i and j and a[i - 1] == b[j - 1]:
                continue  # inside a run that starts earlier
            n = min_words
            while i + n < len(a) and j + n < len(b) and a[i + n] == b[j + n]:
                n += 1
            runs.append(Run(i, j, n))
    return runs


def passage_words(exact: str, prefix: str = "", suffix: str = "") -> list[Word]:
    """The whole words of a passage `exact`, with spans into `exact`: `prefix` and `suffix`
    (the text just around it) only tell whether the passage cuts a word at either end, and
    such a cut word is left out."""
    offset, limit = len(prefix), len(prefix) + len(exact)
    return [
        Word(w.text, w.start - offset, w.end - offset)
        for w in words(prefix + exact + suffix)
        if w.start >= offset and w.end <= limit
    ]
