"""Every write to passages and tags goes through these functions.

The admin, the workspace, the JSON API and management commands all call them; they
validate (raising `ValidationError` with a `code`), check permissions (raising
`PermissionDenied`) and write inside one transaction, so a failure writes nothing.
"""

from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, prefetch_related_objects

from annotations import anchoring, tag_tree
from annotations.models import Annotation, ApiToken, Tag, check_note
from articles.models import Article, Organization
from audit import services as audit
from publishing.counts import facet_counts_recounted
from publishing.version import corpus_changed

UNSET = object()


class StalePassage(ValidationError):
    """The passage changed since the caller read it (its `modified` is not the one sent)."""

    status = 409  # the JSON API's reply


def _lock_current(annotation: Annotation, if_modified) -> Annotation:
    """Lock the passage's row and reload it, so concurrent writes serialise and each one
    starts from the latest committed state; refuse with `stale_passage` when the caller
    read a version (`if_modified`, the passage's `modified`) that is no longer current."""
    current = Annotation.objects.select_for_update().filter(pk=annotation.pk).first()
    if current is None:
        raise Annotation.DoesNotExist(f"No passage with id {annotation.pk}.")
    if if_modified is not None and current.modified != if_modified:
        raise StalePassage(
            "This passage changed since you read it. Reload it and apply your change again.",
            code="stale_passage",
        )
    annotation.refresh_from_db()
    return annotation


def can_edit(user, annotation: Annotation) -> bool:
    """Editors change any passage; annotators only their own."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.has_perm("annotations.edit_any_annotation"):
        return True
    return annotation.annotator_id == user.pk and user.has_perm("annotations.change_annotation")


def can_delete(user, annotation: Annotation) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.has_perm("annotations.edit_any_annotation"):
        return user.has_perm("annotations.delete_annotation")
    return annotation.annotator_id == user.pk and user.has_perm("annotations.delete_annotation")


def resolve_tags(tags: Iterable[str | Tag]) -> list[Tag]:
    """Tags by instance, slug or (case-insensitive) name; unknown ones raise `unknown_tag`."""
    wanted: list[str] = []
    resolved: list[Tag] = []
    for tag in tags:
        if isinstance(tag, Tag):
            resolved.append(tag)
        elif isinstance(tag, str) and tag.strip():
            wanted.append(tag.strip())
        else:
            raise ValidationError(
                {"tags": ValidationError(f"{tag!r} is not a tag name.", code="invalid_tag")}
            )
    if wanted:
        query = Q()
        for value in wanted:
            query |= Q(slug=value) | Q(name__iexact=value)
        found = list(Tag.objects.filter(query))
        unknown = [
            value
            for value in wanted
            if not any(t.slug == value or t.name.lower() == value.lower() for t in found)
        ]
        if unknown:
            raise ValidationError(
                {
                    "tags": ValidationError(
                        "Unknown tag: %(tags)s.",
                        code="unknown_tag",
                        params={"tags": ", ".join(unknown)},
                    )
                }
            )
        resolved.extend(found)
    return list({tag.pk: tag for tag in resolved}.values())


def resolve_organization(organization: Organization | int | None) -> Organization | None:
    if organization is None or isinstance(organization, Organization):
        if organization is not None and organization.pk is None:
            raise ValidationError(
                {
                    "organization": ValidationError(
                        "Unsaved organization.", code="unknown_organization"
                    )
                }
            )
        return organization
    if isinstance(organization, bool) or not isinstance(organization, int):
        raise ValidationError(
            {
                "organization": ValidationError(
                    "The organization must be an id or null.", code="invalid_organization"
                )
            }
        )
    try:
        return Organization.objects.get(pk=organization)
    except Organization.DoesNotExist:
        raise ValidationError(
            {
                "organization": ValidationError(
                    "No organization with id %(id)s.",
                    code="unknown_organization",
                    params={"id": organization},
                )
            }
        ) from None


def resolve_span(*, body: str, start, end, exact) -> str:
    """Check a selection against the body; returns the body's own text for it.

    `start`/`end` are code-point offsets. A selection that differs from the body only in
    whitespace (browsers turn NBSP into spaces and rewrite line breaks) is accepted and
    the body's text is stored.
    """
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(
                {name: ValidationError("Offsets must be whole numbers.", code="invalid_offset")}
            )
    if not isinstance(exact, str):
        raise ValidationError({"exact": ValidationError("Must be text.", code="invalid_exact")})
    if start < 0 or end > len(body):
        raise ValidationError(
            "The offsets %(start)s–%(end)s fall outside the article (0–%(length)s).",
            code="offsets_out_of_range",
            params={"start": start, "end": end, "length": len(body)},
        )
    if start >= end:
        raise ValidationError(
            "The passage is empty: start must be before end.", code="empty_passage"
        )
    text = body[start:end]
    if text != exact and not anchoring.same_but_whitespace(text, exact):
        raise ValidationError(
            {
                "exact": ValidationError(
                    "The quote does not match the article text at %(start)s–%(end)s.",
                    code="quote_mismatch",
                    params={"start": start, "end": end},
                )
            }
        )
    if not text.strip():
        raise ValidationError("The passage is only whitespace.", code="blank_passage")
    return text


def _check_status(status: str) -> None:
    if status not in Annotation.Status.values:
        raise ValidationError(
            {
                "status": ValidationError(
                    "Status must be one of: %(choices)s.",
                    code="invalid_status",
                    params={"choices": ", ".join(Annotation.Status.values)},
                )
            }
        )


@transaction.atomic
def annotation_create(
    *,
    article: Article,
    start: int,
    end: int,
    exact: str,
    tags: Sequence[str | Tag] = (),
    organization: Organization | int | None = None,
    note: str = "",
    annotator,
    status: str = Annotation.Status.PUBLISHED,
    via: str = audit.Via.OTHER,
) -> Annotation:
    """Create a passage of `article` at code points [start, end) with its context."""
    corpus_changed()
    if not (annotator and annotator.is_authenticated and annotator.is_active) or not (
        annotator.has_perm("annotations.add_annotation")
    ):
        raise PermissionDenied("You may not create passages.")
    if not isinstance(note, str):
        raise ValidationError({"note": ValidationError("Must be text.", code="invalid_note")})
    check_note(note)
    _check_status(status)
    text = resolve_span(body=article.body, start=start, end=end, exact=exact)
    resolved_tags = resolve_tags(tags)
    resolved_org = resolve_organization(organization)
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
    )
    annotation.full_clean(exclude=["tags"])
    with facet_counts_recounted(article.pk):
        annotation.save()
        if resolved_tags:
            annotation.tags.set(resolved_tags)
    audit.record(annotation, action=audit.Action.CREATE, actor=annotator, via=via)
    return annotation


@transaction.atomic
def annotation_update(
    *,
    annotation: Annotation,
    user,
    tags=UNSET,
    organization=UNSET,
    note=UNSET,
    status=UNSET,
    if_modified=None,
    via: str = audit.Via.OTHER,
) -> Annotation:
    """Change a passage's coding (tags, organization, note, status); never its span.

    `if_modified`: the `modified` time the caller read; if the passage changed since, a
    `StalePassage` (code `stale_passage`) is raised and nothing is written.
    """
    corpus_changed()
    if not can_edit(user, annotation):
        raise PermissionDenied("You may only change your own passages.")
    _lock_current(annotation, if_modified)
    before = audit.snapshot(annotation)
    if note is not UNSET:
        if not isinstance(note, str):
            raise ValidationError({"note": ValidationError("Must be text.", code="invalid_note")})
        check_note(note)
        annotation.note = note
    if status is not UNSET:
        _check_status(status)
        annotation.status = status
    if organization is not UNSET:
        annotation.organization = resolve_organization(organization)
    resolved_tags = resolve_tags(tags) if tags is not UNSET else None
    annotation.full_clean(exclude=["tags"])
    with facet_counts_recounted(annotation.article_id):
        annotation.save()
        if resolved_tags is not None:
            annotation.tags.set(resolved_tags)
    audit.record(annotation, action=audit.Action.UPDATE, actor=user, via=via, before=before)
    return annotation


@transaction.atomic
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
    corpus_changed()
    if not can_edit(user, annotation):
        raise PermissionDenied("You may only change your own passages.")
    before = audit.snapshot(annotation)
    article = Article.objects.get(pk=annotation.article_id)
    text = resolve_span(body=article.body, start=start, end=end, exact=exact)
    annotation.start, annotation.end, annotation.exact = start, end, text
    annotation.prefix, annotation.suffix = anchoring.context(article.body, start, end)
    annotation.anchor_status = Annotation.AnchorStatus.ANCHORED
    annotation.anchored_revision = article.revision
    annotation.previous_exact = ""
    annotation.full_clean(exclude=["tags"])
    annotation.save()
    audit.record(annotation, action=audit.Action.UPDATE, actor=user, via=via, before=before)
    return annotation


@transaction.atomic
def annotation_accept_fuzzy(
    *, annotation: Annotation, user, via: str = audit.Via.ORPHAN_QUEUE
) -> Annotation:
    """Confirm a fuzzy match: the passage now reads its new text and counts as anchored."""
    corpus_changed()
    if not can_edit(user, annotation):
        raise PermissionDenied("You may only change your own passages.")
    if annotation.anchor_status != Annotation.AnchorStatus.FUZZY:
        raise ValidationError("Only a fuzzy passage can be accepted.", code="not_fuzzy")
    return annotation_reattach(
        annotation=annotation,
        user=user,
        start=annotation.start,
        end=annotation.end,
        exact=annotation.exact,
        via=via,
    )


@transaction.atomic
def annotation_delete(
    *, annotation: Annotation, user, if_modified=None, via: str = audit.Via.OTHER
) -> None:
    """Delete a passage; its last state stays in the history, where editors restore it."""
    corpus_changed()
    if not can_delete(user, annotation):
        raise PermissionDenied("You may only delete your own passages.")
    _lock_current(annotation, if_modified)
    audit.record(annotation, action=audit.Action.DELETE, actor=user, via=via)
    with facet_counts_recounted(annotation.article_id):
        annotation.delete()


@transaction.atomic
def annotations_reanchor(*, article: Article, old_body: str, actor=None) -> dict[str, int]:
    """Re-place every passage of `article` after its body changed from `old_body`.

    Called by `articles.services.article_revise` inside its transaction. No passage is
    ever deleted: those that cannot be found are marked orphaned and keep their quote.
    Returns how many passages ended in each anchor status.
    """
    corpus_changed()
    passages = list(Annotation.objects.select_for_update().filter(article=article).order_by("id"))
    if not passages:
        return {}
    # Whole rows and their tags (two queries): the history keeps a full snapshot of each.
    prefetch_related_objects(passages, "tags")
    befores = {passage.pk: audit.snapshot(passage) for passage in passages}
    placements = anchoring.reanchor(
        old_body,
        article.body,
        [anchoring.Anchor(p.start, p.end, p.exact, p.prefix, p.suffix) for p in passages],
    )
    counts: dict[str, int] = {}
    changed = []
    for passage, placement in zip(passages, placements, strict=True):
        status = Annotation.AnchorStatus(str(placement.status))
        counts[status] = counts.get(status, 0) + 1
        if status == Annotation.AnchorStatus.FUZZY and passage.anchor_status != status:
            passage.previous_exact = passage.exact
        elif status == Annotation.AnchorStatus.ANCHORED:
            passage.previous_exact = ""
        if status != Annotation.AnchorStatus.ORPHANED:
            passage.start, passage.end = placement.start, placement.end
            passage.exact = placement.exact
            passage.prefix, passage.suffix = placement.prefix, placement.suffix
            passage.anchored_revision = article.revision
        passage.anchor_status = status
        changed.append(passage)
    Annotation.objects.bulk_update(
        changed,
        [
            "start",
            "end",
            "exact",
            "prefix",
            "suffix",
            "anchor_status",
            "anchored_revision",
            "previous_exact",
        ],
        batch_size=500,
    )
    audit.record_many(
        changed, action=audit.Action.UPDATE, actor=actor, via=audit.Via.REANCHOR, befores=befores
    )
    return counts


@transaction.atomic
def tag_save(*, tag: Tag, actor=None, via: str = audit.Via.OTHER) -> Tag:
    """Create or change a tag (name, slug, colour, description, parent)."""
    corpus_changed()
    tag_tree.check_parent(tag, tag.parent)
    return audit.save_recorded(tag, actor=actor, via=via)


@transaction.atomic
def tag_delete(*, tag: Tag, actor=None, via: str = audit.Via.OTHER) -> None:
    """Delete a tag; the passages that carried it lose it (each one's history shows it)."""
    corpus_changed()
    passages = list(Annotation.objects.filter(tags=tag).prefetch_related("tags"))
    befores = {passage.pk: audit.snapshot(passage) for passage in passages}
    audit.record(tag, action=audit.Action.DELETE, actor=actor, via=via)
    tag.delete()
    for passage in passages:
        passage._prefetched_objects_cache.clear()
    prefetch_related_objects(passages, "tags")
    audit.record_many(passages, action=audit.Action.UPDATE, actor=actor, via=via, befores=befores)


@transaction.atomic
def api_token_create(*, user, name: str, token: ApiToken | None = None) -> str:
    """Create a personal API token for `user`; returns the key, which is never stored."""
    if not name.strip():
        raise ValidationError({"name": ValidationError("Name the token.", code="required")})
    key = ApiToken.generate_key()
    token = token or ApiToken()
    token.user, token.name = user, name.strip()
    token.key_prefix, token.key_sha256 = key[:8], ApiToken.hash_key(key)
    token.full_clean()
    token.save()
    return key


@transaction.atomic
def api_tokens_revoke(*, tokens, at) -> int:
    return tokens.filter(revoked=None).update(revoked=at)
