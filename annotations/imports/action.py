"""The write of an annotation import: `annotations_import`, one transaction for the file.

Everything is looked up and placed first; if any item fails (unknown article, quote not
found, malformed, unknown tag or organization), `ImportRefused` lists every failing item
and nothing is written. With `skip_unplaced`, items whose article or quote is not found are
left out and reported instead. Passages are written in bulk (10,000 items are a handful of
queries per 500), with one history record each, as `annotation_create` and
`annotation_update` write them, and one facet recount for all the articles touched.
"""

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from annotations import anchoring
from annotations.actions.tags import save_tag
from annotations.imports.formats import Item, Problem
from annotations.imports.locate import CHUNK, find_articles, find_organizations, find_tags
from annotations.imports.placing import Spot, place
from annotations.models import Annotation, Tag, TaggedAnnotation, attach_tag_lists
from articles.models import Article, Organization
from audit import services as audit
from cms.bulk import insert as insert_rows
from cms.bulk import insert_values
from publishing.hooks import corpus_write

#: Problems `skip_unplaced` turns into skips: the item has no place in any article here.
UNPLACED = frozenset({"unknown_article", "quote_not_found", "no_quote"})
BATCH = 500


class ImportRefused(ValidationError):
    """The import wrote nothing; `problems` lists every failing item."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__([ValidationError(str(p), code=p.code) for p in self.problems])


@dataclass(frozen=True, slots=True)
class FuzzyPlacement:
    """An item imported as FUZZY: the body did not read its quote exactly anywhere."""

    item: str
    article: str  # the article's slug
    start: int
    end: int
    quote: str  # as imported
    text: str  # what the body reads there
    score: float


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    fuzzy: list[FuzzyPlacement] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    tags_created: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Planned:
    item: Item
    article: Article
    spot: Spot
    tags: list[str]  # names as in the item, resolved later
    organization: Organization | None


def _problem(item: Item, code: str, message: str) -> Problem:
    return Problem(item.label, code, message)


#: Items planned and written together: memory stays flat whatever the file's size.
STREAM_BATCH = 2_000


@transaction.atomic(durable=True)
def annotations_import(
    *,
    items: Iterable[Item | Problem],
    annotator,
    actor=None,
    malformed: Sequence[Problem] = (),
    status: str = Annotation.Status.PUBLISHED,
    create_tags: bool = False,
    skip_unplaced: bool = False,
    via: str = audit.Via.IMPORT,
) -> ImportReport:
    """Import `items` as passages of `annotator` (new ones get `status`); `actor` is who
    runs the import (default: the annotator). `items` may be a stream (`formats.stream`):
    a `Problem` in it is an unreadable item, reported with the rest, as are `malformed`.
    Re-importing an item (same `source_id`) updates its passage.

    Items are planned and written `STREAM_BATCH` at a time inside the one transaction;
    after the first failing item nothing more is written but every item is still checked,
    and the refusal rolls back what was written, so a refused file writes nothing."""
    actor = actor or annotator
    if not (annotator and annotator.is_active and annotator.has_perm("annotations.add_annotation")):
        raise PermissionDenied("This user may not create passages.")
    if actor.pk != annotator.pk and not actor.has_perm("annotations.edit_any_annotation"):
        raise PermissionDenied("Only editors import passages for someone else.")
    if status not in Annotation.Status.values:
        raise ValidationError(
            "Unknown status %(status)s.", code="invalid_status", params={"status": status}
        )
    report = ImportReport()
    unreadable: list[Problem] = []
    failing: list[Problem] = []  # of the readable items, in the file's order
    skipped_unreadable: list[Problem] = []
    tags = _Tags({}, [])

    def unread(problem: Problem) -> None:
        if skip_unplaced and problem.code in UNPLACED:
            skipped_unreadable.append(problem)
        else:
            unreadable.append(problem)

    for problem in malformed:
        unread(problem)
    with corpus_write():
        for batch in _batches(items, unread):
            found: list[Problem] = []
            planned = _plan(batch, found)
            new_tags = _resolve_tags(planned, found, tags, create_tags=create_tags)
            position = {item.label: i for i, item in enumerate(batch)}
            found.sort(key=lambda p: position.get(p.item, -1))
            if skip_unplaced:
                report.skipped += [p for p in found if p.code in UNPLACED]
                found = [p for p in found if p.code not in UNPLACED]
            failing += found
            if unreadable or failing:
                continue  # refused in the end: only checking from here on
            for name in new_tags:
                save_tag(tag=tags.found[name], actor=actor, via=via)
                report.tags_created.append(name)
            failing += _write(
                planned, tags.found, annotator=annotator, actor=actor, status=status, via=via,
                report=report,
            )  # fmt: skip
    if unreadable or failing:
        raise ImportRefused([*unreadable, *failing])
    report.skipped = [*skipped_unreadable, *report.skipped]
    return report


def _batches(entries: Iterable[Item | Problem], unread) -> Iterator[list[Item]]:
    """`entries` in lists of `STREAM_BATCH` items; problems go to `unread` as they come."""
    batch: list[Item] = []
    for entry in entries:
        if isinstance(entry, Problem):
            unread(entry)
            continue
        batch.append(entry)
        if len(batch) >= STREAM_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _plan(items: Sequence[Item], problems: list[Problem]) -> list[_Planned]:
    """Article, place and organization of every item; the failures go to `problems`."""
    located = find_articles(source for item in items for source in item.sources)
    article_ids = sorted({located[s] for item in items for s in item.sources if s in located})
    # Locked, so no revision moves a body under the placements made from it.
    articles = {
        a.pk: a
        for chunk in (article_ids[i : i + CHUNK] for i in range(0, len(article_ids), CHUNK))
        for a in Article.objects.select_for_update().filter(pk__in=chunk).order_by("pk")
    }
    organizations = find_organizations(ref for item in items for ref in item.organizations)
    by_article: dict[int, list[Item]] = {}
    for item in items:
        pk = next((located[s] for s in item.sources if s in located), None)
        if pk is None:
            problems.append(
                _problem(item, "unknown_article", f"no article here is {', '.join(item.sources)}")
            )
            continue
        by_article.setdefault(pk, []).append(item)
    planned: list[_Planned] = []
    for pk, article_items in by_article.items():
        article = articles[pk]
        for item, spot in zip(article_items, place(article.body, article_items), strict=True):
            if spot.status is None:
                problems.append(
                    _problem(
                        item, "quote_not_found", f"the quote is not in the article {article.slug}"
                    )
                )
                continue
            orgs = {organizations.get(ref) for ref in item.organizations}
            if None in orgs:
                unknown = [ref[1] for ref in item.organizations if ref not in organizations]
                problems.append(
                    _problem(
                        item, "unknown_organization", f"unknown organization: {', '.join(unknown)}"
                    )
                )
                continue
            if len(orgs) > 1:
                problems.append(
                    _problem(item, "multiple_organizations", "names more than one organization")
                )
                continue
            planned.append(_Planned(item, article, spot, list(item.tags), next(iter(orgs), None)))
    return planned


@dataclass
class _Tags:
    found: dict[str, Tag]  # by the name as the file spells it
    created: list[str]
    by_fold: dict[str, Tag] = field(default_factory=dict)  # the tags made, by folded name
    taken: set[str] | None = None  # slugs in use, read when a first tag is made


def _resolve_tags(
    planned: list[_Planned], problems: list[Problem], tags: _Tags, *, create_tags: bool
) -> list[str]:
    """Find (or, with `create_tags`, make unsaved) the tags `planned` names, adding them to
    `tags` (kept from batch to batch); returns the names of the tags made for this batch."""
    longest = Tag._meta.get_field("name").max_length
    for p in planned:
        too_long = [name for name in p.tags if len(name) > longest]
        if too_long:
            problems.append(
                _problem(p.item, "malformed", f"a tag name is longer than {longest} characters")
            )
            p.tags = [name for name in p.tags if len(name) <= longest]
    found = tags.found
    names = [n for n in dict.fromkeys(name for p in planned for name in p.tags) if n not in found]
    found.update(find_tags(names))
    # A new tag takes the spelling it first has in the file.
    missing = [name for name in names if name not in found]
    created: list[str] = []
    if create_tags:
        if missing and tags.taken is None:
            tags.taken = set(Tag.objects.values_list("slug", flat=True))
        for name in missing:
            tag = tags.by_fold.get(name.casefold())
            if tag is None:
                tag = tags.by_fold[name.casefold()] = Tag(
                    name=name, slug=_free_slug(name, tags.taken)
                )
                created.append(name)
            found[name] = tag
        tags.created += created
    else:
        for p in planned:
            unknown = [name for name in p.tags if name not in found]
            if unknown:
                problems.append(
                    _problem(p.item, "unknown_tag", f"unknown tag: {', '.join(unknown)}")
                )
    return created


def _free_slug(name: str, taken: set[str]) -> str:
    base = Tag().slugify(name)[:90] or "tag"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


_FIELDS = [
    "article_id",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "anchor_status",
    "anchored_revision",
    "previous_exact",
    "note",
    "organization_id",
]


def _values(p: _Planned) -> dict:
    """The passage's columns as this item places and codes it (`_FIELDS`)."""
    body, spot = p.article.body, p.spot
    status = Annotation.AnchorStatus(str(spot.status))
    prefix, suffix = anchoring.context(body, spot.start, spot.end)
    return {
        "article_id": p.article.pk,
        "start": spot.start,
        "end": spot.end,
        "exact": body[spot.start : spot.end],
        "prefix": prefix,
        "suffix": suffix,
        "anchor_status": status,
        "anchored_revision": p.article.revision,
        # A fuzzy passage keeps the quote as imported, for its review (as re-anchoring does).
        "previous_exact": p.item.exact if status == Annotation.AnchorStatus.FUZZY else "",
        "note": p.item.note,
        "organization_id": p.organization.pk if p.organization else None,
    }


def _existing(source_ids: list[str]) -> dict[str, Annotation]:
    """The passages earlier imports made from these ids, locked, with `tag_list`."""
    found: dict[str, Annotation] = {}
    for i in range(0, len(source_ids), CHUNK):
        # The blank id excluded in so many words: the unique index on source_id is partial
        # (non-blank ids), and SQLite uses it only when the query says so; without it each
        # batch scanned the whole table (a 100,000-passage import: 200 growing scans).
        rows = list(
            Annotation.objects.select_for_update()
            .filter(source_id__in=source_ids[i : i + CHUNK])
            .exclude(source_id="")
        )
        attach_tag_lists(rows)
        found.update((row.source_id, row) for row in rows)
    return found


#: The IRI this site gives a passage (`/annotations/<id>`, publishing.w3c), on any host.
OWN_IRI = re.compile(r"^https?://[^/?#]+/annotations/(?P<pk>[0-9]{1,18})$")


def _own(planned, existing: dict[str, Annotation]) -> dict[str, Annotation]:
    """Items that are this archive's own passages, exported and read back: an id of the form
    `/annotations/<id>` naming a passage on the same article whose text is the item's place.
    Such an item updates that passage (keeping its annotator) instead of copying it. An id
    from another Gloss names some other passage here, on another article or other words,
    and is imported as new. Locked, with `tag_list`."""
    wanted = {}
    for p in planned:
        if p.item.source_id not in existing and (match := OWN_IRI.match(p.item.source_id)):
            wanted[p.item.source_id] = int(match["pk"])
    if not wanted:
        return {}
    pks = sorted(set(wanted.values()))
    rows: dict[int, Annotation] = {}
    for i in range(0, len(pks), CHUNK):
        chunk = list(Annotation.objects.select_for_update().filter(pk__in=pks[i : i + CHUNK]))
        attach_tag_lists(chunk)
        rows.update((row.pk, row) for row in chunk)
    mine: dict[str, Annotation] = {}
    for p in planned:
        own = rows.get(wanted.get(p.item.source_id, -1))
        if (
            own is not None
            and own.article_id == p.article.pk
            and own.exact == p.article.body[p.spot.start : p.spot.end]
        ):
            mine[p.item.source_id] = own
    return mine


def _write(planned, tags, *, annotator, actor, status, via, report: ImportReport) -> list[Problem]:
    """Write one batch; or nothing, returning the items that are someone else's passages."""
    existing = _existing(sorted(p.item.source_id for p in planned))
    existing |= _own(planned, existing)
    refused = [
        _problem(p.item, "not_yours", f"it is passage {passage.pk} here, by another annotator")
        for p in planned
        if (passage := existing.get(p.item.source_id)) is not None
        and passage.annotator_id != annotator.pk
        and not actor.has_perm("annotations.edit_any_annotation")
    ]
    if refused:
        return refused
    created: list[tuple[Annotation, list[Tag]]] = []
    changed: list[tuple[Annotation, list[Tag]]] = []
    befores: dict[int, dict] = {}
    touched: set[int] = set()
    now = timezone.now()
    for p in planned:
        wanted = list({tags[name].pk: tags[name] for name in p.tags}.values())
        if p.spot.status == anchoring.AnchorStatus.FUZZY:
            report.fuzzy.append(
                FuzzyPlacement(
                    p.item.label,
                    p.article.slug,
                    p.spot.start,
                    p.spot.end,
                    p.item.exact,
                    p.article.body[p.spot.start : p.spot.end],
                    p.spot.score,
                )
            )
        values = _values(p)
        passage = existing.get(p.item.source_id)
        if passage is None:
            passage = Annotation(
                annotator=annotator, status=status, source_id=p.item.source_id, **values
            )
            created.append((passage, wanted))
            touched.add(p.article.pk)
            continue
        same_tags = sorted(t.pk for t in passage.tag_list) == sorted(t.pk for t in wanted)
        if same_tags and all(getattr(passage, name) == value for name, value in values.items()):
            report.unchanged += 1
            continue
        passage.hold_tags(passage.tag_list)
        befores[passage.pk] = audit.snapshot(passage)
        touched |= {passage.article_id, p.article.pk}
        for name, value in values.items():
            setattr(passage, name, value)
        passage.modified = now  # bulk_update does not apply auto_now
        changed.append((passage, wanted))
    if not touched:
        return []
    with corpus_write(*touched):
        insert_rows([a for a, _ in created])
        if changed:
            Annotation.objects.bulk_update(
                [a for a, _ in changed], [*_FIELDS, "modified"], batch_size=BATCH
            )
            ids = [a.pk for a, _ in changed]
            for i in range(0, len(ids), CHUNK):
                TaggedAnnotation.objects.filter(content_object_id__in=ids[i : i + CHUNK]).delete()
        insert_values(
            TaggedAnnotation,
            ["content_object_id", "tag_id"],
            [(a.pk, tag.pk) for a, wanted in (*created, *changed) for tag in wanted],
        )
    report.created += len(created)
    report.updated += len(changed)
    for rows, action in ((created, audit.Action.CREATE), (changed, audit.Action.UPDATE)):
        for passage, wanted in rows:
            passage.hold_tags(wanted)
        passages = [a for a, _ in rows]
        audit.record_many(passages, action=action, actor=actor, via=via, befores=befores)
    return []
