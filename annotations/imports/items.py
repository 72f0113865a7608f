"""One annotation read into an `Item`, or the `Problem` that keeps it out.

What is read from a W3C annotation: `id`; the target's `source` (an IRI, or an object with
an `id`) and its selectors (`TextQuoteSelector` `exact`/`prefix`/`suffix`,
`TextPositionSelector` `start`/`end`, in code points: the model counts characters);
`TextualBody`s with purpose `tagging` (a tag each) and `commenting` (the note, as is a body
without a purpose and `bodyValue`); a body with purpose `identifying` names the
organization, by its page (`source` or `id`) or by name (`value`, `name` or `label`).
Other bodies and selectors are ignored. From a Hypothesis row: `id` (its `links.html` page
as the source id), `uri`, the target's selectors, `tags` and `text`. Each problem names the
item by its id, or by its place in the file when it has none.
"""

from dataclasses import dataclass, field

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


def types(value) -> set[str]:
    kinds = value.get("type", value.get("@type")) if isinstance(value, dict) else None
    if isinstance(kinds, str):
        return {kinds}
    if isinstance(kinds, list):
        return {kind for kind in kinds if isinstance(kind, str)}
    return set()


class Malformed(Exception):
    """An item that cannot be read: becomes its `Problem`."""

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
        kinds = types(selector)
        if "TextQuoteSelector" in kinds and "exact" not in found:
            exact = selector.get("exact")
            if not isinstance(exact, str) or not exact:
                raise Malformed(label, "malformed", "a TextQuoteSelector without an `exact` text")
            for key in ("prefix", "suffix"):
                value = selector.get(key, "")
                if not isinstance(value, str):
                    raise Malformed(
                        label, "malformed", f"the TextQuoteSelector's {key} is not text"
                    )
                found[key] = value
            if not exact.strip():
                raise Malformed(label, "malformed", "the quote is only whitespace")
            found["exact"] = exact
        elif "TextPositionSelector" in kinds and "start" not in found:
            start, end = selector.get("start"), selector.get("end")
            if not all(isinstance(n, int) and not isinstance(n, bool) for n in (start, end)):
                raise Malformed(
                    label, "malformed", "a TextPositionSelector whose start and end are not numbers"
                )
            if not 0 <= start < end:
                raise Malformed(
                    label,
                    "malformed",
                    f"a TextPositionSelector from {start} to {end} (need 0 <= start < end)",
                )
            found["start"], found["end"] = start, end
    if "exact" not in found:
        raise Malformed(
            label, "no_quote", "the target has no TextQuoteSelector (the quote is needed)"
        )
    return found


def _one_target(raw: dict, label: str) -> dict:
    targets = [t for t in _as_list(raw.get("target")) if t is not None]
    if not targets:
        raise Malformed(label, "malformed", "no target")
    if len(targets) > 1:
        raise Malformed(label, "multiple_targets", "more than one target; Gloss passages have one")
    target = targets[0]
    if isinstance(target, str):
        raise Malformed(
            label, "no_quote", "the target is a whole document; there is no quote to place"
        )
    if not isinstance(target, dict):
        raise Malformed(label, "malformed", "the target is neither an IRI nor an object")
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


def w3c_item(raw, index: int) -> Item:
    label = _label(raw, index)
    if not isinstance(raw, dict) or "Annotation" not in types(raw):
        raise Malformed(label, "malformed", "not a W3C Annotation (type Annotation)")
    source_id = _iri(raw.get("id"))
    if source_id is None:
        raise Malformed(label, "malformed", "the annotation has no id")
    if len(source_id) > SOURCE_ID_MAX:
        raise Malformed(label, "malformed", f"the id is longer than {SOURCE_ID_MAX} characters")
    target = _one_target(raw, label)
    selected = _selectors(target, label)
    sources = _sources(target.get("source"))
    if not sources:
        raise Malformed(label, "malformed", "the target has no source")
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
                raise Malformed(label, "malformed", "a tagging body without a tag name")
            tags.append(value.strip())
        elif "commenting" in purposes or (not purposes and "TextualBody" in types(body)):
            if not isinstance(value, str):
                raise Malformed(label, "malformed", "a commenting body whose value is not text")
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
    raise Malformed(
        label, "malformed", "an identifying body names no organization (no source, no name)"
    )


def hypothesis_item(raw, index: int) -> Item:
    label = _label(raw, index)
    if not isinstance(raw, dict):
        raise Malformed(label, "malformed", "a row that is not an object")
    ident = raw.get("id")
    if not isinstance(ident, str) or not ident.strip():
        raise Malformed(label, "malformed", "the row has no id")
    links = raw.get("links") if isinstance(raw.get("links"), dict) else {}
    # The annotation's own page is its IRI; without one, a URN from the id.
    source_id = _iri(links.get("html")) or f"urn:x-hypothesis:{ident.strip()}"
    if len(source_id) > SOURCE_ID_MAX:
        raise Malformed(label, "malformed", f"the id is longer than {SOURCE_ID_MAX} characters")
    target = _one_target(raw, label)
    selected = _selectors(target, label)
    sources = _sources(target.get("source"), raw.get("uri"))
    if not sources:
        raise Malformed(label, "malformed", "the row has no uri and its target no source")
    tags = raw.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise Malformed(label, "malformed", "`tags` is not a list of names")
    text = raw.get("text") or ""
    if not isinstance(text, str):
        raise Malformed(label, "malformed", "`text` is not text")
    return Item(
        label=label,
        source_id=source_id,
        sources=sources,
        tags=tuple(dict.fromkeys(t.strip() for t in tags if t.strip())),
        note=text if text.strip() else "",
        **selected,
    )
