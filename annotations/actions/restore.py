"""Restoring a passage from its history: an action of `annotations`, offered by the
history admin through the audit registry (`annotations.apps`)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from annotations import anchoring, tag_fields
from annotations.actions.fields import definitions_of
from annotations.models import Annotation, Tag
from annotations.permissions import can_restore
from articles.models import Article, ArticleRevision, Organization
from audit import services as audit
from audit.models import HistoryRecord
from publishing.hooks import corpus_write


def _placement(article, data: dict):
    """(status, start, end, exact, prefix, suffix, anchored_revision) of a snapshot's span
    against the article's current body: as it was if it still reads the same, otherwise
    re-anchored from the revision it referred to, otherwise orphaned with its old quote."""
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


@transaction.atomic(durable=True)
def annotation_restore(*, record: HistoryRecord, user, via: str = audit.Via.ADMIN) -> Annotation:
    """Bring a passage back to the state `record` holds.

    A deleted passage is recreated with its old id, on the same article; its span is
    re-checked against the current body (kept if it still reads the same, re-anchored if
    the article changed, orphaned with its old quote if the text is gone). An existing
    passage gets the recorded coding back (tags, organization, note, status); its span
    stays where re-anchoring put it. Tags and organizations deleted since are dropped.
    """
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
    with corpus_write() as write:
        return _restore(record, data, tags, organization, user=user, via=via, write=write)


def _restore(record, data, tags, organization, *, user, via, write) -> Annotation:
    passage = Annotation.objects.select_for_update().filter(pk=record.object_id).first()
    if passage is not None:
        write.recount(passage.article_id)
        before = audit.snapshot(passage)
        passage.note, passage.status, passage.organization = (
            data["note"],
            data["status"],
            organization,
        )
        passage.fields = _restored_fields(data, tags)
        passage.full_clean(exclude=["tags"])
        passage.save()
        passage.tags.set(tags)
        _record(passage, user=user, via=via, before=before, source=record)
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
        fields=_restored_fields(data, tags),
    )
    passage.full_clean(exclude=["tags"])
    write.recount(article.pk)
    passage.save(force_insert=True)
    passage.tags.set(tags)
    _record(passage, user=user, via=via, before=None, source=record)
    return passage


def _restored_fields(data: dict, tags) -> dict:
    """The recorded field values that still fit: of fields the restored tags still have
    (a deleted tag's or field's are dropped, as deleting it dropped them), and of the kind
    and bounds the field has now (a value it no longer accepts is dropped)."""
    definitions = definitions_of(tags)
    kept = {}
    for key, value in (data.get("fields") or {}).items():
        field = definitions.get(key)
        if field is None:
            continue
        try:
            kept[key] = tag_fields.canonical(
                field.kind, value, minimum=field.minimum, maximum=field.maximum
            )
        except ValidationError:
            continue
    return kept


def _record(passage, *, user, via, before, source: HistoryRecord) -> None:
    audit.record(
        passage,
        action=audit.Action.RESTORE,
        actor=user,
        via=via,
        before=before,
        restored_from=source.pk,
    )
