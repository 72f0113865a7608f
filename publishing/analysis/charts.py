"""The charts of `/analysis/`: SVG drawn by pygal from the page's own tables.

pygal (pure Python, SVG only) rather than matplotlib: it writes SVG directly, needs no
numpy or font cache, and renders a chart in milliseconds. Its SVG carries its look in a
`<style>` element, which the site's CSP (`style-src 'self'`) would refuse inside a page,
so each chart is its own response, shown with `<img>` (an image runs no script and loads
nothing), under a CSP of its own that allows that one stylesheet by its hash
(`style_hash`) and nothing else. pygal's tooltips are interactive only (a script it
would load from a CDN, `js=[]`, and its configuration in an inline `<script>`): both are
taken out of the tree before it is written (`without_scripts`), with the hidden tooltip
box, the one element carrying a `style` attribute.
"""

import base64
import hashlib
import re

from pygal import Dot, HorizontalStackedBar, Line
from pygal.style import Style

from publishing.analysis.presenters import Table, for_chart

# Okabe and Ito's palette, told apart with the common colour-vision deficiencies.
PALETTE = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#d55e00",
    "#f0e442",
    "#000000",
    "#999999",
    "#882255",
    "#44aa99",
)
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#222222",
    foreground_strong="#111111",
    foreground_subtle="#666666",
    colors=PALETTE,
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    title_font_size=16,
)


def without_scripts(root):
    """pygal's tree less its scripts and tooltip layer (an `xml_filters` step)."""
    for element in list(root.iter()):
        tag = element.tag if isinstance(element.tag, str) else ""
        classes = (element.get("class") or "").split()
        if tag.endswith("script") or "tooltip-overlay" in classes:
            element.getparent().remove(element)
    return root


STYLE_ELEMENT = re.compile(rb"<style[^>]*>(.*?)</style>", re.DOTALL)


def style_hashes(svg: bytes) -> list[str]:
    """CSP sources allowing exactly the `<style>` elements of `svg` (`'sha256-...'`)."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(css).digest()).decode() + "'"
        for css in STYLE_ELEMENT.findall(svg)
    ]


COMMON = {
    "style": STYLE,
    "js": [],
    "width": 900,
    "legend_at_bottom": True,
    "legend_at_bottom_columns": 3,
    "truncate_legend": 40,
    "truncate_label": 40,
    "no_data_text": "No passages match",
    "disable_xml_declaration": False,
}


class Untipped:
    """A pygal chart that writes no tooltip data: the `<desc>` elements its script would
    read (every value, its position and label, per bar or dot) are taken out with the
    script, so they are not built at all (a quarter of a bar chart's drawing time)."""

    def _tooltip_data(self, *args, **kwargs) -> None:
        return None


class UntippedStackedBar(Untipped, HorizontalStackedBar):
    pass


class UntippedLine(Untipped, Line):
    pass


class UntippedDot(Untipped, Dot):
    pass


def _chart(kind, **config):
    chart = kind(**COMMON, **config)
    chart.add_xml_filter(without_scripts)
    return chart


def _height(bars: int) -> int:
    return max(360, 140 + 26 * bars)


def stacked_bars(table: Table, title: str) -> bytes:
    """Each row a horizontal bar, stacked by column (tag × outlet, organization × tag):
    the largest bars and segments, the rest of each bar as "other" (`for_chart`)."""
    table = for_chart(table)
    rows = list(reversed(table.rows))  # pygal draws the first label at the bottom
    chart = _chart(UntippedStackedBar, title=title, height=_height(len(rows)))
    chart.x_labels = [row.label.text for row in rows]
    for index, col in enumerate(table.col_labels):
        chart.add(col.text, [row.cells[index].count for row in rows])
    return chart.render()


def lines(table: Table, title: str) -> bytes:
    """Rows are months along the x axis, one line per column (passages per month by tag)."""
    chart = _chart(
        UntippedLine,
        title=title,
        height=460,
        x_label_rotation=45,
        show_minor_x_labels=False,
        x_labels_major_every=max(1, len(table.rows) // 12),
    )
    chart.x_labels = [row.label.text for row in table.rows]
    for index, col in enumerate(table.col_labels):
        chart.add(col.text, [row.cells[index].count for row in table.rows])
    return chart.render()


def dots(table: Table, title: str) -> bytes:
    """A square table as a dot matrix, dot size the count (tag co-occurrence)."""
    chart = _chart(UntippedDot, title=title, height=_height(len(table.rows)), x_label_rotation=45)
    chart.x_labels = [col.text for col in table.col_labels]
    chart.show_legend = False
    for row in table.rows:
        chart.add(row.label.text, [cell.count for cell in row.cells])
    return chart.render()
