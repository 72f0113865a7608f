"""Formula neutralisation: a cell a spreadsheet would evaluate gets a leading `'`.

One pattern (`formula_start`) serves every export path: Python's `re` matches it on the
reference and SQLite paths, PostgreSQL's regular expressions on the COPY path.
"""

import functools
import re
import sys
import unicodedata

FORMULA_TRIGGERS = ("=", "+", "-", "@")


def _character_class(codes: list[int]) -> str:
    """A character class of `codes` as escaped ranges, in a syntax Python's `re` and
    PostgreSQL's regular expressions read alike (`\\uXXXX`, `\\UXXXXXXXX`)."""
    ranges: list[list[int]] = []
    for code in sorted(set(codes)):
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])

    def escape(code: int) -> str:
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"

    return (
        "[" + "".join(escape(a) if a == b else f"{escape(a)}-{escape(b)}" for a, b in ranges) + "]"
    )


@functools.cache
def _formula_classes() -> tuple[list[int], list[int], list[int]]:
    """The code points of format characters (Cf), of leading characters (format characters
    and whitespace) and of formula triggers (see `formula_start`)."""
    # One pass, one character at a time: a list of every code point would cost a worker
    # some 70 MB of peak memory.
    invisible, spaces, triggers = [], [], []
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        if unicodedata.category(c) == "Cf":
            invisible.append(code)
        if c.isspace():
            spaces.append(code)
        if unicodedata.normalize("NFKC", c)[:1] in FORMULA_TRIGGERS:
            triggers.append(code)
    return invisible, invisible + spaces, triggers


@functools.cache
def formula_start() -> str:
    """The pattern, matched at a cell's start, of what a spreadsheet may evaluate: a tab or
    carriage return first (format characters aside), or a trigger after format characters
    and whitespace. Format characters are category Cf (zero-width space, byte-order mark,
    soft hyphen...), whitespace is `str.isspace`, and a trigger is any character that NFKC
    normalisation turns into one (＝ ＋ － ＠ ﹦ ⁼ ...). Both export paths match this one
    pattern: PostgreSQL's regular expressions read it as Python's `re` does.

    Computed on first use rather than at import: it scans every code point (0.3 s).
    """
    invisible, leading, triggers = _formula_classes()
    invisible_class, leading_class = _character_class(invisible), _character_class(leading)
    return f"{invisible_class}*[\\t\\r]|{leading_class}*{_character_class(triggers)}"


@functools.cache
def formula_first_codes() -> tuple[int, ...]:
    """Every code point a cell that `neutralise` changes can start with (sorted)."""
    _, leading, triggers = _formula_classes()
    return tuple(sorted({*leading, *triggers, ord("\t"), ord("\r")}))


@functools.cache
def _formula_start_re() -> re.Pattern:
    return re.compile(formula_start())


def neutralise(value: str) -> str:
    """`value`, prefixed with `'` if a spreadsheet would evaluate it as a formula.

    Spreadsheets evaluate a cell whose first character, or first after leading spaces,
    is `=`, `+`, `-` or `@`, and some also a cell starting with a tab or carriage return.
    Which character is first is decided after format characters (invisible, such as
    U+200B and U+FEFF), and compared after NFKC normalisation: `＝` and `﹦` are `=`.
    """
    if _formula_start_re().match(value):
        return "'" + value
    return value
