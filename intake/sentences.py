"""Sentences and photo captions in an article body, for the demo's rule-picked passages.

The sentence rules are the workspace keyboard's (`static/js/workspace/units.js`), so a
demo passage is what the `s` key would select there: a sentence ends at . ! ? or …
(with closing quotes or brackets after it) followed by white space, or at a line break;
not after an abbreviation ("U.S.", "Jan.", "Dr.", "e.g."), an initial ("J. Smith"), or
when a lower-case word follows ("“Really?” she asked."). Offsets are code points.

Captions are the lines a scraper kept from a photo: they carry a credit ("(Photo: …)",
"Getty Images", "John Moore/Getty", "GettyImages-123", "/AFP", "AP Photo").
"""

import re

# Words whose trailing dot does not end a sentence (compared lower-case, without the dot).
ABBREVIATIONS = frozenset(
    (
        "mr mrs ms mx dr prof sr jr st mt ft rev hon gov sen rep gen col maj lt sgt capt cmdr "
        "adm pres supt insp det atty jan feb mar apr jun jul aug sep sept oct nov dec "
        "mon tue tues wed thu thur thurs fri sat sun inc corp ltd co bros llc plc dept univ "
        "assn ave blvd rd hwy no nos vol vols pp fig figs approx est vs v cf al ca ch sec art "
        "para min max misc e.g i.e a.m p.m etc"
    ).split()
)
# A dotted acronym or initialism: U.S, U.K, e.g, a.m, D.C (the final dot stripped).
_DOTTED = re.compile(r"(?:^|[^\w])(?:[^\W\d_]\.)+[^\W\d_]$")
CLOSERS = "\"'”’»)]}"
OPENERS = "\"'“‘«([{"
ENDS = ".!?…"

# A photo credit: what makes a line a caption rather than the article's own words.
CAPTION = re.compile(
    r"\((?:photo|image|picture|credit)s?\b"
    r"|\b(?:photo|image|picture)s?(?: by\b|:)"
    r"|\bgetty ?images\b|gettyimages-\d|/getty\b"
    r"|\b(?:afp|reuters|epa|ap)/|/(?:afp|reuters|epa|ap)\b|\bap photo\b|\bshutterstock\b",
    re.IGNORECASE,
)


def _space(ch: str) -> bool:
    return ch.isspace()  # includes the non-breaking space


def _word_before(text: str, dot: int) -> str:
    start = dot
    while start > 0 and not _space(text[start - 1]) and text[start - 1] not in OPENERS:
        start -= 1
    return text[start:dot]


def _dot_ends_sentence(text: str, dot: int, following: str) -> bool:
    word = _word_before(text, dot)
    if not word:
        return True
    if word.lower() in ABBREVIATIONS or _DOTTED.search(word):
        return False
    if len(word) == 1 and word.isupper():  # an initial: "J. Smith"
        return False
    # "No. 5", "approx. 3": a lower-case letter or a digit next continues the sentence.
    return not (following and (following.islower() or following.isdigit()))


def sentences(text: str) -> list[tuple[int, int]]:
    """`(start, end)` of every sentence of `text`, trimmed of surrounding white space."""
    result: list[tuple[int, int]] = []
    length = len(text)

    def push(start: int, end: int) -> None:
        while start < end and _space(text[start]):
            start += 1
        while end > start and _space(text[end - 1]):
            end -= 1
        if start < end:
            result.append((start, end))

    start = i = 0
    while i < length:
        ch = text[i]
        if ch == "\n":
            push(start, i)
            start = i = i + 1
            continue
        if ch not in ENDS:
            i += 1
            continue
        end = i + 1
        while end < length and text[end] in ENDS:
            end += 1
        while end < length and text[end] in CLOSERS:
            end += 1
        if end < length and not _space(text[end]):  # "3.5", "U.S.-based"
            i += 1
            continue
        following = end
        while following < length and _space(text[following]) and text[following] != "\n":
            following += 1
        next_char = text[following] if following < length else ""
        if next_char != "\n" and next_char.islower():  # "“Really?” she asked."
            i += 1
            continue
        if ch == "." and end == i + 1 and not _dot_ends_sentence(text, i, next_char):
            i += 1
            continue
        push(start, end)
        start = i = end
    push(start, length)
    return result


def ends_sentence(sentence: str) -> bool:
    """Whether the text ends as a sentence does: . ! ? or …, then any closing marks."""
    return sentence.rstrip(CLOSERS)[-1:] in set(ENDS)


def lines(text: str) -> list[tuple[int, int]]:
    """`(start, end)` of every line of `text`, without its line break."""
    result, position = [], 0
    for line in text.split("\n"):
        result.append((position, position + len(line)))
        position += len(line) + 1
    return result


def is_caption(line: str) -> bool:
    """Whether a line is a photo caption (it holds a photo credit)."""
    return CAPTION.search(line) is not None


def balanced_quotes(sentence: str) -> bool:
    """Whether every quotation the sentence opens it also closes (and none it closes began
    before it): straight double quotes come in pairs, curly ones match."""
    if sentence.count('"') % 2:
        return False
    depth = 0
    for ch in sentence:
        if ch == "“":
            depth += 1
        elif ch == "”":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0
