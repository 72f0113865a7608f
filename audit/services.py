"""Writing history records.

The write services of the apps call `record` / `record_many` inside their own
transaction, so a history record exists exactly when its write committed. Nothing else
writes `HistoryRecord` rows, and nothing changes or deletes them. What a snapshot holds
for each model is registered by its app (`audit.registry`).
"""

import json
from collections.abc import Iterable, Mapping

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from audit.models import HistoryRecord
from audit.registry import audited
from cms.bulk import insert_values

Action = HistoryRecord.Action
Via = HistoryRecord.Via


def snapshot(obj) -> dict:
    """The row as plain JSON: concrete fields by attribute name (FKs as ids), less the
    fields its app registered as skipped, plus what its app registered as related (a
    passage's tag slugs, an article's mentioned organizations)."""
    entry = audited(type(obj))
    data = {
        field.attname: field.value_from_object(obj)
        for field in obj._meta.concrete_fields
        if field.name not in entry.skip
    }
    if entry.related is not None:
        data.update(entry.related(obj))
    # As through JSON once, so dates and times are stored exactly as they will be read back.
    return {key: _as_json(value) for key, value in data.items()}


_ENCODER = DjangoJSONEncoder()
_JSON_AS_IS = (str, int, float, bool, type(None))


def _as_json(value):
    """`value` as `json.loads(json.dumps(value, cls=DjangoJSONEncoder))` gives it back,
    without writing the text: dates, times, decimals and UUIDs as the encoder writes them,
    tuples as lists."""
    if isinstance(value, _JSON_AS_IS):
        return value
    if isinstance(value, list | tuple):
        return [_as_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _as_json(v) for k, v in value.items()}
    return _ENCODER.default(value)  # a string, as the encoder writes one; or TypeError


# Bookkeeping that moves on every save; it is in the snapshot, never a change by itself.
_NOT_A_CHANGE = {"modified"}


def diff(before: Mapping | None, after: Mapping) -> dict:
    """`{field: [old, new]}` for every field whose value differs (`modified` aside)."""
    if before is None:
        return {}
    keys = [key for key in dict.fromkeys([*before, *after]) if key not in _NOT_A_CHANGE]
    return {
        key: [before.get(key), after.get(key)] for key in keys if before.get(key) != after.get(key)
    }


def _actor(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _repr(obj) -> str:
    text = str(obj)
    return text if len(text) <= 200 else text[:199] + "…"


def _build(obj, *, action, actor, via, before=None, restored_from=None) -> HistoryRecord | None:
    if action == Action.DELETE:
        after = before if before is not None else snapshot(obj)
        changes = {}
    else:
        after = snapshot(obj)
        changes = diff(before, after) if action != Action.CREATE else {}
        if action == Action.UPDATE and not changes:
            return None  # nothing changed: no record
        if action == Action.RESTORE:
            changes["restored_from"] = [None, restored_from]
    return HistoryRecord(
        actor=_actor(actor),
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        object_repr=_repr(obj),
        snapshot=after,
        changes=changes,
        via=via,
    )


def record(
    obj,
    *,
    action: str,
    actor=None,
    via: str = Via.OTHER,
    before: dict | None = None,
    restored_from: int | None = None,
) -> HistoryRecord | None:
    """Record one write of `obj`. Call it after the write, in the same transaction; for a
    delete, before the row goes (or pass its snapshot as `before`). For an update, pass the
    snapshot taken before the change; an update that changed nothing is not recorded. A
    restore names the record it restored (`restored_from`, its id) and is always recorded."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the write's transaction")
    history = _build(
        obj, action=action, actor=actor, via=via, before=before, restored_from=restored_from
    )
    if history is not None:
        history.save()
    return history


def save_recorded(obj, *, actor=None, via: str = Via.OTHER):
    """Validate and save `obj` as edited in a form, recording a create or an update.

    The plain-record writes (outlets, organizations, tags) have no rules beyond their
    fields', so their services are this; call it inside the write's transaction.
    """
    existing = type(obj).objects.filter(pk=obj.pk).first() if obj.pk else None
    before = snapshot(existing) if existing else None
    obj.full_clean()
    obj.save()
    action = Action.CREATE if before is None else Action.UPDATE
    record(obj, action=action, actor=actor, via=via, before=before)
    return obj


def record_many(
    objects: Iterable, *, action: str, actor=None, via: str = Via.OTHER, befores=None
) -> int:
    """Record a bulk write (bulk_update, imports) in as few statements as the database
    allows (COPY on PostgreSQL); `befores` maps pk to the snapshot taken before the change.
    Returns how many records were written.

    The rows go in as plain values (`cms.bulk.insert_values`), not as model instances: an
    import of 100,000 passages spent a third of its time building and preparing them."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record_many must run inside the write's transaction")
    befores = befores or {}
    who = _actor(actor)
    actor_id = who.pk if who is not None else None
    action = Action(action)
    connection = transaction.get_connection()
    now = timezone.now()
    if connection.vendor != "postgresql":
        now = connection.ops.adapt_datetimefield_value(now)
    dumps = _JSON_DUMPS
    kinds: dict[type, int] = {}
    rows = []
    for obj in objects:
        built = _build_values(obj, action=action, before=befores.get(obj.pk))
        if built is None:
            continue
        after, changes = built
        model = type(obj)
        if model not in kinds:
            kinds[model] = ContentType.objects.get_for_model(obj).pk
        rows.append(
            (
                actor_id,
                now,
                action.value,
                kinds[model],
                obj.pk,
                _repr(obj),
                dumps(after),
                dumps(changes),
                Via(via).value,
            )
        )
    insert_values(HistoryRecord, _HISTORY_COLUMNS, rows)
    return len(rows)


_HISTORY_COLUMNS = [
    "actor_id",
    "created",
    "action",
    "content_type_id",
    "object_id",
    "object_repr",
    "snapshot",
    "changes",
    "via",
]
# Snapshots are plain JSON already (`_as_json`): the JSON fields' own encoding, without it.
_JSON_DUMPS = json.JSONEncoder(ensure_ascii=True, separators=(", ", ": ")).encode


def _build_values(obj, *, action, before=None) -> tuple[dict, dict] | None:
    """(snapshot, changes) of one record as `_build` makes them; None: nothing to record."""
    if action == Action.DELETE:
        return (before if before is not None else snapshot(obj)), {}
    after = snapshot(obj)
    changes = diff(before, after) if action != Action.CREATE else {}
    if action == Action.UPDATE and not changes:
        return None
    if action == Action.RESTORE:
        raise ValueError("a restore is recorded one at a time (audit.record)")
    return after, changes
