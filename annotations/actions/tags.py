"""Tags: the codebook's writes (create, change, reorder, nest, merge, delete), which the
codebook page (`/workspace/codebook/`), the admin and the imports share.

Every save checks the nesting (`tag_tree.check_parent`), the example passage and, when
the colour is new or changed, that the tag's name stays readable on it
(`tag_tree.check_colour`, WCAG AA). Refusals are `ValidationError`s with a code; nothing
is written then.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, prefetch_related_objects

from annotations import tag_fields, tag_tree
from annotations.actions.fields import drop_field_keys, move_field_keys
from annotations.models import Annotation, Tag, TagField, TaggedAnnotation
from audit import services as audit
from cms.sentinels import UNSET
from publishing.hooks import corpus_write


def _check(tag: Tag) -> None:
    tag_tree.check_parent(tag, tag.parent)
    stored = Tag.objects.filter(pk=tag.pk).values_list("colour", flat=True).first()
    if stored is None or stored != tag.colour:
        tag_tree.check_colour(tag.colour)
    if (
        tag.example_passage_id is not None
        and tag.pk is not None
        and not TaggedAnnotation.objects.filter(
            tag=tag, content_object_id=tag.example_passage_id
        ).exists()
    ):
        raise ValidationError(
            {
                "example_passage": ValidationError(
                    "The example must be a passage carrying this tag.",
                    code="example_not_tagged",
                )
            }
        )


def _free_slug(name: str) -> str:
    base = Tag().slugify(name) or "tag"
    slug, n = base, 1
    while Tag.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _last_position(parent_id: int | None, *, excluding: int | None = None) -> int:
    siblings = Tag.objects.filter(parent_id=parent_id)
    if excluding is not None:
        siblings = siblings.exclude(pk=excluding)
    last = siblings.aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


@transaction.atomic(durable=True)
def tag_create(
    *,
    name: str,
    colour: str = "#ffd54f",
    description: str = "",
    parent: Tag | None = None,
    actor=None,
    via: str = audit.Via.OTHER,
) -> Tag:
    """A new tag, last among its siblings; its slug made from its name (free of others)."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": ValidationError("A tag needs a name.", code="required")})
    if Tag.objects.filter(name__iexact=name).exists():
        raise ValidationError(
            {"name": ValidationError("A tag of that name exists.", code="tag_name_taken")}
        )
    tag = Tag(
        name=name,
        slug=_free_slug(name),
        colour=colour,
        description=description,
        parent=parent,
        position=_last_position(parent.pk if parent else None),
    )
    return save_tag(tag=tag, actor=actor, via=via)


@transaction.atomic(durable=True)
def tag_update(
    *,
    tag: Tag,
    name=UNSET,
    colour=UNSET,
    description=UNSET,
    parent=UNSET,
    example_passage=UNSET,
    actor=None,
    via: str = audit.Via.OTHER,
) -> Tag:
    """Rename, recolour, describe, nest (a new `parent`, or None for the top) or give an
    example passage (None for none): only the fields given change. A tag moved under
    another parent goes last among its new siblings."""
    tag = Tag.objects.select_for_update().get(pk=tag.pk)
    if name is not UNSET:
        name = " ".join(name.split())
        if not name:
            raise ValidationError({"name": ValidationError("A tag needs a name.", code="required")})
        if Tag.objects.filter(name__iexact=name).exclude(pk=tag.pk).exists():
            raise ValidationError(
                {"name": ValidationError("A tag of that name exists.", code="tag_name_taken")}
            )
        tag.name = name
    if colour is not UNSET:
        tag.colour = colour
    if description is not UNSET:
        tag.description = description
    if example_passage is not UNSET:
        tag.example_passage = example_passage
    if parent is not UNSET and (parent.pk if parent else None) != tag.parent_id:
        tag.parent = parent
        tag.position = _last_position(parent.pk if parent else None, excluding=tag.pk)
    return save_tag(tag=tag, actor=actor, via=via)


@transaction.atomic(durable=True)
def tag_reorder(*, tag: Tag, direction: str, actor=None, via: str = audit.Via.OTHER) -> Tag:
    """Move a tag one place `up` or `down` among the tags under the same parent (the
    siblings are numbered 0, 1, 2... in their current order, then two swap places; each
    tag whose position changed gets a history record)."""
    if direction not in ("up", "down"):
        raise ValidationError("Move a tag up or down.", code="invalid_direction")
    with corpus_write():
        tag = Tag.objects.select_for_update().get(pk=tag.pk)
        siblings = list(
            Tag.objects.select_for_update()
            .filter(parent_id=tag.parent_id)
            .order_by("position", "name", "pk")
        )
        befores = {sibling.pk: audit.snapshot(sibling) for sibling in siblings}
        index = next(i for i, sibling in enumerate(siblings) if sibling.pk == tag.pk)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(siblings):
            siblings[index], siblings[other] = siblings[other], siblings[index]
        changed = []
        for position, sibling in enumerate(siblings):
            if sibling.position != position:
                sibling.position = position
                changed.append(sibling)
        Tag.objects.bulk_update(changed, ["position"])
        audit.record_many(
            changed, action=audit.Action.UPDATE, actor=actor, via=via, befores=befores
        )
        return next(sibling for sibling in siblings if sibling.pk == tag.pk)


@transaction.atomic(durable=True)
def tag_merge(*, source: Tag, target: Tag, actor=None, via: str = audit.Via.OTHER) -> Tag:
    """Merge `source` into `target`: every passage carrying `source` carries `target`
    instead (once: a passage that had both keeps one), `source`'s sub-tags move under
    `target`, `target` takes `source`'s example if it has none, and `source` is deleted.
    The facet counts of the passages' articles are recounted; each passage and moved
    sub-tag gets a history record, and `source` its deletion. Refused (code
    `tag_merge_same`, `tag_merge_into_descendant`) when `target` is `source` or sits
    under it."""
    if source.pk == target.pk:
        raise ValidationError("A tag cannot be merged into itself.", code="tag_merge_same")
    locked = {
        tag.pk: tag for tag in Tag.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
    }
    source, target = locked[source.pk], locked[target.pk]
    if target.pk in tag_tree.with_descendants([source.pk]):
        raise ValidationError(
            "A tag cannot be merged into one of its own sub-tags; move that sub-tag first.",
            code="tag_merge_into_descendant",
        )
    with corpus_write() as write:
        passages = list(Annotation.objects.filter(tags=source).prefetch_related("tags"))
        write.recount(*{passage.article_id for passage in passages})
        befores = {passage.pk: audit.snapshot(passage) for passage in passages}
        ids = [passage.pk for passage in passages]
        both = TaggedAnnotation.objects.filter(tag=target, content_object_id__in=ids).values(
            "content_object_id"
        )
        TaggedAnnotation.objects.filter(tag=source, content_object_id__in=both).delete()
        TaggedAnnotation.objects.filter(tag=source).update(tag=target)
        children = list(Tag.objects.select_for_update().filter(parent=source).order_by("pk"))
        child_befores = {child.pk: audit.snapshot(child) for child in children}
        start = _last_position(target.pk)
        for offset, child in enumerate(children):
            child.parent = target
            child.position = start + offset
        Tag.objects.bulk_update(children, ["parent", "position"])
        audit.record_many(
            children, action=audit.Action.UPDATE, actor=actor, via=via, befores=child_befores
        )
        if target.example_passage_id is None and source.example_passage_id is not None:
            before = audit.snapshot(target)
            target.example_passage_id = source.example_passage_id
            target.save(update_fields=["example_passage"])
            audit.record(target, action=audit.Action.UPDATE, actor=actor, via=via, before=before)
        # Typed field values: a field `target` also has (same name and kind) takes the
        # source's values; the others go with the source's definitions.
        _merge_field_values(source, target, actor=actor, via=via)
        write.forget("tag", source.pk)
        audit.record(source, action=audit.Action.DELETE, actor=actor, via=via)
        source.delete()
        for passage in passages:
            passage._prefetched_objects_cache.clear()
        prefetch_related_objects(passages, "tags")
        audit.record_many(
            passages, action=audit.Action.UPDATE, actor=actor, via=via, befores=befores
        )
    return target


def _merge_field_values(source: Tag, target: Tag, *, actor, via) -> None:
    theirs = {f.name: f.kind for f in TagField.objects.filter(tag=target)}
    moved, dropped = {}, []
    for field in TagField.objects.filter(tag=source):
        key = tag_fields.key(source.slug, field.name)
        if theirs.get(field.name) == field.kind:
            moved[key] = tag_fields.key(target.slug, field.name)
        else:
            dropped.append(key)
    move_field_keys(renames=moved, actor=actor, via=via)
    drop_field_keys(keys=dropped, actor=actor, via=via)


@transaction.atomic(durable=True)
def tag_save(*, tag: Tag, actor=None, via: str = audit.Via.OTHER) -> Tag:
    """Create or change a tag (name, slug, colour, description, parent)."""
    return save_tag(tag=tag, actor=actor, via=via)


def save_tag(*, tag: Tag, actor=None, via: str = audit.Via.OTHER) -> Tag:
    """`tag_save` inside a caller's transaction (an import that creates tags)."""
    with corpus_write():
        _check(tag)
        old_slug = Tag.objects.filter(pk=tag.pk).values_list("slug", flat=True).first()
        saved = audit.save_recorded(tag, actor=actor, via=via)
        if old_slug is not None and old_slug != saved.slug:
            # Field values are keyed by the tag's slug: they move with it.
            names = TagField.objects.filter(tag=saved).values_list("name", flat=True)
            move_field_keys(
                renames={
                    tag_fields.key(old_slug, name): tag_fields.key(saved.slug, name)
                    for name in names
                },
                actor=actor,
                via=via,
            )
        return saved


@transaction.atomic(durable=True)
def tag_delete(
    *, tag: Tag, unused_only: bool = False, actor=None, via: str = audit.Via.OTHER
) -> None:
    """Delete a tag; the passages that carried it lose it (each one's history shows it).

    With `unused_only` (the codebook page: a used tag is merged, not deleted) a tag that
    any passage carries is refused (code `tag_in_use`). A tag with sub-tags is refused
    (code `tag_has_children`): they are moved or deleted first."""
    tag = Tag.objects.select_for_update().get(pk=tag.pk)
    if unused_only:
        used = TaggedAnnotation.objects.filter(tag=tag).count()
        if used:
            raise ValidationError(
                "%(name)s is on %(count)d passage(s): merge it into another tag instead.",
                code="tag_in_use",
                params={"name": tag.name, "count": used},
            )
    if Tag.objects.filter(parent=tag).exists():
        raise ValidationError(
            "%(name)s has sub-tags: move or delete them first.",
            code="tag_has_children",
            params={"name": tag.name},
        )
    delete_tag(tag=tag, actor=actor, via=via)


@transaction.atomic(durable=True)
def tags_delete(*, tags: Iterable[Tag], actor=None, via: str = audit.Via.OTHER) -> None:
    """Delete several tags at once (all or none)."""
    for tag in tags:
        delete_tag(tag=tag, actor=actor, via=via)


def delete_tag(*, tag: Tag, actor=None, via: str = audit.Via.OTHER) -> None:
    """Step of `tag_delete`, for a bulk delete in one transaction."""
    with corpus_write() as write:
        write.forget("tag", tag.pk)
        passages = list(Annotation.objects.filter(tags=tag).prefetch_related("tags"))
        befores = {passage.pk: audit.snapshot(passage) for passage in passages}
        audit.record(tag, action=audit.Action.DELETE, actor=actor, via=via)
        tag.delete()
        # Its fields go with it (CASCADE), and so do the passages' values of them.
        prefix = tag_fields.key(tag.slug, "")
        holding = [p for p in passages if any(key.startswith(prefix) for key in p.fields)]
        for passage in holding:
            passage.fields = {k: v for k, v in passage.fields.items() if not k.startswith(prefix)}
        Annotation.objects.bulk_update(holding, ["fields"], batch_size=500)
        for passage in passages:
            passage._prefetched_objects_cache.clear()
        prefetch_related_objects(passages, "tags")
        audit.record_many(
            passages, action=audit.Action.UPDATE, actor=actor, via=via, befores=befores
        )
