"""Checks shared by the passage actions: spans, tags, organizations, statuses, and the
row lock with its staleness test."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Q

from annotations import anchoring
from annotations.models import Annotation, Tag
from articles.models import Organization


class StalePassage(ValidationError):
    """The passage changed since the caller read it (its `modified` is not the one sent)."""

    status = 409  # the JSON API's reply


def lock_current(annotation: Annotation, if_modified) -> Annotation:
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


def check_status(status: str) -> None:
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
