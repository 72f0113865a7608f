"""Tags: created and edited in the admin; deleting one takes it off its passages."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import prefetch_related_objects

from annotations import tag_fields, tag_tree
from annotations.actions.fields import move_field_keys
from annotations.models import Annotation, Tag, TagField
from audit import services as audit
from publishing.hooks import corpus_write


@transaction.atomic(durable=True)
def tag_save(*, tag: Tag, actor=None, via: str = audit.Via.OTHER) -> Tag:
    """Create or change a tag (name, slug, colour, description, parent)."""
    return save_tag(tag=tag, actor=actor, via=via)


def save_tag(*, tag: Tag, actor=None, via: str = audit.Via.OTHER) -> Tag:
    """`tag_save` inside a caller's transaction (an import that creates tags)."""
    with corpus_write():
        tag_tree.check_parent(tag, tag.parent)
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
def tag_delete(*, tag: Tag, actor=None, via: str = audit.Via.OTHER) -> None:
    """Delete a tag; the passages that carried it lose it (each one's history shows it)."""
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
