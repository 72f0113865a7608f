"""The streamed reader (`formats.stream`, ijson) reads every shape as the whole-file one."""

import io
import json

import pytest

from annotations.imports.formats import FileProblem, Problem, parse, parse_bytes, stream
from tests.annotations.imports.helpers import hypothesis_row, w3c

SOURCE = "https://news.example/story"
GOOD = [
    w3c("https://a.example/1", SOURCE, "sixty\u00a0thousand 🎉 people", tags=["statistic"]),
    w3c("https://a.example/2", SOURCE, "the court", start=4, end=13, note="A note"),
]
MALFORMED = {"id": "https://a.example/3", "type": "Annotation", "target": SOURCE}
DUPLICATE = w3c("https://a.example/1", SOURCE, "again")


def collection(first, **extra):
    return {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "AnnotationCollection",
            "id": "https://a.example/c/", "first": first, **extra}  # fmt: skip


def page(items, **extra):
    return {"type": "AnnotationPage", "items": items, **extra}


DOCUMENTS = {
    "array": [*GOOD, MALFORMED, DUPLICATE, "not an object"],
    "single annotation": GOOD[0],
    "collection": collection(page(GOOD[:1], next=page([MALFORMED, GOOD[1]]))),
    "collection, type last": {"first": page(GOOD), "type": "AnnotationCollection"},
    "page": page([*GOOD, DUPLICATE]),
    "page, type last": {"items": GOOD, "id": "p", "type": ["AnnotationPage"]},
    "hypothesis": {"total": 1, "rows": [hypothesis_row("h1", SOURCE, "the court")]},
}
REFUSED = {
    "collection by IRI": collection("https://a.example/c/?page=0"),
    "page continues elsewhere": collection(page(GOOD, next="https://a.example/c/?page=1")),
    "page without items": page(None),
    "empty collection": collection(None, total=0),
    "unknown shape": {"type": "Something"},
    "empty array": [],
    "a number": 3,
}


def streamed(data: bytes) -> tuple[list, list]:
    entries = list(stream(io.BytesIO(data)))
    return (
        [e for e in entries if not isinstance(e, Problem)],
        [e for e in entries if isinstance(e, Problem)],
    )


@pytest.mark.parametrize("name", DOCUMENTS)
def test_each_shape_streams_to_the_same_items_and_problems(name):
    document = DOCUMENTS[name]
    expected = parse(document)
    assert expected[0], name
    assert streamed(json.dumps(document).encode()) == expected


@pytest.mark.parametrize("name", REFUSED)
def test_each_refused_shape_is_refused_with_the_same_message(name):
    document = DOCUMENTS.get(name, REFUSED[name])
    with pytest.raises(FileProblem) as whole:
        parse_bytes(json.dumps(document).encode())
    with pytest.raises(FileProblem) as streaming:
        streamed(json.dumps(document).encode())
    assert str(streaming.value) == str(whole.value)


def test_a_byte_order_mark_is_allowed():
    data = "\ufeff".encode() + json.dumps(GOOD).encode()
    assert streamed(data) == parse(GOOD)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is not JSON"),
        (b'[{"id": "x", ', "the file is not JSON"),
        (b"{not json}", "the file is not JSON"),
        (b'[{"id": "\xff\xfe"}]', "the file is not UTF-8 text"),
    ],
)
def test_an_unreadable_file_is_a_file_problem(data, message):
    with pytest.raises(FileProblem, match=message):
        streamed(data)


def test_items_stream_before_the_file_ends():
    """The first item is read before the end of a file is reached (nothing is held whole)."""
    head = json.dumps(GOOD)[:-1].encode() + b", {broken"
    entries = stream(io.BytesIO(head))
    assert next(entries).source_id == "https://a.example/1"
    with pytest.raises(FileProblem):
        list(entries)
