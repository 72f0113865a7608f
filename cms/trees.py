"""Trees given as `{id: parent_id}` maps (tags, organizations): pure helpers, no app."""

from collections.abc import Iterable, Mapping


def children_of(parents: Mapping[int, int | None]) -> dict[int | None, list[int]]:
    by_parent: dict[int | None, list[int]] = {}
    for node, parent in parents.items():
        by_parent.setdefault(parent if parent in parents else None, []).append(node)
    return by_parent


def subtree(roots: Iterable[int], parents: Mapping[int, int | None]) -> set[int]:
    """`roots` and every node under them, at any depth (a cycle, which the actions refuse,
    would not loop: each node is visited once)."""
    by_parent = children_of(parents)
    found: set[int] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node in found:
            continue
        found.add(node)
        stack.extend(by_parent.get(node, ()))
    return found


def ancestors(node: int, parents: Mapping[int, int | None]) -> list[int]:
    """The nodes above `node`, nearest first."""
    found: list[int] = []
    current = parents.get(node)
    while current is not None and current not in found and current != node:
        found.append(current)
        current = parents.get(current)
    return found
