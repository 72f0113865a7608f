"""The nesting of tags (`Tag.parent`): read-only checks the tag actions and forms share."""

from django.core.exceptions import ValidationError

from annotations.models import Tag


def check_parent(tag: Tag, parent: Tag | None) -> None:
    """Refuse a `parent` that is `tag` itself or sits under it (code `tag_cycle`).

    Walks up from `parent` (one query per level; codebooks are a few levels deep).
    """
    if parent is None:
        return
    if tag.pk is None:  # a new tag has nothing under it yet
        return
    seen: set[int] = set()
    current: int | None = parent.pk
    while current is not None and current not in seen:
        if current == tag.pk:
            raise ValidationError(
                {
                    "parent": ValidationError(
                        "A tag cannot sit under itself or under one of its own sub-tags.",
                        code="tag_cycle",
                    )
                }
            )
        seen.add(current)
        current = Tag.objects.filter(pk=current).values_list("parent_id", flat=True).first()


def depth_first(tags: list[Tag]) -> list[tuple[Tag, int]]:
    """`tags` as (tag, depth) in tree order: each tag followed by its sub-tags, by name.

    A tag whose parent is not among `tags` is a root.
    """
    by_parent: dict[int | None, list[Tag]] = {}
    known = {tag.pk for tag in tags}
    for tag in tags:
        parent = tag.parent_id if tag.parent_id in known else None
        by_parent.setdefault(parent, []).append(tag)
    ordered: list[tuple[Tag, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for tag in sorted(by_parent.get(parent, []), key=lambda t: (t.name.lower(), t.pk)):
            ordered.append((tag, depth))
            walk(tag.pk, depth + 1)

    walk(None, 0)
    return ordered
