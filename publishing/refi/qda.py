"""What the QDA-XML writers share: namespaces, stable GUIDs, XML-safe text, dates.

GUIDs are uuid5 of the row's kind and id under one fixed namespace, so the same rows
get the same GUIDs in every export (a re-export replaces, not duplicates, in the tool
that reads it) and a codebook's codes match the project's.
"""

import hashlib
import re
import uuid
from datetime import UTC, datetime
from functools import cache

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = "Gloss"
GLOSS_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:gloss:refi-qda")
ORGANIZATIONS_CODE = "Organizations"

# Characters XML 1.0 cannot carry at all (C0 controls but tab, LF, CR; surrogates;
# U+FFFE/U+FFFF). Scraped titles and notes may hold them; they become U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


_NAMESPACE_BYTES = GLOSS_NAMESPACE.bytes


def guid(kind: str, *ids) -> str:
    """The GUID of a row: `guid("tag", 3)`, `guid("coding", passage_id, tag_id)`.

    `uuid.uuid5(GLOSS_NAMESPACE, "kind:id:...")`, computed without building UUID
    objects (an archive export makes several per passage)."""
    name = ":".join([kind, *map(str, ids)]).encode("utf-8")
    raw = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name, usedforsecurity=False).digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x50  # version 5
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@cache
def row_guid(kind: str, pk: int) -> str:
    """`guid(kind, pk)` remembered: for the rows many passages point at (users, tags,
    organizations), of which there are few."""
    return guid(kind, pk)


def xml_text(value) -> str:
    return _NOT_XML.sub("\ufffd", str(value))


def xsd_datetime(value: datetime) -> str:
    """An aware datetime as xsd:dateTime in UTC (`2026-01-31T09:30:00.123456Z`)."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def qualify(namespace: str):
    return lambda name: f"{{{namespace}}}{name}"
