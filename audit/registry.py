"""What the history knows about each recorded model, registered by the app that owns it.

Apps call `register()` from their `AppConfig.ready()`, so `audit` names no app: it asks the
registry which fields to leave out of a snapshot, what to add to it (a passage's tags),
and how to restore a row from a record (passages only, today).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model


@dataclass(frozen=True)
class Restorer:
    """How the history admin restores rows of one model from their records."""

    allowed: Callable[[Any], bool]  # may this user restore?
    restore: Callable[..., Model]  # restore(record=, user=) -> the restored row
    summary: Callable[[Model], str] = str  # the restored row, for the admin's message


@dataclass(frozen=True)
class Audited:
    skip: frozenset[str] = frozenset()
    related: Callable[[Model], dict] | None = None
    restorer: Restorer | None = None


_PLAIN = Audited()
_registry: dict[type[Model], Audited] = {}


def register(
    model: type[Model],
    *,
    skip: set[str] | frozenset[str] = frozenset(),
    related: Callable[[Model], dict] | None = None,
    restorer: Restorer | None = None,
) -> None:
    """`skip`: field names left out of snapshots; `related(obj)`: keys added to a snapshot
    (JSON-ready values); `restorer`: offers "Restore" in the history admin."""
    _registry[model] = Audited(skip=frozenset(skip), related=related, restorer=restorer)


def audited(model: type[Model]) -> Audited:
    """A model nobody registered is snapshotted as its plain concrete fields."""
    return _registry.get(model, _PLAIN)


def restorer(model: type[Model] | None) -> Restorer | None:
    return _registry[model].restorer if model in _registry else None


def restorable_models() -> list[type[Model]]:
    return [model for model, entry in _registry.items() if entry.restorer is not None]
