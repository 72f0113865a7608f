"""The codebook import: one action that creates or updates tags from a REFI-QDA codebook
(read by `annotations.codebook`). It does what `tag_save` does (the parent check, the
contrast check of a new or changed colour, the recorded save) once per tag, inside one
transaction and one write hook."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from annotations import tag_tree
from annotations.codebook import Code
from annotations.models import Tag
from audit import services as audit
from publishing.hooks import corpus_write


def _free_slug(tag: Tag, taken: set[str]) -> str:
    base = tag.slugify(tag.name) or "tag"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


@transaction.atomic(durable=True)
def tags_import_codebook(
    *, codes: Sequence[Code], actor=None, via: str = audit.Via.IMPORT
) -> dict[str, int]:
    """Create or update a tag per code, found by name (case-insensitive): name, colour,
    description (when the code has them) and parent as in the file. Codes come parents
    first (`annotations.codebook.read_codebook`). Tags the file does not name are left
    alone. Importing the same file again changes nothing. Returns how many tags were
    created, updated and left unchanged; a `ValidationError` writes nothing."""
    with corpus_write():
        return _import(codes, actor=actor, via=via)


def _import(codes: Sequence[Code], *, actor, via: str) -> dict[str, int]:
    tags = list(Tag.objects.select_for_update().order_by("pk"))
    by_name = {tag.name.lower(): tag for tag in tags}
    slugs = {tag.slug for tag in tags}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    placed: dict[str, Tag] = {}
    for code in codes:
        tag = by_name.get(code.name.lower())
        created = tag is None
        if created:
            tag = Tag(name=code.name)
            tag.slug = _free_slug(tag, slugs)
        before = (tag.name, tag.colour, tag.description, tag.parent_id)
        stored_colour = None if created else tag.colour
        parent = placed[code.parent.lower()] if code.parent else None
        tag.name = code.name
        tag.parent = parent
        if code.colour:
            tag.colour = code.colour
        if code.description is not None:
            tag.description = code.description
        placed[code.name.lower()] = tag
        if not created and before == (tag.name, tag.colour, tag.description, tag.parent_id):
            counts["unchanged"] += 1
            continue
        try:
            tag_tree.check_parent(tag, parent)
            if tag.colour != stored_colour:
                # As the codebook page and the admin refuse it (`tag_save`): a new or
                # changed colour must keep the tag's name readable (WCAG AA).
                tag_tree.check_colour(tag.colour)
            audit.save_recorded(tag, actor=actor, via=via)
        except ValidationError as error:
            raise ValidationError(
                "Code %(name)s: %(problem)s",
                code="invalid_code",
                params={"name": repr(code.name), "problem": " ".join(error.messages)},
            ) from None
        counts["created" if created else "updated"] += 1
    return counts
