"""What the QDA-XML writers share: namespaces, stable GUIDs, XML-safe text, dates.

GUIDs are uuid5 of the row's kind and id under one fixed namespace, so the same rows
get the same GUIDs in every export (a re-export replaces, not duplicates, in the tool
that reads it) and a codebook's codes match the project's.
"""

import re
import uuid
from datetime import UTC, datetime

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = "Gloss"
GLOSS_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:gloss:refi-qda")
ORGANIZATIONS_CODE = "Organizations"

# Characters XML 1.0 cannot carry at all (C0 controls but tab, LF, CR; surrogates;
# U+FFFE/U+FFFF). Scraped titles and notes may hold them; they become U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def guid(kind: str, *ids) -> str:
    """The GUID of a row: `guid("tag", 3)`, `guid("coding", passage_id, tag_id)`."""
    return str(uuid.uuid5(GLOSS_NAMESPACE, ":".join([kind, *map(str, ids)])))


def xml_text(value) -> str:
    return _NOT_XML.sub("\ufffd", str(value))


def xsd_datetime(value: datetime) -> str:
    """An aware datetime as xsd:dateTime in UTC (`2026-01-31T09:30:00.123456Z`)."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def qualify(namespace: str):
    return lambda name: f"{{{namespace}}}{name}"
