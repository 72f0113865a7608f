"""`/passages/export.jsonld`: the whole filtered set as one AnnotationCollection, streamed.

The collection's embedded first (and only) page holds every passage. The JSON around the
items is written once; the items are fetched `GLOSS_EXPORT_CHUNK_SIZE` rows at a time
(one query, plus one for the tags of each chunk) and sent in pieces of about
FLUSH_CHARS characters, so memory holds one chunk whatever the number of passages.
"""

import json
import uuid
from collections.abc import Iterator

from django.conf import settings

from publishing.exports import FLUSH_CHARS
from publishing.w3c.paging import Container
from publishing.w3c.presenter import Presenter, w3c_rows, with_tags


def dumps(value) -> str:
    """Compact JSON, UTF-8 text as is (the response is UTF-8)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def collection_chunks(
    passages, container: Container, presenter: Presenter, page_id: str
) -> Iterator[bytes]:
    """`passages` (a QuerySet) as the JSON of `container` with one page, `page_id`."""
    marker = f"items-{uuid.uuid4().hex}"
    page = {
        "id": page_id,
        "type": "AnnotationPage",
        "partOf": container.part_of(),
        "startIndex": 0,
        "items": marker,
    }
    # Even an empty set has its (empty) page: the file always has the same shape.
    collection = {**container.collection(page), "first": page, "last": page_id}
    head, tail = dumps(collection).split(dumps(marker))
    chunk_size = settings.GLOSS_EXPORT_CHUNK_SIZE
    rows = w3c_rows(passages.order_by("pk")).iterator(chunk_size=chunk_size)
    parts, size, separator = [head, "["], len(head) + 1, ""
    for row, tags in with_tags(rows, chunk_size):
        item = separator + dumps(presenter.annotation(row, tags, context=False))
        separator = ","
        parts.append(item)
        size += len(item)
        if size >= FLUSH_CHARS:
            yield "".join(parts).encode("utf-8")
            parts, size = [], 0
    parts += ["]", tail]
    yield "".join(parts).encode("utf-8")
