"""Typed fields per tag: editors define, change and delete them; the passage actions check
a passage's values against them (`resolve_field_values`).

Values live in `Annotation.fields` under `"<tag slug>.<field name>"` as the canonical text
of `annotations.tag_fields`. Renaming a field (or its tag's slug) moves the key on every
passage holding it; deleting a field (or its tag) drops its values; changing a field's
kind or bounds re-checks every stored value and is refused if one no longer fits. Each of
these passage changes is recorded in the passage's history.
"""

from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q

from annotations import tag_fields
from annotations.models import Annotation, Tag, TagField
from articles.models import Organization
from audit import services as audit
from cms.sentinels import UNSET
from publishing.hooks import corpus_write


def _check_editor(actor) -> None:
    """Editors only (whoever may change tags); `None` is a command's or the demo's write."""
    if actor is not None and not (
        actor.is_authenticated and actor.is_active and actor.has_perm("annotations.change_tag")
    ):
        raise PermissionDenied("Only editors may define the fields of a tag.")


def _error_key(key: str) -> str:
    """Where a value's error goes in a ValidationError (and the API's `fields`)."""
    return f"fields.{key}"


def _organization_slugs(raws: Iterable) -> dict:
    """Each raw organization value (an id, a slug, or a name) -> the slug it names (one
    query for all of them)."""
    raws = list(dict.fromkeys(raws))
    if not raws:
        return {}
    ids = [int(raw) for raw in raws if raw.isascii() and raw.isdigit() and len(raw) <= 18]
    query = Q(pk__in=ids) | Q(slug__in=raws)
    for raw in raws:
        query |= Q(name__iexact=raw)
    found = list(Organization.objects.filter(query).only("pk", "slug", "name"))
    resolved = {}
    for raw in raws:
        for organization in found:
            if raw in (organization.slug, str(organization.pk)) or (
                organization.name.casefold() == raw.casefold()
            ):
                resolved[raw] = organization.slug
                break
    return resolved


def definitions_of(tags: Iterable[Tag]) -> dict[str, TagField]:
    """The fields of `tags` by key, in the order forms show them (one query)."""
    by_id = {tag.pk: tag for tag in tags}
    if not by_id:
        return {}
    fields = TagField.objects.filter(tag_id__in=list(by_id)).in_order()
    return {tag_fields.key(by_id[f.tag_id].slug, f.name): f for f in fields}


def _canonical_values(given: Mapping, definitions: Mapping[str, TagField]) -> dict[str, str]:
    """Check `given` against the definitions; every bad value is one coded error."""
    errors: dict[str, ValidationError] = {}
    values: dict[str, str] = {}
    organizations: dict[str, str] = {}
    for key, raw in given.items():
        field = definitions.get(key) if isinstance(key, str) else None
        if field is None and tag_fields.is_blank(raw):
            continue  # removing a value that cannot be there changes nothing
        if field is None:
            errors[_error_key(str(key))] = ValidationError(
                "%(key)s is not a field of a tag on this passage.",
                code="unknown_field",
                params={"key": key},
            )
            continue
        if tag_fields.is_blank(raw):
            continue
        try:
            values[key] = tag_fields.canonical(
                field.kind,
                raw,
                label=field.shown_label,
                minimum=field.minimum,
                maximum=field.maximum,
            )
        except ValidationError as error:
            errors[_error_key(key)] = error
            continue
        if field.kind == TagField.Kind.ORGANIZATION:
            organizations[key] = values[key]
    slugs = _organization_slugs(organizations.values())
    for key, raw in organizations.items():
        if raw in slugs:
            values[key] = slugs[raw]
        else:
            errors[_error_key(key)] = ValidationError(
                "%(label)s: no organization %(value)s.",
                code="unknown_organization",
                params={"label": definitions[key].shown_label, "value": raw},
            )
    for key, field in definitions.items():
        if field.required and key not in values and _error_key(key) not in errors:
            errors[_error_key(key)] = ValidationError(
                "%(label)s is required for a passage tagged %(tag)s.",
                code="field_required",
                params={"label": field.shown_label, "tag": key.rpartition(".")[0]},
            )
    if errors:
        raise ValidationError(errors)
    return {key: values[key] for key in definitions if key in values}


def resolve_field_values(*, tags: Iterable[Tag], given=UNSET, current: Mapping | None = None):
    """The values a passage carrying `tags` stores, as a JSON merge patch: the `current`
    values of fields of tags still on the passage (those of a removed tag are dropped),
    with `given` (key -> value; null or blank text removes one) laid over them, every
    value checked and made canonical. Raises a ValidationError keyed `fields.<key>` with
    codes `unknown_field`, `field_required`, `unknown_organization` and those of
    `tag_fields.canonical`; `invalid_fields` for a `given` that is no mapping."""
    tags = list(tags)
    if given is UNSET or given is None:
        given = {}
    if not isinstance(given, Mapping):
        raise ValidationError(
            {
                "fields": ValidationError(
                    'Fields must be an object of "<tag>.<field>": value.', code="invalid_fields"
                )
            }
        )
    if not tags and not given:
        return {}
    definitions = definitions_of(tags)
    merged = {key: value for key, value in (current or {}).items() if key in definitions}
    merged.update(given)
    return _canonical_values(merged, definitions)


# Definitions.


def _passages_holding(key: str) -> list[Annotation]:
    return list(Annotation.objects.filter(fields__has_key=key).prefetch_related("tags"))


def _rewrite_values(passages, change, *, actor, via, values=None) -> None:
    """Apply `change(fields) -> fields` to each passage (then merge `values[pk]`, if
    given) and record each one's update."""
    if not passages:
        return
    befores = {passage.pk: audit.snapshot(passage) for passage in passages}
    for passage in passages:
        passage.fields = change(dict(passage.fields)) | (values or {}).get(passage.pk, {})
    Annotation.objects.bulk_update(passages, ["fields"], batch_size=500)
    audit.record_many(passages, action=audit.Action.UPDATE, actor=actor, via=via, befores=befores)


def move_field_keys(*, renames: Mapping[str, str], actor=None, via=audit.Via.OTHER) -> None:
    """Step: rename keys on every passage holding them (a field or tag renamed)."""
    for old, new in renames.items():
        if old == new:
            continue

        def change(fields, old=old, new=new):
            value = fields.pop(old)
            fields[new] = value
            return fields

        _rewrite_values(_passages_holding(old), change, actor=actor, via=via)


def drop_field_keys(*, keys: Iterable[str], actor=None, via=audit.Via.OTHER) -> None:
    """Step: remove these keys' values from every passage (a field or tag deleted)."""
    for key in keys:
        _rewrite_values(
            _passages_holding(key),
            lambda fields, key=key: {k: v for k, v in fields.items() if k != key},
            actor=actor,
            via=via,
        )


def _rechecked(field: TagField, key: str, passages) -> tuple[dict, int]:
    definitions = {key: field}
    bad = 0
    rewritten = {}
    for passage in passages:
        try:
            rewritten[passage.pk] = _canonical_values({key: passage.fields[key]}, definitions)
        except ValidationError:
            bad += 1
    return rewritten, bad


def check_stored_values(field: TagField) -> None:
    """Refuse (`stored_values_refused`) a changed definition some stored value of the field
    no longer fits; reads only (a form checks it before the action runs)."""
    if field.pk is None:
        return
    current = TagField.objects.select_related("tag").filter(pk=field.pk).first()
    if current is None:
        return
    key = tag_fields.key(current.tag.slug, current.name)
    _, bad = _rechecked(field, key, Annotation.objects.filter(fields__has_key=key).only("fields"))
    if bad:
        raise _refused(bad, key)


def _refused(bad: int, key: str) -> ValidationError:
    return ValidationError(
        {
            "kind": ValidationError(
                "%(count)s passage(s) hold a value of %(key)s that this definition refuses: "
                "change or remove those values first.",
                code="stored_values_refused",
                params={"count": bad, "key": key},
            )
        }
    )


def _recheck_values(field: TagField, key: str, *, actor, via) -> None:
    """Re-check every stored value of `field` (its kind or bounds changed)."""
    passages = _passages_holding(key)
    rewritten, bad = _rechecked(field, key, passages)
    if bad:
        raise _refused(bad, key)
    changed = {p.pk for p in passages if rewritten[p.pk].get(key) != p.fields.get(key)}
    _rewrite_values(
        [p for p in passages if p.pk in changed],
        lambda fields: fields,
        actor=actor,
        via=via,
        values={pk: rewritten[pk] for pk in changed},
    )


def define_tag_field(
    *,
    tag: Tag,
    name: str,
    kind: str = TagField.Kind.TEXT,
    label: str = "",
    required: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
    position: int | None = None,
    actor=None,
    via: str = audit.Via.OTHER,
) -> TagField:
    """Step of `tag_field_define`, for an import or the demo inside their transaction."""
    _check_editor(actor)
    if position is None:
        last = TagField.objects.filter(tag=tag).aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
    field = TagField(
        tag=tag,
        name=name,
        kind=kind,
        label=label,
        required=required,
        minimum=minimum,
        maximum=maximum,
        position=position,
    )
    with corpus_write():
        return audit.save_recorded(field, actor=actor, via=via)


@transaction.atomic(durable=True)
def tag_field_define(
    *,
    tag: Tag,
    name: str,
    kind: str = TagField.Kind.TEXT,
    label: str = "",
    required: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
    position: int | None = None,
    actor=None,
    via: str = audit.Via.OTHER,
) -> TagField:
    """Give `tag` a typed field (`statistic` → `value`, a number). Raises ValidationError
    (`invalid_field_name`, `duplicate_field`, `bounds_on_numbers_only`,
    `minimum_above_maximum`, `invalid_choice` for a kind) and writes nothing on error."""
    return define_tag_field(
        tag=tag,
        name=name,
        kind=kind,
        label=label,
        required=required,
        minimum=minimum,
        maximum=maximum,
        position=position,
        actor=actor,
        via=via,
    )


def update_tag_field(*, field: TagField, actor=None, via: str = audit.Via.OTHER, **changes):
    """Step of `tag_field_update`."""
    _check_editor(actor)
    allowed = {"name", "kind", "label", "required", "minimum", "maximum", "position"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"Unknown TagField changes: {', '.join(sorted(unknown))}")
    with corpus_write():
        current = TagField.objects.select_for_update().select_related("tag").get(pk=field.pk)
        old_key = tag_fields.key(current.tag.slug, current.name)
        for name, value in changes.items():
            if value is not UNSET:
                setattr(field, name, value)
        field.tag = current.tag
        saved = audit.save_recorded(field, actor=actor, via=via)
        new_key = tag_fields.key(current.tag.slug, saved.name)
        move_field_keys(renames={old_key: new_key}, actor=actor, via=via)
        if (current.kind, current.minimum, current.maximum) != (
            saved.kind,
            saved.minimum,
            saved.maximum,
        ):
            _recheck_values(saved, new_key, actor=actor, via=via)
        return saved


@transaction.atomic(durable=True)
def tag_field_update(
    *,
    field: TagField,
    name=UNSET,
    kind=UNSET,
    label=UNSET,
    required=UNSET,
    minimum=UNSET,
    maximum=UNSET,
    position=UNSET,
    actor=None,
    via: str = audit.Via.OTHER,
) -> TagField:
    """Change a field's definition. A new name moves its values' key on every passage; a
    new kind or bounds re-check every stored value (refused with `stored_values_refused`
    if one no longer fits: nothing is changed then). A field made required binds the
    passages' next edits, not the stored ones."""
    return update_tag_field(
        field=field,
        actor=actor,
        via=via,
        name=name,
        kind=kind,
        label=label,
        required=required,
        minimum=minimum,
        maximum=maximum,
        position=position,
    )


def delete_tag_field(*, field: TagField, actor=None, via: str = audit.Via.OTHER) -> None:
    """Step of `tag_field_delete`."""
    _check_editor(actor)
    with corpus_write():
        current = TagField.objects.select_for_update().select_related("tag").get(pk=field.pk)
        drop_field_keys(keys=[tag_fields.key(current.tag.slug, current.name)], actor=actor, via=via)
        audit.record(current, action=audit.Action.DELETE, actor=actor, via=via)
        current.delete()


@transaction.atomic(durable=True)
def tag_field_delete(*, field: TagField, actor=None, via: str = audit.Via.OTHER) -> None:
    """Delete a field; every passage's value of it is dropped (recorded in its history)."""
    delete_tag_field(field=field, actor=actor, via=via)


@transaction.atomic(durable=True)
def tag_fields_save(
    *,
    tag: Tag,
    saved: Iterable[TagField] = (),
    deleted: Iterable[TagField] = (),
    actor=None,
    via: str = audit.Via.OTHER,
) -> None:
    """The admin's inline of a tag's fields, as one action: new and changed definitions
    (`saved`, as edited in the form) and `deleted` ones, all or none."""
    for field in deleted:
        delete_tag_field(field=field, actor=actor, via=via)
    for field in saved:
        if field.pk is None:
            field.tag = tag
            _check_editor(actor)
            with corpus_write():
                audit.save_recorded(field, actor=actor, via=via)
        else:
            update_tag_field(
                field=field,
                actor=actor,
                via=via,
                name=field.name,
                kind=field.kind,
                label=field.label,
                required=field.required,
                minimum=field.minimum,
                maximum=field.maximum,
                position=field.position,
            )
