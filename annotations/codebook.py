"""Reading a REFI-QDA codebook (`.qdc`, QDA-XML Codebook.xsd 1.0) into plain codes.

The file is parsed without fetching or expanding anything (no network, no entities),
checked against the schema (`annotations/schemas/Codebook.xsd`, MIT, REFI) with
xmlschema, then read into `Code`s, parents before their children. Any problem is a
`CodebookProblem` with a one-line message; nothing is written here (the write is
`annotations.actions.codebook.tags_import_codebook`).
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import xmlschema
from lxml import etree

NAMESPACE = "urn:QDA-XML:codebook:1.0"
SCHEMA = Path(__file__).resolve().parent / "schemas" / "Codebook.xsd"


class CodebookProblem(Exception):
    """A file that is not a codebook Gloss can read; the message is one line."""


@dataclass(frozen=True)
class Code:
    """One code of the file. `colour` is #rrggbb or None; `description` is None when the
    file has none (the tag's own is then kept); `parent` is the enclosing code's name."""

    name: str
    colour: str | None
    description: str | None
    parent: str | None
    codable: bool


@cache
def _schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA))


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _colour(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"#[0-9a-fA-F]{3}", value):  # #abc is #aabbcc
        value = "#" + "".join(2 * c for c in value[1:])
    return value.lower()


def parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise CodebookProblem(f"not well-formed XML: {_one_line(error)}") from None
    if root is None:
        raise CodebookProblem("not well-formed XML: no root element")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        # QDA-XML files have none; refusing it keeps entity tricks out entirely.
        raise CodebookProblem("not a QDA-XML codebook: it declares a DOCTYPE")
    error = next(_schema().iter_errors(root), None)
    if error is not None:
        where = f"line {error.sourceline}: " if getattr(error, "sourceline", None) else ""
        raise CodebookProblem(
            f"not a valid QDA-XML codebook: {where}{_one_line(error.reason or error.message)}"
        )
    return root


def read_codebook(data: bytes) -> list[Code]:
    """The codes of a `.qdc` file, each after its parent. Raises CodebookProblem."""
    root = parse(data)
    q = f"{{{NAMESPACE}}}"
    codes: list[Code] = []
    seen: dict[str, int] = {}

    def walk(element, parent: str | None) -> None:
        for node in element.iterchildren(q + "Code"):
            name = " ".join(node.get("name", "").split())
            if not name:
                raise CodebookProblem(f"line {node.sourceline}: a code without a name")
            if name.lower() in seen:
                raise CodebookProblem(
                    f"line {node.sourceline}: a second code named {name!r} (line "
                    f"{seen[name.lower()]}); Gloss's tags have one name each"
                )
            seen[name.lower()] = node.sourceline
            description = node.find(q + "Description")
            codes.append(
                Code(
                    name=name,
                    colour=_colour(node.get("color")),
                    description=None if description is None else (description.text or ""),
                    parent=parent,
                    codable=node.get("isCodable", "true").strip() in ("true", "1"),
                )
            )
            walk(node, name)

    walk(root.find(q + "Codes"), None)
    return codes
