"""The affiliation of organizations (`Organization.parent`): the cycle check the actions
share and the tree read the filters use (one query)."""

from collections.abc import Iterable
from typing import NamedTuple

from django.core.exceptions import ValidationError

from articles.models import Organization
from cms import trees


class Node(NamedTuple):
    """What the tree reads of an organization: enough to show it as a facet option."""

    pk: int
    parent_id: int | None
    name: str
    slug: str


def parents() -> dict[int, int | None]:
    """Every organization's parent id (one query)."""
    return dict(Organization.objects.order_by().values_list("pk", "parent_id"))


def with_affiliates(ids: Iterable[int], tree: dict[int, int | None] | None = None) -> set[int]:
    """The organizations and their affiliates at every depth."""
    ids = list(ids)
    if not ids:
        return set()
    return trees.subtree(ids, parents() if tree is None else tree)


def check_parent(organization: Organization, parent: Organization | None) -> None:
    """Refuse a parent that is the organization itself or one of its affiliates (code
    `organization_cycle`)."""
    if parent is None or organization.pk is None:
        return
    if parent.pk == organization.pk or organization.pk in trees.ancestors(parent.pk, parents()):
        raise ValidationError(
            {
                "parent": ValidationError(
                    "An organization cannot be an affiliate of itself or of one of its "
                    "own affiliates.",
                    code="organization_cycle",
                )
            }
        )
