"""WCAG 2 contrast of a tag's name on its highlight (pure; no Django, no database).

The site paints a highlight and a tag chip with the tag's colour as an opaque
background (`/tags.css`: `background-color: <colour>`) and writes on it in the page's
ink (`--ink`, #1d1d1f, in static/css/site.css; chips use the darker #111). A colour is
readable when the ink on it reaches WCAG 2.x AA for normal text, 4.5:1
(https://www.w3.org/TR/WCAG21/#contrast-minimum, relative luminance as defined there).
A colour given with an alpha (`#rrggbbaa`) is first composed over the page (`--paper`).
"""

import re

#: The text colour of highlights and chips (the lighter of the two inks: the worst case).
INK = "#1d1d1f"
#: What a translucent colour shows over.
PAPER = "#fdfdfb"
#: WCAG 2 AA, normal-size text.
AA_NORMAL = 4.5

_HEX = re.compile(r"#([0-9a-fA-F]{6})([0-9a-fA-F]{2})?")


def parse_colour(colour: str) -> tuple[tuple[int, int, int], float]:
    """(r, g, b) in 0-255 and alpha in 0-1 of `#rrggbb` or `#rrggbbaa`."""
    match = _HEX.fullmatch(colour.strip())
    if match is None:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    digits, alpha = match.groups()
    rgb = (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))
    return rgb, (int(alpha, 16) / 255 if alpha else 1.0)


def over(colour: str, background: str = PAPER) -> tuple[int, int, int]:
    """The colour the eye sees: `colour` composed over an opaque `background`."""
    (r, g, b), alpha = parse_colour(colour)
    (br, bg, bb), _ = parse_colour(background)
    return tuple(round(alpha * c + (1 - alpha) * d) for c, d in ((r, br), (g, bg), (b, bb)))


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    r, g, b = (_channel(value) for value in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG's (L1 + 0.05) / (L2 + 0.05), lighter over darker: from 1 to 21."""
    first = relative_luminance(over(foreground, over_hex(background)))
    second = relative_luminance(over(background))
    lighter, darker = max(first, second), min(first, second)
    return (lighter + 0.05) / (darker + 0.05)


def over_hex(colour: str) -> str:
    """`over(colour)` as #rrggbb."""
    return "#{:02x}{:02x}{:02x}".format(*over(colour))


def highlight_contrast(colour: str) -> float:
    """The contrast of a tag's name (the ink) on its highlight in `colour`."""
    return contrast_ratio(INK, over_hex(colour))


def readable(colour: str) -> bool:
    return highlight_contrast(colour) >= AA_NORMAL
