"""Typed values of a tag's fields (`TagField`): how one is read, written and shown.

A passage holds its values in `Annotation.fields`, a JSON object keyed
`"<tag slug>.<field name>"` whose values are the *canonical text* of each value, written
here and nowhere else:

- number: a decimal without exponent or trailing zeros (`60000`, `3.5`, `-0.25`);
- integer: ASCII digits with an optional `-` (`2024`);
- text: the text, stripped of surrounding whitespace;
- organization: the organization's slug (the action checks that it exists).

Storing text means every reader sees the same characters: the CSV export's SQLite path
(`->>`), its PostgreSQL `COPY` path (`->>`) and Python agree byte for byte, where a JSON
number would come back as `60000.0` from one database and `60000` from the other. The
filters compare numbers as numbers by casting the text (`publishing.filters`). This module
imports no app (it sits below the models).
"""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

NUMBER = "number"
INTEGER = "integer"
TEXT = "text"
ORGANIZATION = "organization"
NUMERIC_KINDS = frozenset({NUMBER, INTEGER})

# Longest text value, in code points.
TEXT_MAX_LENGTH = 500
# Numbers are compared as double precision by the filters: a magnitude and a number of
# significant digits a double holds exactly.
NUMBER_LIMIT = Decimal(10) ** 15
NUMBER_MAX_DIGITS = 15

_DECIMAL = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_INTEGER = re.compile(r"[-+]?[0-9]+")
# A field's name: a slug without dots (the dot separates tag and field in keys and filters).
NAME_PATTERN = r"^[a-z0-9_-]+$"


def key(tag_slug: str, name: str) -> str:
    """The key of a field's values in `Annotation.fields` (and its CSV column)."""
    return f"{tag_slug}.{name}"


def split_key(value: str) -> tuple[str, str]:
    tag_slug, _, name = value.rpartition(".")
    return tag_slug, name


def number_text(number: Decimal) -> str:
    """The canonical text of a decimal: fixed point, no trailing zeros, no `-0`."""
    text = format(number.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _error(label: str, message: str, code: str, **params) -> ValidationError:
    label = label.replace("%", "%%")  # an editor's label, printed through %-formatting
    return ValidationError(f"{label}: {message}", code=code, params=params or None)


def parse_number(raw, *, label: str = "Value") -> Decimal:
    """A number from JSON (int or float, never a bool) or text; `invalid_number` else."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise _error(label, "enter a number.", "invalid_number")
    text = str(raw).strip() if not isinstance(raw, float) else repr(raw)
    if not _DECIMAL.fullmatch(text):
        raise _error(label, "enter a number, such as 60000 or 3.5.", "invalid_number")
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise _error(label, "enter a number.", "invalid_number") from None
    if abs(number) >= NUMBER_LIMIT or len(number.normalize().as_tuple().digits) > (
        NUMBER_MAX_DIGITS
    ):
        raise _error(
            label,
            "keep numbers below 10¹⁵ with at most 15 significant digits.",
            "number_too_large",
        )
    return number


def parse_integer(raw, *, label: str = "Value") -> Decimal:
    """A whole number from JSON (an int, or a float with no fraction) or ASCII digits."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise _error(label, "enter a whole number.", "invalid_integer")
    text = str(raw).strip()
    if not _INTEGER.fullmatch(text):
        raise _error(label, "enter a whole number, such as 2024.", "invalid_integer")
    return parse_number(text, label=label)


def canonical(kind: str, raw, *, label: str = "Value", minimum=None, maximum=None) -> str:
    """The canonical text of `raw` for a field of `kind`, or a coded ValidationError:
    `invalid_number`, `invalid_integer`, `number_too_large`, `below_minimum`,
    `above_maximum`, `invalid_field_text`, `field_too_long`. An organization's value is
    returned as given (stripped text, or an id as text): the action resolves it."""
    if kind in NUMERIC_KINDS:
        number = (parse_integer if kind == INTEGER else parse_number)(raw, label=label)
        if minimum is not None and number < Decimal(str(minimum)):
            raise _error(
                label,
                "must be at least %(minimum)s.",
                "below_minimum",
                minimum=number_text(Decimal(str(minimum))),
            )
        if maximum is not None and number > Decimal(str(maximum)):
            raise _error(
                label,
                "must be at most %(maximum)s.",
                "above_maximum",
                maximum=number_text(Decimal(str(maximum))),
            )
        return number_text(number)
    if kind == ORGANIZATION and isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    if not isinstance(raw, str):
        raise _error(label, "enter text.", "invalid_field_text")
    text = raw.strip()
    if len(text) > TEXT_MAX_LENGTH:
        raise _error(
            label,
            "keep it to %(limit)s characters.",
            "field_too_long",
            limit=TEXT_MAX_LENGTH,
        )
    return text


def is_blank(raw) -> bool:
    """A value that means "no value": null, or text that is empty or only whitespace."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


def typed(kind: str, text: str):
    """A stored value as JSON gives it back: numbers as numbers, the rest as text."""
    if kind in NUMERIC_KINDS:
        number = Decimal(text)
        return (
            int(number)
            if kind == INTEGER or number == number.to_integral_value()
            else (float(number))
        )
    return text
