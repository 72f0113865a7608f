"""Annotations as other tools write them, for the import tests."""

import json
from pathlib import Path

SITE = "https://gloss.example"


def w3c(
    ident: str,
    source: str,
    exact: str,
    *,
    prefix: str | None = None,
    suffix: str | None = None,
    start: int | None = None,
    end: int | None = None,
    tags=(),
    note: str = "",
    organization: str | None = None,
    **extra,
) -> dict:
    """A W3C Web Annotation with a quote (and position) selector, as the model writes it."""
    quote = {"type": "TextQuoteSelector", "exact": exact}
    if prefix is not None:
        quote["prefix"] = prefix
    if suffix is not None:
        quote["suffix"] = suffix
    selectors = [quote]
    if start is not None:
        selectors.append({"type": "TextPositionSelector", "start": start, "end": end})
    body = [{"type": "TextualBody", "purpose": "tagging", "value": tag} for tag in tags]
    if note:
        body.append({"type": "TextualBody", "purpose": "commenting", "value": note})
    if organization:
        body.append({"type": "SpecificResource", "purpose": "identifying", "source": organization})
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": ident,
        "type": "Annotation",
        "motivation": "highlighting",
        "body": body,
        "target": {"source": source, "selector": selectors},
        **extra,
    }


def hypothesis_row(ident: str, uri: str, exact: str, *, prefix="", suffix="", tags=(), text=""):
    """A row of Hypothesis's /api/search answer."""
    return {
        "id": ident,
        "created": "2026-11-30T10:00:00.000000+00:00",
        "updated": "2026-11-30T10:00:00.000000+00:00",
        "user": "acct:someone@hypothes.is",
        "uri": uri,
        "text": text,
        "tags": list(tags),
        "group": "__world__",
        "target": [
            {
                "source": uri,
                "selector": [
                    {
                        "type": "RangeSelector",
                        "startContainer": "/p[1]",
                        "startOffset": 0,
                        "endContainer": "/p[1]",
                        "endOffset": 3,
                    },
                    {
                        "type": "TextQuoteSelector",
                        "exact": exact,
                        "prefix": prefix,
                        "suffix": suffix,
                    },
                ],
            }
        ],
        "links": {
            "html": f"https://hypothes.is/a/{ident}",
            "incontext": f"https://hyp.is/{ident}/x",
        },
    }


def page(items, ident=f"{SITE}/annotations/?page=1") -> dict:
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": ident,
        "type": "AnnotationPage",
        "startIndex": 0,
        "items": items,
    }


def collection(items) -> dict:
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": f"{SITE}/annotations/",
        "type": ["BasicContainer", "AnnotationCollection"],
        "label": "Passages",
        "total": len(items),
        "first": page(items),
    }


def write(tmp_path: Path, document, name="annotations.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path
