"""What the public pages show of echoes: "Also in: Reason (27 Jun 2019), The Hill (26 Jun
2019)" under a passage, and, on the article page an echo link leads to, the echoed words.

"Also in" is loaded after the page (`static/js/also_in.js` asks `echoes.views.AlsoInView`
for the passages on the page, 25 at a time): finding echoes reads and compares the
bodies of the candidate articles, which would make every uncached page render wait for
them. The pages print an empty, hidden slot per passage (`data-also-in="<id>"`) that the
script fills; the answers are cached like the pages, per corpus version.

An "Also in" link addresses the very words: `/articles/<slug>/?echo=<start>-<end>#echo`,
code points into that article's body. That page then names the words above its text
(`ShownEcho`, no JavaScript needed) and `static/js/echo.js` paints them in the text with
the CSS Custom Highlight API, from the paragraph and UTF-16 offsets given here (the
browser counts UTF-16 units; the conversion happens at this edge).

Finding the echoes of a batch of passages costs two queries (`echoes.finding`).
"""

import re
from typing import NamedTuple

from articles.models import Article
from echoes.finding import Echo, PassageText, echoes_of
from publishing.highlighting import paragraphs
from publishing.presenters import Presenter, ShownDate

ECHO_PARAMETER = "echo"
_RANGE = re.compile(r"(\d{1,9})-(\d{1,9})")
# The most candidate articles one "Also in" request reads to find its passages' echoes
# (the echoes API reads them all): its cost stays bounded whatever the corpus repeats.
PAGE_CANDIDATES = 100
# The most passages one "Also in" request asks for (the script sends a page's in batches).
BATCH_PASSAGES = 100


class AlsoIn(NamedTuple):
    """One other article a passage's words ran in: its outlet and date, and a link to the
    words there."""

    outlet: str
    published: ShownDate | None
    url: str
    title: str

    def as_json(self) -> dict:
        published = self.published
        return {
            "outlet": self.outlet,
            "published": published and {"iso": published.iso, "text": published.text},
            "url": self.url,
            "title": self.title,
        }


def echo_url(presenter: Presenter, echo: Echo) -> str:
    url = presenter.article_url(echo.article_slug)
    return f"{url}?{ECHO_PARAMETER}={echo.start}-{echo.end}#echo"


def also_in_rows(echoes: list[Echo], presenter: Presenter) -> list[AlsoIn]:
    """One entry per article (its first echo), earliest publication first."""
    seen: set[int] = set()
    rows = []
    for echo in echoes:
        if echo.article_id in seen:
            continue
        seen.add(echo.article_id)
        rows.append(
            AlsoIn(
                echo.outlet,
                presenter.date(echo.published, "j M Y"),
                echo_url(presenter, echo),
                echo.article_title,
            )
        )
    return rows


class AlsoInAnswer(NamedTuple):
    """ "Also in" of each passage, by id; `cut`: the passages whose lists may leave out
    articles (the candidates read were bounded), whose own echoes page has them all."""

    rows: dict[int, list[AlsoIn]]
    cut: set[int]


def also_in(
    passages: list[PassageText], user, presenter: Presenter, *, bounded: bool = True
) -> AlsoInAnswer:
    """ "Also in" of each passage in the articles `user` may see (two queries), reading
    at most `PAGE_CANDIDATES` candidate articles when `bounded`, else all of them."""
    most = PAGE_CANDIDATES if bounded else None
    found = echoes_of(passages, Article.objects.visible_to(user), most=most)
    rows = {pk: also_in_rows(echoes, presenter) for pk, echoes in found.items()}
    return AlsoInAnswer(rows, found.cut)


class ShownEcho(NamedTuple):
    """The echoed words an "Also in" link leads to: their text, and where the script
    paints them: `ranges` as "paragraph:from:to" (UTF-16 units into that paragraph's
    text), `;`-separated (an echo may cross a line break)."""

    exact: str
    ranges: str


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def shown_echo(query, body: str) -> ShownEcho | None:
    """The echo `?echo=<start>-<end>` asks to show in `body`; None when not asked for,
    or not a range of the body (the page is then shown as without it)."""
    value = query.get(ECHO_PARAMETER)
    match = _RANGE.fullmatch(value or "")
    if not match:
        return None
    start, end = int(match[1]), int(match[2])
    if not 0 <= start < end <= len(body) or not body[start:end].strip():
        return None
    ranges = []
    for index, (first, last) in enumerate(paragraphs(body)):
        low, high = max(first, start), min(last, end)
        if low < high:
            ranges.append(f"{index}:{_units(body[first:low])}:{_units(body[first:high])}")
    return ShownEcho(body[start:end], ";".join(ranges))
