"""The nesting of tags (`Tag.parent`): read-only checks the tag actions and forms share,
and the tree reads the filters and facets use (one query for the whole tree)."""

from collections.abc import Iterable
from typing import NamedTuple

from django.core.exceptions import ValidationError

from annotations.contrast import AA_NORMAL, highlight_contrast
from annotations.models import Tag
from cms import trees


class Node(NamedTuple):
    """What the tree reads of a tag: enough to show it as a facet option."""

    pk: int
    parent_id: int | None
    name: str
    slug: str
    position: int


def nodes() -> dict[int, Node]:
    """Every tag as a `Node`, by id (one query)."""
    rows = Tag.objects.order_by().values_list("pk", "parent_id", "name", "slug", "position")
    return {row[0]: Node(*row) for row in rows}


def tree_order(nodes_by_id: dict[int, Node]) -> list[tuple[Node, int]]:
    """`nodes_by_id` as (node, depth) in tree order (by position, then name)."""
    by_parent: dict[int | None, list[Node]] = {}
    for node in nodes_by_id.values():
        parent = node.parent_id if node.parent_id in nodes_by_id else None
        by_parent.setdefault(parent, []).append(node)
    ordered: list[tuple[Node, int]] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for node in sorted(
            by_parent.get(parent, []), key=lambda n: (n.position, n.name.lower(), n.pk)
        ):
            if node.pk not in seen:
                seen.add(node.pk)
                ordered.append((node, depth))
                walk(node.pk, depth + 1)

    walk(None, 0)
    return ordered


def parents() -> dict[int, int | None]:
    """Every tag's parent id, `{tag_id: parent_id}` (one query; codebooks are small)."""
    return dict(Tag.objects.order_by().values_list("pk", "parent_id"))


def with_descendants(tag_ids: Iterable[int], tree: dict[int, int | None] | None = None) -> set[int]:
    """The tags and every tag under them (`tree` from `parents()`, read if not given)."""
    tag_ids = list(tag_ids)
    if not tag_ids:
        return set()
    return trees.subtree(tag_ids, parents() if tree is None else tree)


def check_colour(colour: str) -> None:
    """Refuse a colour on which the tag's name would not be readable (code
    `colour_contrast`): WCAG AA, 4.5:1, for the ink on the highlight
    (`annotations.contrast`)."""
    try:
        ratio = highlight_contrast(colour)
    except ValueError:
        return  # not a colour at all: the field's own validator says so
    if ratio < AA_NORMAL:
        raise ValidationError(
            {
                "colour": ValidationError(
                    "The tag's name would be hard to read on %(colour)s (contrast "
                    "%(ratio).2f:1; at least 4.5:1 is needed): choose a lighter colour.",
                    code="colour_contrast",
                    params={"colour": colour, "ratio": ratio},
                )
            }
        )


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
    """`tags` as (tag, depth) in tree order: each tag followed by its sub-tags, by position
    then name.

    A tag whose parent is not among `tags` is a root.
    """
    by_parent: dict[int | None, list[Tag]] = {}
    known = {tag.pk for tag in tags}
    for tag in tags:
        parent = tag.parent_id if tag.parent_id in known else None
        by_parent.setdefault(parent, []).append(tag)
    ordered: list[tuple[Tag, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for tag in sorted(
            by_parent.get(parent, []), key=lambda t: (t.position, t.name.lower(), t.pk)
        ):
            ordered.append((tag, depth))
            walk(tag.pk, depth + 1)

    walk(None, 0)
    return ordered
