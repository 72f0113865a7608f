"""Writing history records, and restoring passages from them.

The write services of `articles` and `annotations` call `record` / `record_many` inside
their own transaction, so a history record exists exactly when its write committed.
Nothing else writes `HistoryRecord` rows, and nothing changes or deletes them.
"""

import json
from collections.abc import Iterable, Mapping

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from audit.models import HistoryRecord

Action = HistoryRecord.Action
Via = HistoryRecord.Via

# Fields left out of snapshots: an article's body lives in its immutable revisions.
_SKIPPED = {("articles", "article"): {"body"}}


def snapshot(obj) -> dict:
    """The row as plain JSON: concrete fields by attribute name (FKs as ids), plus the tags
    of a passage (sorted slugs) and the mentioned organizations of an article (sorted ids)."""
    meta = obj._meta
    skipped = _SKIPPED.get((meta.app_label, meta.model_name), set())
    data = {
        field.attname: field.value_from_object(obj)
        for field in meta.concrete_fields
        if field.name not in skipped
    }
    if (meta.app_label, meta.model_name) == ("annotations", "annotation"):
        data["tags"] = sorted(tag.slug for tag in obj.tags.all())
    elif (meta.app_label, meta.model_name) == ("articles", "article"):
        data["organizations"] = sorted(obj.organizations.values_list("pk", flat=True))
    # Through JSON once, so dates and times are stored exactly as they will be read back.
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


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


def _build(obj, *, action, actor, via, before=None, after=None) -> HistoryRecord | None:
    if action == Action.DELETE:
        after = before if before is not None else snapshot(obj)
        changes = {}
    else:
        after = after if after is not None else snapshot(obj)
        changes = diff(before, after) if action != Action.CREATE else {}
        if action == Action.UPDATE and not changes:
            return None  # nothing changed: no record
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
    obj, *, action: str, actor=None, via: str = Via.OTHER, before: dict | None = None
) -> HistoryRecord | None:
    """Record one write of `obj`. Call it after the write, in the same transaction; for a
    delete, before the row goes (or pass its snapshot as `before`). For an update, pass the
    snapshot taken before the change; an update that changed nothing is not recorded."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the write's transaction")
    history = _build(obj, action=action, actor=actor, via=via, before=before)
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
) -> list[HistoryRecord]:
    """Record a bulk write (bulk_update, imports) in one INSERT; `befores` maps pk to the
    snapshot taken before the change."""
    befores = befores or {}
    rows = [
        history
        for obj in objects
        if (history := _build(obj, action=action, actor=actor, via=via, before=befores.get(obj.pk)))
        is not None
    ]
    return HistoryRecord.objects.bulk_create(rows, batch_size=500)


# Restoring passages -------------------------------------------------------------------------


def can_restore(user) -> bool:
    """Editors only: restoring rewrites (or resurrects) another person's passage."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.has_perm("annotations.edit_any_annotation")
        and user.has_perm("annotations.add_annotation")
    )


def _placement(article, data: dict):
    """(status, start, end, exact, prefix, suffix, anchored_revision) of a snapshot's span
    against the article's current body: as it was if it still reads the same, otherwise
    re-anchored from the revision it referred to, otherwise orphaned with its old quote."""
    from annotations import anchoring
    from annotations.models import Annotation
    from articles.models import ArticleRevision

    start, end, exact = data["start"], data["end"], data["exact"]
    body = article.body
    if 0 <= start < end <= len(body) and body[start:end] == exact:
        prefix, suffix = anchoring.context(body, start, end)
        status = data["anchor_status"]
        if status == Annotation.AnchorStatus.ORPHANED:
            status = Annotation.AnchorStatus.ANCHORED
        return status, start, end, exact, prefix, suffix, article.revision
    old = (
        ArticleRevision.objects.filter(article=article, number=data["anchored_revision"])
        .values_list("body", flat=True)
        .first()
    )
    placement = anchoring.reanchor(
        old if old is not None else body,
        body,
        [anchoring.Anchor(start, end, exact, data["prefix"], data["suffix"])],
    )[0]
    status = Annotation.AnchorStatus(str(placement.status))
    if status == Annotation.AnchorStatus.ORPHANED:
        return status, start, end, exact, data["prefix"], data["suffix"], data["anchored_revision"]
    return (
        status,
        placement.start,
        placement.end,
        placement.exact,
        placement.prefix,
        placement.suffix,
        article.revision,
    )


@transaction.atomic
def annotation_restore(*, record: HistoryRecord, user, via: str = Via.ADMIN):
    """Bring a passage back to the state `record` holds.

    A deleted passage is recreated with its old id, on the same article; its span is
    re-checked against the current body (kept if it still reads the same, re-anchored if
    the article changed, orphaned with its old quote if the text is gone). An existing
    passage gets the recorded coding back (tags, organization, note, status); its span
    stays where re-anchoring put it. Tags and organizations deleted since are dropped.
    """
    from annotations.models import Annotation, Tag
    from articles.models import Article, Organization
    from publishing.counts import facet_counts_recounted
    from publishing.version import corpus_changed

    corpus_changed()

    if not can_restore(user):
        raise PermissionDenied("Only editors may restore passages.")
    if record.content_type.model_class() is not Annotation:
        raise ValidationError("This record is not about a passage.", code="not_a_passage")
    data = record.snapshot
    tags = list(Tag.objects.filter(slug__in=data.get("tags", [])))
    organization = (
        Organization.objects.filter(pk=data.get("organization_id")).first()
        if data.get("organization_id")
        else None
    )
    passage = Annotation.objects.select_for_update().filter(pk=record.object_id).first()
    if passage is not None:
        before = snapshot(passage)
        passage.note, passage.status, passage.organization = (
            data["note"],
            data["status"],
            organization,
        )
        passage.full_clean(exclude=["tags"])
        with facet_counts_recounted(passage.article_id):  # maintained listing counts
            passage.save()
            passage.tags.set(tags)
        _build_and_save(passage, user=user, via=via, before=before, source=record)
        return passage
    article = Article.objects.select_for_update().filter(pk=data["article_id"]).first()
    if article is None:
        raise ValidationError(
            "The article of this passage has been deleted.", code="article_deleted"
        )
    # Annotator is PROTECT while the passage exists; after a delete the account may be gone,
    # and the passage then comes back as the restoring editor's.
    annotator = get_user_model().objects.filter(pk=data["annotator_id"]).first()
    status, start, end, exact, prefix, suffix, revision = _placement(article, data)
    passage = Annotation(
        pk=record.object_id,
        article=article,
        start=start,
        end=end,
        exact=exact,
        prefix=prefix,
        suffix=suffix,
        organization=organization,
        note=data["note"],
        annotator=annotator or user,
        status=data["status"],
        anchor_status=status,
        anchored_revision=revision,
        previous_exact=data["exact"] if status == Annotation.AnchorStatus.FUZZY else "",
    )
    passage.full_clean(exclude=["tags"])
    with facet_counts_recounted(article.pk):  # maintained listing counts
        passage.save(force_insert=True)
        passage.tags.set(tags)
    _build_and_save(passage, user=user, via=via, before=None, source=record)
    return passage


def _build_and_save(passage, *, user, via, before, source: HistoryRecord) -> None:
    after = snapshot(passage)
    HistoryRecord.objects.create(
        actor=_actor(user),
        action=Action.RESTORE,
        content_type=source.content_type,
        object_id=passage.pk,
        object_repr=_repr(passage),
        snapshot=after,
        changes={**diff(before, after), "restored_from": [None, source.pk]}
        if before is not None
        else {"restored_from": [None, source.pk]},
        via=via,
    )
