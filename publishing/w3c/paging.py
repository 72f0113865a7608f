"""The container's pages: keyset paging over passage ids, and the `Prefer` header.

Pages hold PAGE_SIZE passages in id order. A page is named by a cursor, never an offset:
`page=first`, `page=after:<id>` (the passages after that id), `page=before:<id>` (the
PAGE_SIZE passages before it) and `page=last`; each query reads at most PAGE_SIZE + 1
rows from the primary key index from the cursor on, so the last page of a million
passages costs what the first costs (OFFSET would read and drop every row before it).

`startIndex` rides along in the cursor (`start=<n>`, the index of the page's first
passage): counting the ids before the cursor would again read every earlier row. The
last page is the final `total % PAGE_SIZE` passages (or PAGE_SIZE), so pages reached from
either end line up. A `before` page that finds nothing further back is the first page
and says `startIndex` 0, whatever its cursor carried.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from cms.jsonapi import ApiError
from publishing.w3c.vocabulary import (
    ANNO_CONTEXT,
    LDP_CONTEXT,
    PREFER_CONTAINED_DESCRIPTIONS,
    PREFER_CONTAINED_IRIS,
    PREFER_MINIMAL_CONTAINER,
)

PAGE_SIZE = 100
# Far beyond any archive; keeps a hand-made cursor a number the database can compare.
LARGEST = 2**62
_CURSOR = re.compile(r"(first|last)|(after|before):([0-9]{1,19})")
_START = re.compile(r"[0-9]{1,19}")
_COMMA_OUTSIDE_QUOTES = re.compile(r',(?=(?:[^"]*"[^"]*")*[^"]*$)')
_SEMICOLON_OUTSIDE_QUOTES = re.compile(r';(?=(?:[^"]*"[^"]*")*[^"]*$)')


@dataclass(frozen=True)
class Preference:
    """What a container request asked for (Protocol 4.2.1)."""

    minimal: bool = False
    iris: bool = False
    descriptions: bool = False
    # The request said `return=representation`: answered with `Preference-Applied`.
    given: bool = False


def parse_prefer(header: str) -> Preference:
    """The container preferences in a `Prefer` header (RFC 7240); others are ignored.

    Asking for both PreferContainedIRIs and PreferContainedDescriptions, which the
    Protocol forbids, is a 400.
    """
    for preference in _COMMA_OUTSIDE_QUOTES.split(header or ""):
        parts = [part.strip() for part in _SEMICOLON_OUTSIDE_QUOTES.split(preference)]
        name, _, value = parts[0].partition("=")
        if name.strip().lower() != "return" or value.strip().strip('"') != "representation":
            continue
        include: set[str] = set()
        for parameter in parts[1:]:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "include":
                include.update(value.strip().strip('"').split())
        if PREFER_CONTAINED_IRIS in include and PREFER_CONTAINED_DESCRIPTIONS in include:
            raise ApiError(
                400,
                "conflicting_preferences",
                "PreferContainedIRIs and PreferContainedDescriptions cannot both be asked for.",
            )
        return Preference(
            minimal=PREFER_MINIMAL_CONTAINER in include,
            iris=PREFER_CONTAINED_IRIS in include,
            descriptions=PREFER_CONTAINED_DESCRIPTIONS in include,
            given=True,
        )
    return Preference()


@dataclass(frozen=True)
class Cursor:
    kind: str  # first, last, after or before
    pk: int = 0
    start: int = 0

    def query(self) -> list[tuple[str, str]]:
        if self.kind in ("first", "last"):
            return [("page", self.kind)]
        return [("page", f"{self.kind}:{self.pk}"), ("start", str(self.start))]


def parse_cursor(page: str, start: str | None) -> Cursor:
    match = _CURSOR.fullmatch(page)
    if not match:
        raise ApiError(400, "invalid_page", "`page` is first, last, after:<id> or before:<id>.")
    if match.group(1):
        return Cursor(match.group(1))
    pk = int(match.group(3))
    if not _START.fullmatch(start or "") or int(start) > LARGEST or pk > LARGEST:
        raise ApiError(400, "invalid_page", "`start` must be a whole number with after/before.")
    return Cursor(match.group(2), pk, int(start))


@dataclass
class Slice:
    """One page's rows (in id order) and where it sits in the collection."""

    rows: list
    start: int
    has_prev: bool
    has_next: bool


def fetch_page(rows, cursor: Cursor, total: int) -> Slice:
    """The page of `rows` (a QuerySet of named rows with `pk`) that `cursor` names (one
    query reading at most PAGE_SIZE + 1 rows)."""
    if cursor.kind in ("first", "after"):
        found = list(rows.filter(pk__gt=cursor.pk).order_by("pk")[: PAGE_SIZE + 1])
        start = cursor.start if cursor.kind == "after" else 0
        return Slice(found[:PAGE_SIZE], start, start > 0, len(found) > PAGE_SIZE)
    if cursor.kind == "last":
        size = total % PAGE_SIZE or PAGE_SIZE
        found = list(rows.order_by("-pk")[:size]) if total else []
        start = max(total - len(found), 0)
        return Slice(found[::-1], start, start > 0, False)
    found = list(rows.filter(pk__lt=cursor.pk).order_by("-pk")[: PAGE_SIZE + 1])
    has_prev = len(found) > PAGE_SIZE
    page = found[:PAGE_SIZE][::-1]
    return Slice(page, cursor.start if has_prev else 0, has_prev, bool(page))


class Container:
    """The IRIs and JSON shapes of one filtered container (Protocol 4, Model 5).

    `filters` are the request's FilterSet parameters in a canonical order: they are part
    of the container's identity, as is `iris` (pages of IRIs or of descriptions).
    """

    def __init__(self, base: str, filters: list[tuple[str, str]], *, iris: bool, total: int):
        self.base = base
        self.filters = filters
        self.iris = iris
        self.total = total

    def url(self, extra: list[tuple[str, str]] = ()) -> str:
        params = [*self.filters, *([("iris", "1")] if self.iris else []), *extra]
        return self.base + ("?" + urlencode(params) if params else "")

    @property
    def id(self) -> str:
        return self.url()

    def page_url(self, cursor: Cursor) -> str:
        return self.url(cursor.query())

    def label(self) -> str:
        if not self.filters:
            return "Gloss passages"
        return "Gloss passages: " + ", ".join(f"{name}={value}" for name, value in self.filters)

    def collection(self, first) -> dict:
        """The container's description; `first` is the embedded first page, or None for
        links only (PreferMinimalContainer)."""
        collection = {
            "@context": [ANNO_CONTEXT, LDP_CONTEXT],
            "id": self.id,
            "type": ["BasicContainer", "AnnotationCollection"],
            "label": self.label(),
            "total": self.total,
        }
        if self.total:
            collection["first"] = first if first is not None else self.page_url(Cursor("first"))
            collection["last"] = self.page_url(Cursor("last"))
        return collection

    def part_of(self) -> dict:
        # An object, not just the IRI: the test suite reads partOf as the collection's
        # description.
        return {"id": self.id, "total": self.total}

    def page(self, cursor: Cursor, page: Slice, items: list, *, embedded: bool) -> dict:
        """An AnnotationPage: standalone with its `@context`, or embedded in the
        container's description."""
        shape = {} if embedded else {"@context": ANNO_CONTEXT}
        shape["id"] = self.page_url(cursor)
        shape["type"] = "AnnotationPage"
        shape["partOf"] = self.part_of()
        shape["startIndex"] = page.start
        if page.has_prev and page.rows:
            previous = max(page.start - PAGE_SIZE, 0)
            shape["prev"] = self.page_url(Cursor("before", page.rows[0].pk, previous))
        if page.has_next and page.rows:
            following = page.start + len(page.rows)
            shape["next"] = self.page_url(Cursor("after", page.rows[-1].pk, following))
        shape["items"] = items
        return shape
