"""One passage as a W3C Web Annotation: its fetch plan and its one serialisation.

The single annotation, the container's pages and the JSON-LD export all fetch with
`w3c_rows()` and serialise with `Presenter.annotation()`, so the three agree byte for byte.

What a passage becomes:

- `id`: `<site>/annotations/<pk>`, absolute and stable (the primary key never changes);
- `motivation`: `tagging` when it carries tags, else `commenting` when it has a note, else
  `identifying` when it is attributed, else `classifying` when it is adjudicated, else
  `highlighting`;
- `created`, `modified`: ISO 8601 in UTC (`Z`);
- `creator`: a `Person` named by the annotator's username, the name the public pages
  show; `generator`: Gloss;
- `body`: a `TextualBody` with purpose `tagging` per tag (by name, in code-point order as
  the CSV export lists them), one with purpose `commenting` for the note, and the
  organization as a `SpecificResource` with purpose `identifying` whose `source` is its
  page here; a `TextualBody` with purpose `describing` per tag field value
  (`"statistic.value: 60000"`, by key in code-point order); a coding round's consensus
  passage (`adjudicated`, as the CSV column and the `adjudicated` filter say) has a
  `TextualBody` with purpose `classifying` and value `adjudicated`, which the annotation
  importer leaves aside (it is no tag); no body at all for a bare highlight;
- `target`: `source` is the article's page here (its text is what the offsets index),
  `scope` the outlet's home page when known, `selector` a `TextQuoteSelector` (exact,
  prefix, suffix) and a `TextPositionSelector` (start, end: code points, as the CSV
  export). An orphaned passage no longer sits at its offsets in the current text: it
  keeps only its quote selector.
"""

from collections.abc import Iterable, Iterator
from datetime import UTC
from itertools import batched

from django.urls import reverse

from annotations.models import Annotation, TaggedAnnotation
from publishing.w3c.vocabulary import ANNO_CONTEXT

# The columns an annotation shows, read as plain rows (no model instances: the export
# serialises a million of them).
COLUMNS = (
    "pk",
    "created",
    "modified",
    "exact",
    "prefix",
    "suffix",
    "start",
    "end",
    "anchor_status",
    "note",
    "annotator__username",
    "article__slug",
    "article__outlet__homepage",
    "article__outlet__domain",
    "organization__slug",
    "adjudicated",
    "fields",
)
ORPHANED = Annotation.AnchorStatus.ORPHANED
# The body that marks a coding round's consensus passage (Web Annotation Data Model 3.3.5:
# a body's purpose is one of the motivations; `classifying` the target as adjudicated).
ADJUDICATED = {"type": "TextualBody", "purpose": "classifying", "value": "adjudicated"}


def w3c_rows(passages):
    """Fetch plan of the W3C views: `passages` as named rows of COLUMNS (one query).

    The same joins as the CSV export's plan (`AnnotationQuerySet.for_listing`: article,
    outlet, organization, annotator; never the article body), as values; the tags come
    per batch from `tag_names()`.
    """
    return passages.values_list(*COLUMNS, named=True)


def tag_names(ids: Iterable[int]) -> dict[int, list[str]]:
    """The tag names of each passage in `ids`, in code-point order (one query)."""
    names: dict[int, list[str]] = {pk: [] for pk in ids}
    if not names:
        return names
    rows = TaggedAnnotation.objects.filter(content_object_id__in=list(names)).values_list(
        "content_object_id", "tag__name"
    )
    for passage_id, name in rows:
        names[passage_id].append(name)
    for tags in names.values():
        tags.sort()
    return names


def with_tags(rows: Iterable, chunk_size: int) -> Iterator[tuple]:
    """(row, tag names) for each of `rows`, reading the tags once per `chunk_size` rows."""
    for chunk in batched(rows, chunk_size, strict=False):
        names = tag_names(row.pk for row in chunk)
        for row in chunk:
            yield row, names[row.pk]


def timestamp(value) -> str:
    """An aware datetime as ISO 8601 in UTC with `Z` (microseconds only when not zero)."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _split(name: str) -> tuple[str, str]:
    """The path of URL `name` before and after its slug."""
    marker = "--slug--"
    before, after = reverse(name, kwargs={"slug": marker}).split(marker)
    return before, after


class Presenter:
    """Serialises passages for one site root (`site`: absolute, without its final slash).

    URLs are built from prefixes reversed once, not once per row.
    """

    def __init__(self, site: str):
        self.site = site
        before, after = _split("article-detail")
        self.article = (site + before, after)
        before, after = _split("organization-detail")
        self.organization = (site + before, after)
        self.annotation_prefix = site + reverse("w3c-annotation", kwargs={"pk": 0})[:-1]
        self.generator = {"type": "Software", "name": "Gloss", "homepage": site + "/"}

    def iri(self, pk: int) -> str:
        return f"{self.annotation_prefix}{pk}"

    def annotation(self, row, tags: list[str], *, context: bool = True) -> dict:
        """`row` (from `w3c_rows`) with its tag names as an Annotation; `context=False`
        leaves out `@context` for annotations embedded in a page that carries it."""
        body = [{"type": "TextualBody", "purpose": "tagging", "value": name} for name in tags]
        if row.note:
            body.append({"type": "TextualBody", "purpose": "commenting", "value": row.note})
        if row.organization__slug:
            before, after = self.organization
            body.append(
                {
                    "type": "SpecificResource",
                    "purpose": "identifying",
                    "source": before + row.organization__slug + after,
                }
            )
        for key in sorted(row.fields or ()):
            body.append(
                {
                    "type": "TextualBody",
                    "purpose": "describing",
                    "value": f"{key}: {row.fields[key]}",
                }
            )
        if row.adjudicated:
            body.append(ADJUDICATED)
        before, after = self.article
        target = {"source": before + row.article__slug + after}
        scope = outlet_url(row.article__outlet__homepage, row.article__outlet__domain)
        if scope:
            target["scope"] = scope
        selector = [
            {
                "type": "TextQuoteSelector",
                "exact": row.exact,
                "prefix": row.prefix,
                "suffix": row.suffix,
            }
        ]
        if row.anchor_status != ORPHANED:
            selector.append({"type": "TextPositionSelector", "start": row.start, "end": row.end})
        target["selector"] = selector
        annotation = {"@context": ANNO_CONTEXT} if context else {}
        annotation.update(
            {
                "id": f"{self.annotation_prefix}{row.pk}",
                "type": "Annotation",
                "motivation": motivation(tags, row),
                "created": timestamp(row.created),
                "modified": timestamp(row.modified),
                "creator": {"type": "Person", "name": row.annotator__username},
                "generator": self.generator,
            }
        )
        if body:
            annotation["body"] = body
        annotation["target"] = target
        return annotation


def motivation(tags: list[str], row) -> str:
    if tags:
        return "tagging"
    if row.note:
        return "commenting"
    if row.organization__slug:
        return "identifying"
    if row.adjudicated:
        return "classifying"
    return "highlighting"


def outlet_url(homepage: str, domain: str) -> str:
    """The outlet's home page, or `https://<domain>/` when only its domain is known."""
    if homepage:
        return homepage
    return f"https://{domain}/" if domain else ""
