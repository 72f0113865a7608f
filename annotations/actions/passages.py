"""Passages: created on a span of an article, re-coded, re-attached, deleted."""

from collections.abc import Iterable, Mapping, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from annotations import anchoring
from annotations.actions.fields import resolve_field_values
from annotations.actions.resolve import (
    check_status,
    lock_current,
    resolve_organization,
    resolve_span,
    resolve_tags,
)
from annotations.models import Annotation, Tag, TaggedAnnotation, check_note
from annotations.permissions import can_delete, can_edit
from articles.models import Article, Organization
from audit import services as audit
from cms.sentinels import UNSET
from publishing.hooks import corpus_write

# What `full_clean` need not check again on a passage these actions write: the steps have
# checked what each of the model's constraints says (`resolve_span`: a non-empty span whose
# text is body[start:end] exactly; `check_note`: the note's length; no source id is set
# here) and read the article, annotator and organization from the database. Validating
# them again cost a savepoint and a query each, 17 of a create's 41 queries; the
# database's own constraints stay the backstop.
CHECKED_BY_THE_STEPS = ["tags", "article", "annotator", "organization"]


def create_passage(
    *,
    article: Article,
    start: int,
    end: int,
    exact: str,
    tags: Sequence[str | Tag] = (),
    organization: Organization | int | None = None,
    note: str = "",
    fields: Mapping | None = None,
    annotator,
    status: str = Annotation.Status.PUBLISHED,
    adjudicated: bool = False,
    via: str = audit.Via.OTHER,
) -> Annotation:
    """Step of `annotation_create`, for actions that compose it (the demo's coding, a
    round's consensus passages, which are `adjudicated`)."""
    if not (annotator and annotator.is_authenticated and annotator.is_active) or not (
        annotator.has_perm("annotations.add_annotation")
    ):
        raise PermissionDenied("You may not create passages.")
    if not isinstance(note, str):
        raise ValidationError({"note": ValidationError("Must be text.", code="invalid_note")})
    check_note(note)
    check_status(status)
    text = resolve_span(body=article.body, start=start, end=end, exact=exact)
    resolved_tags = resolve_tags(tags)
    resolved_org = resolve_organization(organization)
    values = resolve_field_values(tags=resolved_tags, given=fields)
    prefix, suffix = anchoring.context(article.body, start, end)
    annotation = Annotation(
        article=article,
        start=start,
        end=end,
        exact=text,
        prefix=prefix,
        suffix=suffix,
        organization=resolved_org,
        note=note,
        annotator=annotator,
        status=status,
        anchored_revision=article.revision,
        adjudicated=adjudicated,
        fields=values,
    )
    annotation.full_clean(exclude=CHECKED_BY_THE_STEPS, validate_constraints=False)
    with corpus_write(article.pk, adding=True) as write:
        annotation.save()
        if resolved_tags and all(tag.pk for tag in resolved_tags):
            # A new passage has no tags yet: its rows are inserted in one statement, where
            # taggit's `set` first read the tags and the rows to keep (three queries).
            TaggedAnnotation.objects.bulk_create(
                TaggedAnnotation(content_object=annotation, tag=tag) for tag in resolved_tags
            )
            annotation.hold_tags(resolved_tags)
        elif not resolved_tags:
            annotation.hold_tags([])
        else:
            annotation.tags.set(resolved_tags)
        write.added(annotation, [tag.pk for tag in resolved_tags])
        audit.record(annotation, action=audit.Action.CREATE, actor=annotator, via=via)
    # The caller gets a passage that reads its tags afresh, as any other does.
    annotation._prefetched_objects_cache = {}
    return annotation


@transaction.atomic(durable=True)
def annotation_create(
    *,
    article: Article,
    start: int,
    end: int,
    exact: str,
    tags: Sequence[str | Tag] = (),
    organization: Organization | int | None = None,
    note: str = "",
    fields: Mapping | None = None,
    annotator,
    status: str = Annotation.Status.PUBLISHED,
    via: str = audit.Via.OTHER,
) -> Annotation:
    """Create a passage of `article` at code points [start, end) with its context.

    `fields`: values of its tags' fields (`"statistic.value": 60000`), checked by
    `resolve_field_values`."""
    return create_passage(
        article=article,
        start=start,
        end=end,
        exact=exact,
        tags=tags,
        organization=organization,
        note=note,
        fields=fields,
        annotator=annotator,
        status=status,
        via=via,
    )


@transaction.atomic(durable=True)
def annotation_update(
    *,
    annotation: Annotation,
    user,
    tags=UNSET,
    organization=UNSET,
    note=UNSET,
    status=UNSET,
    fields=UNSET,
    if_modified=None,
    via: str = audit.Via.OTHER,
) -> Annotation:
    """Change a passage's coding (tags, organization, note, status, fields); never its span.

    `fields` is merged into the stored values (null removes one); values of fields of a
    tag taken off the passage are dropped.

    `if_modified`: the `modified` time the caller read; if the passage changed since, a
    `StalePassage` (code `stale_passage`) is raised and nothing is written.
    """
    if not can_edit(user, annotation):
        raise PermissionDenied("You may only change your own passages.")
    with corpus_write(annotation.article_id):
        lock_current(annotation, if_modified)
        before = audit.snapshot(annotation)
        if note is not UNSET:
            if not isinstance(note, str):
                raise ValidationError(
                    {"note": ValidationError("Must be text.", code="invalid_note")}
                )
            check_note(note)
            annotation.note = note
        if status is not UNSET:
            check_status(status)
            annotation.status = status
        if organization is not UNSET:
            annotation.organization = resolve_organization(organization)
        resolved_tags = resolve_tags(tags) if tags is not UNSET else None
        if resolved_tags is not None or fields is not UNSET:
            annotation.fields = resolve_field_values(
                tags=resolved_tags if resolved_tags is not None else annotation.tags.all(),
                given=fields,
                current=annotation.fields,
            )
        annotation.full_clean(exclude=CHECKED_BY_THE_STEPS, validate_constraints=False)
        annotation.save()
        if resolved_tags is not None:
            annotation.tags.set(resolved_tags)
        audit.record(annotation, action=audit.Action.UPDATE, actor=user, via=via, before=before)
    return annotation


def reattach_passage(
    *, annotation: Annotation, user, start: int, end: int, exact: str, via: str
) -> Annotation:
    """Step of `annotation_reattach` (and of accepting a fuzzy match). The row is locked
    and reloaded first: a copy read before someone deleted the passage is refused
    (`Annotation.DoesNotExist`), never saved back as a new row."""
    with corpus_write(annotation.article_id):
        lock_current(annotation, None)
        before = audit.snapshot(annotation)
        article = Article.objects.get(pk=annotation.article_id)
        text = resolve_span(body=article.body, start=start, end=end, exact=exact)
        annotation.start, annotation.end, annotation.exact = start, end, text
        annotation.prefix, annotation.suffix = anchoring.context(article.body, start, end)
        annotation.anchor_status = Annotation.AnchorStatus.ANCHORED
        annotation.anchored_revision = article.revision
        annotation.previous_exact = ""
        annotation.full_clean(exclude=CHECKED_BY_THE_STEPS, validate_constraints=False)
        annotation.save()
        audit.record(annotation, action=audit.Action.UPDATE, actor=user, via=via, before=before)
    return annotation


@transaction.atomic(durable=True)
def annotation_reattach(
    *,
    annotation: Annotation,
    user,
    start: int,
    end: int,
    exact: str,
    via: str = audit.Via.ORPHAN_QUEUE,
) -> Annotation:
    """Point a passage (typically orphaned or fuzzy) at new text of the current body."""
    if not can_edit(user, annotation):
        raise PermissionDenied("You may only change your own passages.")
    return reattach_passage(
        annotation=annotation, user=user, start=start, end=end, exact=exact, via=via
    )


@transaction.atomic(durable=True)
def annotation_accept_fuzzy(
    *, annotation: Annotation, user, via: str = audit.Via.ORPHAN_QUEUE
) -> Annotation:
    """Confirm a fuzzy match: the passage now reads its new text and counts as anchored."""
    if not can_edit(user, annotation):
        raise PermissionDenied("You may only change your own passages.")
    with corpus_write(annotation.article_id):
        lock_current(annotation, None)
        if annotation.anchor_status != Annotation.AnchorStatus.FUZZY:
            raise ValidationError("Only a fuzzy passage can be accepted.", code="not_fuzzy")
        return reattach_passage(
            annotation=annotation,
            user=user,
            start=annotation.start,
            end=annotation.end,
            exact=annotation.exact,
            via=via,
        )


def delete_passage(
    *, annotation: Annotation, user, if_modified=None, via: str = audit.Via.OTHER
) -> None:
    """Step of `annotation_delete`, for a bulk delete (the admin's) in one transaction."""
    if not can_delete(user, annotation):
        raise PermissionDenied("You may only delete your own passages.")
    with corpus_write(annotation.article_id):
        lock_current(annotation, if_modified)
        audit.record(annotation, action=audit.Action.DELETE, actor=user, via=via)
        annotation.delete()


@transaction.atomic(durable=True)
def annotation_delete(
    *, annotation: Annotation, user, if_modified=None, via: str = audit.Via.OTHER
) -> None:
    """Delete a passage; its last state stays in the history, where editors restore it."""
    delete_passage(annotation=annotation, user=user, if_modified=if_modified, via=via)


@transaction.atomic(durable=True)
def annotations_delete(
    *, annotations: Iterable[Annotation], user, via: str = audit.Via.OTHER
) -> None:
    """Delete several passages at once (all or none)."""
    for annotation in annotations:
        delete_passage(annotation=annotation, user=user, via=via)
