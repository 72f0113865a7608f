"""Reading annotation files into neutral `Item`s: W3C Web Annotations and Hypothesis rows.

Pure Python, no database. Accepted shapes (W3C Web Annotation Data Model, 2017, and
Hypothesis's API search result):

- one W3C `Annotation`, or a JSON array of them;
- an `AnnotationCollection` whose `first` page is embedded (its `next` pages too, if any),
  or an `AnnotationPage` with embedded `items`;
- `{"rows": [...]}`: Hypothesis's `/api/search` answer (`id`, `uri`, `target[].selector`,
  `tags`, `text`).

What is read from a W3C annotation: `id`; the target's `source` (an IRI, or an object with
an `id`) and its selectors (`TextQuoteSelector` `exact`/`prefix`/`suffix`,
`TextPositionSelector` `start`/`end`, in code points: the model counts characters);
`TextualBody`s with purpose `tagging` (a tag each) and `commenting` (the note, as is a body
without a purpose and `bodyValue`); a body with purpose `identifying` names the
organization, by its page (`source` or `id`) or by name (`value`, `name` or `label`).
Other bodies and selectors are ignored. Each problem names the item by its id, or by its
place in the file when it has none.
"""

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import ijson
from ijson.common import ObjectBuilder

SOURCE_ID_MAX = 500  # Annotation.source_id's length


@dataclass(frozen=True, slots=True)
class Problem:
    """Why one item cannot be imported. `code` is stable (tests and skips test it)."""

    item: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.item}: {self.message}"


@dataclass(frozen=True, slots=True)
class Item:
    """One annotation to import, whatever format it came in."""

    label: str  # how reports name it: its id
    source_id: str
    sources: tuple[str, ...]  # addresses of the annotated document, most specific first
    exact: str
    prefix: str = ""
    suffix: str = ""
    start: int | None = None  # TextPositionSelector, code points
    end: int | None = None
    tags: tuple[str, ...] = ()
    note: str = ""
    organizations: tuple[tuple[str, str], ...] = field(default=())  # ("url" | "name", value)


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
        reader = _hypothesis_item if kind == "hypothesis" else _w3c_item
        try:
            item = reader(raw, index)
        except _Malformed as error:
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
                        kinds = _types(top.value) or None
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
    kinds = _types(document)
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


def _types(value) -> set[str]:
    kinds = value.get("type", value.get("@type")) if isinstance(value, dict) else None
    if isinstance(kinds, str):
        return {kinds}
    if isinstance(kinds, list):
        return {kind for kind in kinds if isinstance(kind, str)}
    return set()


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
    kinds = _types(document)
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


class _Malformed(Exception):
    def __init__(self, label: str, code: str, message: str):
        super().__init__(message)
        self.label, self.code, self.message = label, code, message


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _iri(value) -> str | None:
    """An IRI given as a string or as an object with an `id`."""
    if isinstance(value, dict):
        value = value.get("id", value.get("@id"))
    return value.strip() if isinstance(value, str) and value.strip() else None


def _label(raw, index: int) -> str:
    ident = raw.get("id") if isinstance(raw, dict) else None
    if isinstance(ident, str | int) and not isinstance(ident, bool) and str(ident).strip():
        return str(ident).strip()[:SOURCE_ID_MAX]
    return f"item {index}"


def _selectors(target: dict, label: str) -> dict:
    """The quote and position of a target's selectors (refinements and others ignored)."""
    found: dict = {}
    for selector in _as_list(target.get("selector")):
        kinds = _types(selector)
        if "TextQuoteSelector" in kinds and "exact" not in found:
            exact = selector.get("exact")
            if not isinstance(exact, str) or not exact:
                raise _Malformed(label, "malformed", "a TextQuoteSelector without an `exact` text")
            for key in ("prefix", "suffix"):
                value = selector.get(key, "")
                if not isinstance(value, str):
                    raise _Malformed(
                        label, "malformed", f"the TextQuoteSelector's {key} is not text"
                    )
                found[key] = value
            if not exact.strip():
                raise _Malformed(label, "malformed", "the quote is only whitespace")
            found["exact"] = exact
        elif "TextPositionSelector" in kinds and "start" not in found:
            start, end = selector.get("start"), selector.get("end")
            if not all(isinstance(n, int) and not isinstance(n, bool) for n in (start, end)):
                raise _Malformed(
                    label, "malformed", "a TextPositionSelector whose start and end are not numbers"
                )
            if not 0 <= start < end:
                raise _Malformed(
                    label,
                    "malformed",
                    f"a TextPositionSelector from {start} to {end} (need 0 <= start < end)",
                )
            found["start"], found["end"] = start, end
    if "exact" not in found:
        raise _Malformed(
            label, "no_quote", "the target has no TextQuoteSelector (the quote is needed)"
        )
    return found


def _one_target(raw: dict, label: str) -> dict:
    targets = [t for t in _as_list(raw.get("target")) if t is not None]
    if not targets:
        raise _Malformed(label, "malformed", "no target")
    if len(targets) > 1:
        raise _Malformed(label, "multiple_targets", "more than one target; Gloss passages have one")
    target = targets[0]
    if isinstance(target, str):
        raise _Malformed(
            label, "no_quote", "the target is a whole document; there is no quote to place"
        )
    if not isinstance(target, dict):
        raise _Malformed(label, "malformed", "the target is neither an IRI nor an object")
    return target


def _sources(*values) -> tuple[str, ...]:
    sources: list[str] = []
    for value in values:
        for entry in _as_list(value):
            iri = _iri(entry)
            if iri and iri not in sources:
                sources.append(iri)
    return tuple(sources)


def _purposes(body: dict) -> set[str]:
    return {p for p in _as_list(body.get("purpose")) if isinstance(p, str)}


def _w3c_item(raw, index: int) -> Item:
    label = _label(raw, index)
    if not isinstance(raw, dict) or "Annotation" not in _types(raw):
        raise _Malformed(label, "malformed", "not a W3C Annotation (type Annotation)")
    source_id = _iri(raw.get("id"))
    if source_id is None:
        raise _Malformed(label, "malformed", "the annotation has no id")
    if len(source_id) > SOURCE_ID_MAX:
        raise _Malformed(label, "malformed", f"the id is longer than {SOURCE_ID_MAX} characters")
    target = _one_target(raw, label)
    selected = _selectors(target, label)
    sources = _sources(target.get("source"))
    if not sources:
        raise _Malformed(label, "malformed", "the target has no source")
    motivations = {m for m in _as_list(raw.get("motivation")) if isinstance(m, str)}
    tags: list[str] = []
    notes: list[str] = []
    organizations: list[tuple[str, str]] = []
    if isinstance(raw.get("bodyValue"), str) and raw["bodyValue"].strip():
        notes.append(raw["bodyValue"])
    for body in _as_list(raw.get("body")):
        if not isinstance(body, dict):
            continue  # a body given only as an IRI says nothing Gloss keeps
        purposes = _purposes(body)
        value = body.get("value")
        if "identifying" in purposes:
            organizations.append(_organization(body, label))
        elif "tagging" in purposes or (not purposes and motivations == {"tagging"}):
            if not isinstance(value, str) or not value.strip():
                raise _Malformed(label, "malformed", "a tagging body without a tag name")
            tags.append(value.strip())
        elif "commenting" in purposes or (not purposes and "TextualBody" in _types(body)):
            if not isinstance(value, str):
                raise _Malformed(label, "malformed", "a commenting body whose value is not text")
            if value.strip():
                notes.append(value)
    return Item(
        label=label,
        source_id=source_id,
        sources=sources,
        tags=tuple(dict.fromkeys(tags)),
        note="\n\n".join(notes),
        organizations=tuple(dict.fromkeys(organizations)),
        **selected,
    )


def _organization(body: dict, label: str) -> tuple[str, str]:
    iri = _iri(body.get("source")) or _iri(body.get("id"))
    if iri:
        return ("url", iri)
    for key in ("value", "name", "label"):
        name = body.get(key)
        if isinstance(name, str) and name.strip():
            return ("name", name.strip())
    raise _Malformed(
        label, "malformed", "an identifying body names no organization (no source, no name)"
    )


def _hypothesis_item(raw, index: int) -> Item:
    label = _label(raw, index)
    if not isinstance(raw, dict):
        raise _Malformed(label, "malformed", "a row that is not an object")
    ident = raw.get("id")
    if not isinstance(ident, str) or not ident.strip():
        raise _Malformed(label, "malformed", "the row has no id")
    links = raw.get("links") if isinstance(raw.get("links"), dict) else {}
    # The annotation's own page is its IRI; without one, a URN from the id.
    source_id = _iri(links.get("html")) or f"urn:x-hypothesis:{ident.strip()}"
    if len(source_id) > SOURCE_ID_MAX:
        raise _Malformed(label, "malformed", f"the id is longer than {SOURCE_ID_MAX} characters")
    target = _one_target(raw, label)
    selected = _selectors(target, label)
    sources = _sources(target.get("source"), raw.get("uri"))
    if not sources:
        raise _Malformed(label, "malformed", "the row has no uri and its target no source")
    tags = raw.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise _Malformed(label, "malformed", "`tags` is not a list of names")
    text = raw.get("text") or ""
    if not isinstance(text, str):
        raise _Malformed(label, "malformed", "`text` is not text")
    return Item(
        label=label,
        source_id=source_id,
        sources=sources,
        tags=tuple(dict.fromkeys(t.strip() for t in tags if t.strip())),
        note=text if text.strip() else "",
        **selected,
    )
