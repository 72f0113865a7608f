"""Sentences and paragraphs of a body, as the workspace's keyboard units find them.

The same rules as `static/js/workspace/units.js` (the one segmenter the project had, in
the browser), in code points rather than UTF-16 units: a sentence ends at . ! ? or …
(with closing quotes or brackets after it) followed by white space, or at a line break,
except after an abbreviation ("U.S.", "Jan.", "Mr.", "e.g."), an initial ("J. Smith"), a
dot followed by a lower-case word or a digit ("No. 5"), or when a lower-case word follows
("“Really?” she asked."). So a suggestion's or a demo passage's sentence is the one the
coder's `s` selects (`suggestions.finder`, `intake.demo`).
"""

import re

# Words whose trailing dot does not end a sentence (compared lower-case, without the dot).
ABBREVIATIONS = frozenset(
    (
        "mr mrs ms mx dr prof sr jr st mt ft rev hon gov sen rep gen col maj lt sgt capt cmdr adm "
        "pres supt insp det atty jan feb mar apr jun jul aug sep sept oct nov dec "
        "mon tue tues wed thu thur thurs fri sat sun inc corp ltd co bros llc plc dept univ assn "
        "ave blvd rd hwy no nos vol vols pp fig figs approx est vs v cf al ca ch sec art para "
        "min max misc e.g i.e a.m p.m etc"
    ).split()
)
# A dotted acronym or initialism: U.S, U.K, e.g, a.m, D.C (dot stripped before testing).
_DOTTED = re.compile(r"(?:^|[\W\d_])(?:[^\W\d_]\.)+[^\W\d_]$")
CLOSERS = "\"'”’»)]}"
OPENERS = "\"'“‘«([{"
ENDS = ".!?…"


def _space(char: str) -> bool:
    return char.isspace()  # NBSP included, as the browser's \s is


def _word_before(text: str, dot: int) -> str:
    start = dot
    while start > 0 and not _space(text[start - 1]) and text[start - 1] not in OPENERS:
        start -= 1
    return text[start:dot]


def _dot_ends_sentence(text: str, dot: int, following: str | None) -> bool:
    word = _word_before(text, dot)
    if not word:
        return True
    if word.lower() in ABBREVIATIONS or _DOTTED.search(word):
        return False
    if len(word) == 1 and word.isupper():
        return False  # an initial ("J. Smith")
    # "No. 5", "approx. 3": a lower-case or digit start after the dot continues the sentence.
    return not (following is not None and (following.islower() or following.isdigit()))


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and _space(text[start]):
        start += 1
    while end > start and _space(text[end - 1]):
        end -= 1
    return (start, end) if start < end else None


def sentences(text: str) -> list[tuple[int, int]]:
    """`(start, end)` of every sentence of `text`, trimmed of surrounding white space."""
    result: list[tuple[int, int]] = []

    def push(start: int, end: int) -> None:
        span = _trimmed(text, start, end)
        if span:
            result.append(span)

    start = 0
    i = 0
    length = len(text)
    while i < length:
        char = text[i]
        if char == "\n":
            push(start, i)
            start = i + 1
            i += 1
            continue
        if char not in ENDS:
            i += 1
            continue
        end = i + 1
        while end < length and text[end] in ENDS:
            end += 1
        while end < length and text[end] in CLOSERS:
            end += 1
        if end < length and not _space(text[end]):
            i += 1  # "3.5", "U.S.-based"
            continue
        following = end
        while following < length and _space(text[following]) and text[following] != "\n":
            following += 1
        next_char = text[following] if following < length else None
        if next_char is not None and next_char != "\n" and next_char.islower():
            i += 1  # a lower-case word next continues the sentence
            continue
        if char == "." and end == i + 1 and not _dot_ends_sentence(text, i, next_char):
            i += 1
            continue
        push(start, end)
        start = end
        i = end
    push(start, length)
    return result


def paragraphs(text: str) -> list[tuple[int, int]]:
    """`(start, end)` of every paragraph (non-blank line) of `text`, trimmed."""
    result = []
    for match in re.finditer(r"[^\n]+", text):
        span = _trimmed(text, match.start(), match.end())
        if span:
            result.append(span)
    return result


def containing(units: list[tuple[int, int]], offset: int) -> tuple[int, int] | None:
    """The unit holding `offset`, or None (between units)."""
    low, high = 0, len(units)
    while low < high:
        middle = (low + high) // 2
        if units[middle][1] <= offset:
            low = middle + 1
        else:
            high = middle
    if low < len(units) and units[low][0] <= offset < units[low][1]:
        return units[low]
    return None
