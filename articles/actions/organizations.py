"""Organizations: upserted by imports, edited and deleted in the admin."""

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from annotations import tag_fields
from annotations.models import Annotation, TagField
from articles import org_tree
from articles.actions.slugs import unique_slug
from articles.models import Organization
from audit import services as audit
from cms.sentinels import UNSET
from publishing.hooks import corpus_write


def upsert_organization(
    *,
    name: str,
    kind: str = Organization.Kind.OTHER,
    aliases: Sequence[str] = (),
    parent=UNSET,
    actor=None,
    via: str = audit.Via.OTHER,
) -> tuple[Organization, bool]:
    """Step of `organization_upsert`, for actions that compose it (an import). `parent`
    (an `Organization` or None) is changed only when given."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError("An organization needs a name.", code="organization_name_missing")
    if kind not in Organization.Kind.values:
        raise ValidationError(
            f"Unknown organization kind {kind!r}; "
            f"use one of: {', '.join(Organization.Kind.values)}.",
            code="unknown_kind",
        )
    clean_aliases = list(dict.fromkeys(a.strip() for a in aliases if a.strip() and a != name))
    with corpus_write():
        organization = Organization.objects.filter(name__iexact=name).first()
        created = organization is None
        before = None if created else audit.snapshot(organization)
        if created:
            organization = Organization(
                name=name, slug=unique_slug(Organization, name, fallback="organization")
            )
        organization.kind = kind
        organization.aliases = clean_aliases
        if parent is not UNSET:
            org_tree.check_parent(organization, parent)
            organization.parent = parent
        organization.full_clean()
        organization.save()
        action = audit.Action.CREATE if created else audit.Action.UPDATE
        audit.record(organization, action=action, actor=actor, via=via, before=before)
    return organization, created


@transaction.atomic(durable=True)
def organization_upsert(
    *,
    name: str,
    kind: str = Organization.Kind.OTHER,
    aliases: Sequence[str] = (),
    parent=UNSET,
    actor=None,
    via: str = audit.Via.OTHER,
) -> tuple[Organization, bool]:
    """Create the organization, or update kind and aliases (and `parent`, when given) of
    the one with this name."""
    return upsert_organization(
        name=name, kind=kind, aliases=aliases, parent=parent, actor=actor, via=via
    )


@transaction.atomic(durable=True)
def organization_save(
    *, organization: Organization, actor=None, via: str = audit.Via.OTHER
) -> Organization:
    """Create or change an organization as edited (the admin's form); a parent that would
    make a cycle is refused (code `organization_cycle`)."""
    with corpus_write():
        org_tree.check_parent(organization, organization.parent)
        old_slug = (
            Organization.objects.filter(pk=organization.pk).values_list("slug", flat=True).first()
            if organization.pk
            else None
        )
        saved = audit.save_recorded(organization, actor=actor, via=via)
        if old_slug is not None and old_slug != saved.slug:
            # Organization field values name it by slug: they follow it.
            rewrite_organization_values(old_slug, saved.slug, actor=actor, via=via)
        return saved


@transaction.atomic(durable=True)
def organization_delete(
    *, organization: Organization, actor=None, via: str = audit.Via.OTHER
) -> None:
    """Delete an organization; passages attributed to it keep their text, not the link."""
    delete_organization(organization=organization, actor=actor, via=via)


@transaction.atomic(durable=True)
def organizations_delete(
    *, organizations: Iterable[Organization], actor=None, via: str = audit.Via.OTHER
) -> None:
    """Delete several organizations at once (all or none)."""
    for organization in organizations:
        delete_organization(organization=organization, actor=actor, via=via)


def delete_organization(
    *, organization: Organization, actor=None, via: str = audit.Via.OTHER
) -> None:
    """Step of `organization_delete`, for a bulk delete in one transaction."""
    with corpus_write() as write:
        write.forget("organization", organization.pk)
        # Values of organization fields naming it go, as its attributions do (first: the
        # passages below are then read with their fields as rewritten).
        rewrite_organization_values(organization.slug, None, actor=actor, via=via)
        passages = list(
            Annotation.objects.filter(organization=organization).prefetch_related("tags")
        )
        befores = {passage.pk: audit.snapshot(passage) for passage in passages}
        audit.record(organization, action=audit.Action.DELETE, actor=actor, via=via)
        organization.delete()
        for passage in passages:
            passage.organization = None
        audit.record_many(
            passages, action=audit.Action.UPDATE, actor=actor, via=via, befores=befores
        )


def rewrite_organization_values(
    old_slug: str, new_slug: str | None, *, actor=None, via: str = audit.Via.OTHER
) -> None:
    """Step: every passage value of an organization field that names `old_slug` now names
    `new_slug` (the organization's slug changed), or goes (None: it was deleted); each
    passage changed is recorded in its history."""
    keys = [
        tag_fields.key(tag_slug, name)
        for tag_slug, name in TagField.objects.filter(kind=TagField.Kind.ORGANIZATION).values_list(
            "tag__slug", "name"
        )
    ]
    if not keys:
        return
    # As plain text (a JSON key's own `exact` would compare the slug parsed as JSON).
    named = {
        f"value_{i}": Cast(KeyTextTransform(key, "fields"), TextField())
        for i, key in enumerate(keys)
    }
    holding = Q()
    for alias in named:
        holding |= Q(**{alias: old_slug})
    passages = list(Annotation.objects.annotate(**named).filter(holding).prefetch_related("tags"))
    if not passages:
        return
    befores = {passage.pk: audit.snapshot(passage) for passage in passages}
    for passage in passages:
        fields = {}
        for key, value in passage.fields.items():
            if key in keys and value == old_slug:
                if new_slug is None:
                    continue
                value = new_slug
            fields[key] = value
        passage.fields = fields
    Annotation.objects.bulk_update(passages, ["fields"], batch_size=500)
    audit.record_many(passages, action=audit.Action.UPDATE, actor=actor, via=via, befores=befores)
