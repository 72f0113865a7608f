"""Find which organizations a text mentions, by name or alias, on whole-word boundaries."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Characters that count as part of a word: a name must not start or end inside one.
_WORD_BOUNDARY_BEFORE = r"(?<![\w])"
_WORD_BOUNDARY_AFTER = r"(?![\w])"
_APOSTROPHES = "'\u2019\u2018\u02bc"
_DASHES = "-\u2010\u2011\u2012\u2013\u2014"


@dataclass(frozen=True, slots=True)
class Named:
    """An organization id with the names it goes by, and its kind (`Organization.Kind`'s
    value: "union", "court"...; "" when unknown)."""

    id: int
    names: tuple[str, ...]
    kind: str = ""


def is_acronym(name: str) -> bool:
    """Short all-capital names (UN, U.N., DHS, ACLU) are matched case-sensitively:
    lower-case `un` or `dhs` in running text is not the organization."""
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and len(letters) <= 6 and all(c.isupper() for c in letters)


def name_pattern(name: str) -> str:
    """Regex source for `name` as written in news text: any run of whitespace (including
    NBSP and line breaks) between words, straight or curly apostrophes, any dash."""
    parts = []
    for word in name.split():
        chunk = []
        for char in word:
            if char in _APOSTROPHES:
                chunk.append(f"[{_APOSTROPHES}]")
            elif char in _DASHES:
                chunk.append(f"[{_DASHES}]")
            else:
                chunk.append(re.escape(char))
        parts.append("".join(chunk))
    return r"\s+".join(parts)


_WORD = re.compile(r"\w+")
# Letters re's IGNORECASE matches with ASCII ones but casefold() keeps apart.
_FOLD_EXTRA = str.maketrans({"\u0131": "i"})


def _words(text: str) -> set[str]:
    """The text's words, case-folded: what a name's words must all be among to match."""
    return set(_WORD.findall(text.casefold().translate(_FOLD_EXTRA)))


class MentionFinder:
    """Compiled matcher for a set of organizations; build once, run over many texts.

    One regex of every name, tried at every position of a text, cost 14 ms per 3,000
    characters with 200 organizations (most of an import's time). So a text is first
    reduced to the names whose words it all holds (case-folded: a superset of what the
    regex can match), and only those names' regex runs, built once per such set. Names
    that cannot match anywhere in the text change nothing in the leftmost-first scan, so
    the result is the one regex's.
    """

    def __init__(self, organizations: Iterable[Named]):
        self._by_group: dict[str, int] = {}
        self.kinds: dict[int, str] = {}  # organization id -> its kind
        alternatives: list[tuple[int, str, str]] = []
        for org in organizations:
            self.kinds[org.id] = org.kind
            for index, name in enumerate(n for n in org.names if n.strip()):
                group = f"o{org.id}_{index}"
                self._by_group[group] = org.id
                source = name_pattern(name)
                if not is_acronym(name):
                    source = f"(?i:{source})"
                alternatives.append((len(name), f"(?P<{group}>{source})", name))
        # Longest names first, so "ACLU of Massachusetts" is found as itself rather than
        # as "ACLU" followed by other words (regex alternation is leftmost-first).
        alternatives.sort(key=lambda item: -item[0])
        self._sources = [source for _, source, _ in alternatives]
        self._words = [_words(name) for _, _, name in alternatives]
        # Each name under its longest word: a text without that word cannot name it.
        self._by_key: dict[str, list[int]] = {}
        self._always: list[int] = []  # names without a word character
        for position, words in enumerate(self._words):
            if words:
                self._by_key.setdefault(max(words, key=len), []).append(position)
            else:
                self._always.append(position)
        self._compiled: dict[tuple[int, ...], re.Pattern] = {}

    def _regex_for(self, positions: tuple[int, ...]) -> re.Pattern:
        regex = self._compiled.get(positions)
        if regex is None:
            if len(self._compiled) > 4096:
                self._compiled.clear()
            regex = self._compiled[positions] = re.compile(
                f"{_WORD_BOUNDARY_BEFORE}(?:{'|'.join(self._sources[p] for p in positions)})"
                f"{_WORD_BOUNDARY_AFTER}"
            )
        return regex

    def find(self, text: str) -> set[int]:
        """Ids of the organizations mentioned anywhere in `text`."""
        return {organization for organization, _, _ in self.spans(text)}

    def spans(self, text: str) -> list[tuple[int, int, int]]:
        """`(organization id, start, end)` of every name found in `text`, in text order,
        none overlapping (offsets are code points into `text`)."""
        if not self._sources:
            return []
        words = _words(text)
        positions = list(self._always)
        for word in words:
            for position in self._by_key.get(word, ()):
                if self._words[position] <= words:
                    positions.append(position)
        if not positions:
            return []
        # Overlapping names ("Ninth Circuit" inside "U.S. Court of Appeals for the Ninth
        # Circuit") are different spellings of one organization, so leftmost-first is enough
        # to find every organization that is named at least once somewhere.
        return [
            (self._by_group[match.lastgroup], match.start(), match.end())
            for match in self._regex_for(tuple(sorted(positions))).finditer(text)
        ]
