"""Reading annotation files into neutral `Item`s: W3C Web Annotations and Hypothesis rows.

Pure Python, no database. Accepted shapes (W3C Web Annotation Data Model, 2017, and
Hypothesis's API search result):

- one W3C `Annotation`, or a JSON array of them;
- an `AnnotationCollection` whose `first` page is embedded (its `next` pages too, if any),
  or an `AnnotationPage` with embedded `items`;
- `{"rows": [...]}`: Hypothesis's `/api/search` answer (`id`, `uri`, `target[].selector`,
  `tags`, `text`).

This module finds the annotations in a file (whole or streamed); `items` reads each one.
"""

import codecs
import json
import re
from collections.abc import Iterator
from typing import BinaryIO

import ijson
from ijson.common import ObjectBuilder

from annotations.imports.items import Item, Malformed, Problem, hypothesis_item, types, w3c_item

__all__ = ["FileProblem", "Item", "Problem", "parse", "parse_bytes", "stream"]


class FileProblem(ValueError):
    """The file as a whole cannot be read (not JSON, not a known shape)."""


def parse_bytes(data: bytes) -> tuple[list[Item], list[Problem]]:
    """Items of a UTF-8 JSON file (a byte-order mark is allowed), and the items' problems."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileProblem("the file is not UTF-8 text") from None
    try:
        document = json.loads(text)
    except ValueError as error:
        raise FileProblem(f"the file is not JSON ({error})") from None
    return parse(document)


def parse(document) -> tuple[list[Item], list[Problem]]:
    """Items of a decoded JSON document, and the problems of those that are malformed."""
    items: list[Item] = []
    problems: list[Problem] = []
    for entry in _read(_entries(document)):
        (problems if isinstance(entry, Problem) else items).append(entry)
    return items, problems


def stream(file: BinaryIO) -> Iterator[Item | Problem]:
    """The items of a UTF-8 JSON file (a byte-order mark is allowed), read as they come
    (ijson: the file is never held whole), each an `Item` or the `Problem` of a malformed
    one, in the file's order. The same shapes and results as `parse_bytes`; a file that
    cannot be read raises `FileProblem` when the reading gets there."""
    if file.read(3) != b"\xef\xbb\xbf":
        file.seek(0)
    return _read(_stream_entries(_CheckedUtf8(file)))


class _CheckedUtf8:
    """A binary file whose bytes are checked as UTF-8 as they are read (as `parse_bytes`
    decodes the whole file first): bad bytes raise `FileProblem`, whatever the JSON."""

    def __init__(self, file: BinaryIO):
        self.file = file
        self.decoder = codecs.getincrementaldecoder("utf-8")()

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        try:
            self.decoder.decode(data, final=not data)
        except UnicodeDecodeError:
            raise FileProblem("the file is not UTF-8 text") from None
        return data


def _read(entries) -> Iterator[Item | Problem]:
    seen: set[str] = set()
    empty = True
    for index, (kind, raw) in enumerate(entries, start=1):
        empty = False
        reader = hypothesis_item if kind == "hypothesis" else w3c_item
        try:
            item = reader(raw, index)
        except Malformed as error:
            yield Problem(error.label, error.code, error.message)
            continue
        if item.source_id in seen:
            yield Problem(item.label, "duplicate_id", "the file holds two annotations with this id")
            continue
        seen.add(item.source_id)
        yield item
    if empty:
        raise FileProblem("the file holds no annotations")


#: Where a streamed document's annotations are: a top-level array's entries, Hypothesis's
#: `rows`, an AnnotationPage's `items`, an AnnotationCollection's embedded pages' `items`.
_ITEM_PREFIX = re.compile(r"(?:item|rows\.item|items\.item|first(?:\.next)*\.items\.item)")


def _stream_entries(file: BinaryIO):
    """`_entries` for a file read by ijson: each annotation is built alone; the rest of the
    document (its type, `total`, a page given only by its IRI) is built beside them, small.
    Page items met before the document's `type` are held until it comes."""
    events = ijson.parse(file, use_float=True)
    top = ObjectBuilder()
    held: list[tuple[str, dict]] = []  # page items, until the type says what they are
    kinds: set[str] | None = None
    is_list = None
    try:
        for prefix, event, value in events:
            if is_list is None:
                is_list = event == "start_array"
                if not is_list and event != "start_map":
                    raise FileProblem("expected a JSON object or array of annotations")
            if (
                event in _STARTS
                and (prefix == "item") == is_list
                and _ITEM_PREFIX.fullmatch(prefix)
            ):
                raw = _build(events, event, value)
                if is_list:
                    yield "w3c", raw
                elif prefix == "rows.item":
                    yield "hypothesis", raw
                else:
                    if kinds is None and isinstance(top.value, dict):
                        kinds = types(top.value) or None
                    if kinds is None:
                        held.append((prefix, raw))
                    else:
                        yield from _page_items(kinds, [(prefix, raw)])
                continue
            top.event(event, value)
    except ijson.JSONError as error:
        raise FileProblem(f"the file is not JSON ({_reason(error)})") from None
    except UnicodeDecodeError:
        raise FileProblem("the file is not UTF-8 text") from None
    document = top.value
    if is_list or (isinstance(document, dict) and isinstance(document.get("rows"), list)):
        return
    if not isinstance(document, dict):
        raise FileProblem("expected a JSON object or array of annotations")
    kinds = types(document)
    if held:
        yield from _page_items(kinds, held)
        return
    # The document's own checks (a page given by its IRI, a page without `items`, a single
    # Annotation, an unknown shape); the items it still holds are none that streamed.
    yield from _entries(document)


_STARTS = frozenset({"start_map", "start_array", "string", "number", "boolean", "null"})


def _build(events, event: str, value):
    """The value that starts with (`event`, `value`), built from `events`."""
    builder = ObjectBuilder()
    builder.event(event, value)
    depth = 1 if event in {"start_map", "start_array"} else 0
    while depth:
        _, event, value = next(events)
        if event in {"start_map", "start_array"}:
            depth += 1
        elif event in {"end_map", "end_array"}:
            depth -= 1
        builder.event(event, value)
    return builder.value


def _page_items(kinds: set[str], found: list[tuple[str, dict]]):
    """Page items streamed out of a document of `kinds`, as `_entries` would take them."""
    for prefix, raw in found:
        collection = "AnnotationCollection" in kinds
        if prefix == "items.item" and "AnnotationPage" in kinds and not collection:
            yield "w3c", raw
        elif prefix.startswith("first.") and "AnnotationCollection" in kinds:
            yield "w3c", raw


def _reason(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__


def _entries(document):
    """(format, raw item) for every annotation the document holds."""
    if isinstance(document, list):
        for raw in document:
            yield "w3c", raw
        return
    if not isinstance(document, dict):
        raise FileProblem("expected a JSON object or array of annotations")
    if isinstance(document.get("rows"), list):
        for raw in document["rows"]:
            yield "hypothesis", raw
        return
    kinds = types(document)
    if "AnnotationCollection" in kinds:
        page = document.get("first")
        if page is None and document.get("total") == 0:
            return
        if not isinstance(page, dict):
            raise FileProblem(
                "the AnnotationCollection's first page is not embedded: "
                "save each AnnotationPage and import them"
            )
        yield from _pages(page)
        return
    if "AnnotationPage" in kinds:
        yield from _pages(document)
        return
    if "Annotation" in kinds:
        yield "w3c", document
        return
    raise FileProblem(
        "not an Annotation, an array of them, an AnnotationCollection, an AnnotationPage "
        'or a Hypothesis search result ({"rows": [...]})'
    )


def _pages(page: dict):
    while True:
        items = page.get("items")
        if not isinstance(items, list):
            raise FileProblem("an AnnotationPage without an `items` list")
        for raw in items:
            yield "w3c", raw
        following = page.get("next")
        if following is None:
            return
        if not isinstance(following, dict):
            raise FileProblem(
                f"the page continues at {following!s:.200}, which is not in the file: "
                "save every page and import each"
            )
        page = following
