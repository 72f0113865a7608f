"""Sentences and photo captions in an article body, for the demo's rule-picked passages.

The sentences are `articles.sentences`' (the workspace keyboard's rules, as
`static/js/workspace/units.js` has them), so a demo passage is what the `s` key would
select there. Offsets are code points.

Captions are the lines a scraper kept from a photo: they carry a credit ("(Photo: …)",
"Getty Images", "John Moore/Getty", "GettyImages-123", "/AFP", "AP Photo").
"""

import re

from articles.sentences import CLOSERS, ENDS, sentences

__all__ = ["balanced_quotes", "ends_sentence", "is_caption", "lines", "sentences"]

# A photo credit: what makes a line a caption rather than the article's own words.
CAPTION = re.compile(
    r"\((?:photo|image|picture|credit)s?\b"
    r"|\b(?:photo|image|picture)s?(?: by\b|:)"
    r"|\bgetty ?images\b|gettyimages-\d|/getty\b"
    r"|\b(?:afp|reuters|epa|ap)/|/(?:afp|reuters|epa|ap)\b|\bap photo\b|\bshutterstock\b",
    re.IGNORECASE,
)


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
