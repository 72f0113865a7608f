"""Main text and metadata out of a news page, with trafilatura and htmldate.

The body is the article's paragraphs, one per block, separated by a blank line, as the
page shows them: trafilatura decides *which* blocks are the article (no navigation,
cookie banner, newsletter box, share bar, related links, comments or footer), and each
block's text is then taken from the page itself with only the whitespace a browser
collapses collapsed, so non-breaking spaces and curly quotes stay where passages will
point at them (trafilatura's own text turns NBSP into plain spaces).

Metadata: JSON-LD `NewsArticle` first, then OpenGraph and `article:` meta, then the page
(trafilatura's reading of it, htmldate for the date).
"""

import json
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import htmldate
import lxml.html
import trafilatura
from lxml import etree

ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle",
                 "OpinionNewsArticle", "BlogPosting", "Report"}  # fmt: skip
PAGE_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "dd")
TEXT_BLOCKS = ("p", "head", "item", "quote", "code")
# Only ASCII whitespace collapses in a browser; NBSP (and every other space) is text.
_COLLAPSE = re.compile(r"[ \t\n\r\f]+")
TRACKING_PARAMS = {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid",
                   "_ga", "_gl", "ref", "ref_src", "cmpid", "ocid", "smid", "spm"}  # fmt: skip


class ExtractionError(Exception):
    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code, self.reason = code, reason


@dataclass(frozen=True)
class Extracted:
    title: str
    body: str
    author: str
    published: date | None
    site_name: str
    canonical_url: str  # tracking parameters removed; "" when the page gives none

    @property
    def domain(self) -> str:
        return url_domain(self.canonical_url)


def url_domain(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def clean_url(url: str) -> str:
    """`url` without fragment and tracking parameters (utm_* and the like), query sorted."""
    parts = urlsplit(url.strip())
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    )
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", urlencode(query), "")
    )


def url_key(url: str) -> str:
    """The identity of an article's URL: scheme, `www.`, a trailing slash and tracking
    parameters do not matter."""
    parts = urlsplit(clean_url(url))
    return f"{url_domain(url)}{parts.path.rstrip('/') or '/'}" + (
        f"?{parts.query}" if parts.query else ""
    )


def url_variants(url: str) -> list[str]:
    """Every spelling of `url` that `url_key` takes as the same article (for a lookup)."""
    key = url_key(url)
    host, slash, rest = key.partition("/")
    path, q, query = rest.partition("?")
    paths = {f"/{path}".rstrip("/") or "/", f"/{path}/".replace("//", "/")}
    return [
        f"{scheme}://{prefix}{host}{p}{q}{query}"
        for scheme in ("https", "http")
        for prefix in ("", "www.")
        for p in sorted(paths)
    ]


def decode(body: bytes, charset: str = "") -> str:
    """The page's text: the HTTP charset, else a `<meta charset>`, else UTF-8 (cp1252 when
    that fails, as browsers do for Latin-1 labelled pages)."""
    candidates = [charset] if charset else []
    sniff = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_\-]+)", body[:4096], re.I)
    if sniff:
        candidates.append(sniff.group(1).decode("ascii"))
    for candidate in [*candidates, "utf-8"]:
        try:
            return body.decode(candidate).removeprefix("\ufeff")
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("cp1252", "replace")


def _display_text(element) -> str:
    return _COLLAPSE.sub(" ", "".join(element.itertext())).strip(" ")


def _jsonld_article(tree) -> dict:
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                types = item.get("@type", [])
                types = {types} if isinstance(types, str) else set(types)
                if types & ARTICLE_TYPES:
                    return item
                stack.extend(item.get("@graph", []))
    return {}


def _names(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _names(value.get("name", ""))
    if isinstance(value, list):
        return [n for item in value for n in _names(item)]
    return []


def _meta(tree, *names: str) -> str:
    for name in names:
        found = tree.xpath(f'//meta[@property="{name}" or @name="{name}"]/@content')
        if found and found[0].strip():
            return found[0].strip()
    return ""


def _date(value) -> date | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _first(*values) -> str:
    for value in values:
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""


def extract(html: str, *, url: str = "") -> Extracted:
    """The article in `html` (fetched from `url`, if it was), or ExtractionError."""
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        raise ExtractionError("no_main_text", "not a readable HTML page") from None
    ld = _jsonld_article(tree)
    # Metadata first: trafilatura prunes the tree it is given.
    title = _first(ld.get("headline"), ld.get("name"), _meta(tree, "og:title"))
    author = _first(
        ", ".join(_names(ld.get("author"))),
        *(a for a in [_meta(tree, "article:author", "author")] if not a.startswith("http")),
    )
    site_name = _first(", ".join(_names(ld.get("publisher"))), _meta(tree, "og:site_name"))
    published = _date(ld.get("datePublished")) or _date(
        _meta(tree, "article:published_time", "og:published_time")
    )
    entity = ld.get("mainEntityOfPage")
    ld_url = entity if isinstance(entity, str) else (entity or {}).get("@id", "")
    page_url = _first(
        ld_url if isinstance(ld_url, str) else "",
        ld.get("url"),
        _meta(tree, "og:url"),
        (tree.xpath('//link[@rel="canonical"]/@href') or [""])[0],
    )
    # Each block's text as displayed, found again by its whitespace-free spelling.
    displayed = {}
    for element in tree.iter(*PAGE_BLOCKS):
        text = _display_text(element)
        if text:
            displayed.setdefault("".join(text.split()), text)

    document = trafilatura.bare_extraction(
        tree,
        url=url or None,
        favor_precision=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        with_metadata=True,
        deduplicate=False,
    )
    if document is None or document.body is None:
        raise ExtractionError("no_main_text", "no main text found")
    title = title or _first(document.title)
    blocks = []
    # trafilatura's own tree: <p>, <head> (h1-h6), <item> (li), <quote>, <code>; a block
    # holding other blocks (a quote of paragraphs) gives its inner ones.
    for element in document.body.iter(*TEXT_BLOCKS):
        if any(inner.tag in TEXT_BLOCKS for inner in element.iterdescendants()):
            continue
        text = " ".join("".join(element.itertext()).split())
        if text:
            blocks.append(displayed.get("".join(text.split()), text))
    if blocks and " ".join(blocks[0].split()) == title:
        blocks = blocks[1:]  # the headline is the title, not the body's first paragraph
    if sum(len(b) for b in blocks) < 200:
        raise ExtractionError("no_main_text", "no main text found")

    canonical = urljoin(url, page_url) if page_url else url
    if urlsplit(canonical).scheme not in {"http", "https"}:
        canonical = url if urlsplit(url).scheme in {"http", "https"} else ""
    published = (
        published
        or _date(document.date)
        or _date(htmldate.find_date(html, original_date=True, extensive_search=False))
    )
    return Extracted(
        title=title[:500],
        body="\n\n".join(blocks),
        author=(author or _first(document.author))[:300],
        published=published,
        site_name=(site_name or _first(document.sitename))[:200],
        canonical_url=clean_url(canonical) if canonical else "",
    )
