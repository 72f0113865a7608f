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
    """An organization id with the names it goes by."""

    id: int
    names: tuple[str, ...]


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


class MentionFinder:
    """Compiled matcher for a set of organizations; build once, run over many texts."""

    def __init__(self, organizations: Iterable[Named]):
        self._by_group: dict[str, int] = {}
        alternatives: list[tuple[int, str]] = []
        for org in organizations:
            for index, name in enumerate(n for n in org.names if n.strip()):
                group = f"o{org.id}_{index}"
                self._by_group[group] = org.id
                source = name_pattern(name)
                if not is_acronym(name):
                    source = f"(?i:{source})"
                alternatives.append((len(name), f"(?P<{group}>{source})"))
        # Longest names first, so "ACLU of Massachusetts" is found as itself rather than
        # as "ACLU" followed by other words (regex alternation is leftmost-first).
        alternatives.sort(key=lambda item: -item[0])
        self._regex = (
            re.compile(
                f"{_WORD_BOUNDARY_BEFORE}(?:{'|'.join(s for _, s in alternatives)})"
                f"{_WORD_BOUNDARY_AFTER}"
            )
            if alternatives
            else None
        )

    def find(self, text: str) -> set[int]:
        """Ids of the organizations mentioned anywhere in `text`."""
        if self._regex is None:
            return set()
        found: set[int] = set()
        # Overlapping names ("Ninth Circuit" inside "U.S. Court of Appeals for the Ninth
        # Circuit") are different spellings of one organization, so leftmost-first is enough
        # to find every organization that is named at least once somewhere.
        for match in self._regex.finditer(text):
            found.add(self._by_group[match.lastgroup])
        return found
