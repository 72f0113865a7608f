"""Compare markup as parsed trees, not bytes: whitespace between elements, attribute
order and entity spelling (`&quot;` or `&#34;`) are the template engine's business."""

import re

from django.test.html import parse_html


def same_markup(actual: str, expected: str) -> bool:
    return parse_html(actual) == parse_html(expected)


def assert_same_markup(actual: str, expected: str) -> None:
    assert parse_html(actual) == parse_html(expected), f"\n{actual}\n!=\n{expected}"


def elements(content: str, tag: str, css_class: str) -> list[str]:
    """Every `<tag class="css_class" ...>...</tag>` of a page (not nesting another `tag`)."""
    pattern = rf'<{tag} (?:[^>]* )?class="{re.escape(css_class)}"[^>]*>.*?</{tag}>'
    return re.findall(pattern, content, flags=re.DOTALL)
