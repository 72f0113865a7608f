"""The codebook: tags as QDA-XML codes, nested by `Tag.parent`, in a project or a `.qdc`.

`write_codes` writes the `<Codes>` element into an open `lxml.etree.xmlfile`, in either
namespace (a project's `CodeBook` and a codebook file share the structure).
"""

import io
from collections.abc import Iterable

from lxml import etree

from annotations.models import Tag
from annotations.tag_tree import depth_first
from publishing.refi.qda import CODEBOOK_NS, ORGANIZATIONS_CODE, ORIGIN, guid, qualify, xml_text


def tags_for_codebook() -> list[Tag]:
    return list(
        Tag.objects.order_by("pk").only("pk", "name", "colour", "description", "parent", "position")
    )


def _code(xf, q, tag: Tag, children: dict[int | None, list[Tag]]) -> None:
    attributes = {"guid": guid("tag", tag.pk), "name": xml_text(tag.name), "isCodable": "true"}
    if tag.colour:
        attributes["color"] = tag.colour
    with xf.element(q("Code"), attributes):
        if tag.description:
            with xf.element(q("Description")):
                xf.write(xml_text(tag.description))
        for child in children.get(tag.pk, []):
            _code(xf, q, child, children)


def write_codes(xf, namespace: str, tags: list[Tag], organizations: Iterable = ()) -> None:
    """`<Codes>`: every tag under its parent, then (projects) the organizations as codes
    under a non-codable "Organizations" code, so who a passage is attributed to survives
    in tools that know only codes. The caller makes sure there is at least one code."""
    q = qualify(namespace)
    known = {tag.pk for tag in tags}
    children: dict[int | None, list[Tag]] = {}
    for tag, _depth in depth_first(tags):  # by name within each level
        parent = tag.parent_id if tag.parent_id in known else None
        children.setdefault(parent, []).append(tag)
    with xf.element(q("Codes")):
        for tag in children.get(None, []):
            _code(xf, q, tag, children)
        if organizations is not None and namespace != CODEBOOK_NS:
            root = {
                "guid": guid("organizations"),
                "name": ORGANIZATIONS_CODE,
                "isCodable": "false",
            }
            with xf.element(q("Code"), root):
                with xf.element(q("Description")):
                    xf.write("Who each passage is attributed to (one code per organization).")
                for pk, name, kind in organizations:
                    attributes = {
                        "guid": guid("organization", pk),
                        "name": xml_text(name),
                        "isCodable": "true",
                    }
                    with xf.element(q("Code"), attributes):
                        with xf.element(q("Description")):
                            xf.write(xml_text(f"Organization ({kind})"))


def codebook_qdc(tags: list[Tag]) -> bytes:
    """A whole `.qdc` file (QDA-XML Codebook.xsd) for `tags`; needs at least one tag."""
    out = io.BytesIO()
    q = qualify(CODEBOOK_NS)
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(q("CodeBook"), {"origin": ORIGIN}, nsmap={None: CODEBOOK_NS}):
            write_codes(xf, CODEBOOK_NS, tags, organizations=None)
    return out.getvalue() + b"\n"
