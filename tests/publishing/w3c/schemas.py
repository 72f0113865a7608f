"""The W3C Web Annotation test suite's JSON Schema assertions, run offline.

The files are vendored in `tests/standards/w3c/` (web-platform-tests `annotation-model`,
W3C test suite licence / 3-clause BSD: see LICENSE.md there). Each assertion is a
draft-04 schema with an `expectedResult` (`valid` unless it says `invalid`); the
`*Musts.test` lists name the assertions every annotation, page and collection must
pass. The assertions `$ref` the `definitions/*.json` files by their ids
(`annotations.json#/definitions/...`), so those are registered under their ids.

`jsonschema` checks the `uri` and `date-time` formats only with optional packages this
project does not install, and without a check the suite would accept an id that is no
URI; the two checkers below are strict versions of RFC 3986 (absolute URI) and RFC 3339.
"""

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT4

ROOT = Path(__file__).resolve().parents[2] / "standards" / "w3c"
ANNOTATION_MUSTS = "annotations/annotationMusts.test"
PAGE_MUSTS = "collections/pages/pageMusts.test"
COLLECTION_MUSTS = "collections/collectionMusts.test"

_CHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})"
URI = re.compile(rf"[A-Za-z][A-Za-z0-9+.\-]*:{_CHAR}*(?:#{_CHAR}*)?")
DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")

FORMATS = FormatChecker(formats=())


@FORMATS.checks("uri")
def is_uri(value) -> bool:
    return not isinstance(value, str) or URI.fullmatch(value) is not None


@FORMATS.checks("date-time")
def is_date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    if not DATE_TIME.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))  # a real date and time
    except ValueError:
        return False
    return True


def load(relative: str):
    return json.loads((ROOT / relative).read_text(encoding="utf-8"))


@cache
def registry() -> Registry:
    resources = []
    for path in sorted((ROOT / "definitions").glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents["id"], DRAFT4.create_resource(contents)))
    return Registry().with_resources(resources)


@cache
def assertions(list_path: str) -> tuple[dict, ...]:
    """The assertion schemas a `.test` list names (the must lists are flat)."""
    names = load(list_path)["assertions"]
    assert all(isinstance(name, str) for name in names)
    return tuple(load(name) for name in names)


def failures(instance, list_path: str) -> list[str]:
    """The assertions of `list_path` that `instance` fails, by id and error message."""
    failed = []
    for schema in assertions(list_path):
        validator = Draft4Validator(schema, registry=registry(), format_checker=FORMATS)
        expected = schema.get("expectedResult", "valid") == "valid"
        if validator.is_valid(instance) != expected:
            failed.append(f"{schema['id']}: {schema.get('errorMessage', '')}")
    return failed


def assert_valid_annotation(annotation: dict) -> None:
    """`annotation`, standalone or embedded (then it takes its page's `@context`)."""
    standalone = {"@context": "http://www.w3.org/ns/anno.jsonld", **annotation}
    assert failures(standalone, ANNOTATION_MUSTS) == [], annotation


def assert_valid_page(page: dict) -> None:
    standalone = {"@context": "http://www.w3.org/ns/anno.jsonld", **page}
    assert failures(standalone, PAGE_MUSTS) == [], (failures(standalone, PAGE_MUSTS), page)
    for item in page["items"]:
        if isinstance(item, dict):
            assert_valid_annotation(item)
        else:
            assert is_uri(item), item


def assert_valid_collection(collection: dict) -> None:
    assert failures(collection, COLLECTION_MUSTS) == [], collection
    if isinstance(collection.get("first"), dict):
        assert_valid_page(collection["first"])
