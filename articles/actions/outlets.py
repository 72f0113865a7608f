"""Outlets: created by imports (found again by domain or name) and edited in the admin."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from articles.actions.slugs import unique_slug
from articles.models import Outlet
from audit import services as audit
from publishing.hooks import corpus_write


def get_or_create_outlet(
    *, name: str, domain: str = "", actor=None, via: str = audit.Via.OTHER
) -> tuple[Outlet, bool]:
    """Step of `outlet_get_or_create`, for actions that compose it (an import)."""
    name, domain = name.strip(), domain.strip().lower()
    if not name:
        raise ValidationError("An outlet needs a name.", code="outlet_name_missing")
    with corpus_write():
        existing = (
            Outlet.objects.filter(domain=domain).first()
            if domain
            else Outlet.objects.filter(name__iexact=name).first()
        )
        if existing:
            return existing, False
        outlet = Outlet(name=name, domain=domain, slug=unique_slug(Outlet, name, fallback="outlet"))
        if domain:
            outlet.homepage = f"https://{domain}/"
        outlet.full_clean()
        outlet.save()
        audit.record(outlet, action=audit.Action.CREATE, actor=actor, via=via)
    return outlet, True


@transaction.atomic(durable=True)
def outlet_get_or_create(
    *, name: str, domain: str = "", actor=None, via: str = audit.Via.OTHER
) -> tuple[Outlet, bool]:
    """The outlet with this domain (or, without a domain, this name); created if missing."""
    return get_or_create_outlet(name=name, domain=domain, actor=actor, via=via)


@transaction.atomic(durable=True)
def outlet_save(*, outlet: Outlet, actor=None, via: str = audit.Via.OTHER) -> Outlet:
    """Create or change an outlet as edited (the admin's form)."""
    with corpus_write():
        return audit.save_recorded(outlet, actor=actor, via=via)


def delete_outlet(*, outlet: Outlet, actor=None, via: str = audit.Via.OTHER) -> None:
    """Step of `outlet_delete`, for a bulk delete in one transaction."""
    with corpus_write() as write:
        write.forget("outlet", outlet.pk)
        audit.record(outlet, action=audit.Action.DELETE, actor=actor, via=via)
        outlet.delete()


@transaction.atomic(durable=True)
def outlet_delete(*, outlet: Outlet, actor=None, via: str = audit.Via.OTHER) -> None:
    """Delete an outlet (refused by the database while it still has articles)."""
    delete_outlet(outlet=outlet, actor=actor, via=via)


@transaction.atomic(durable=True)
def outlets_delete(*, outlets: Iterable[Outlet], actor=None, via: str = audit.Via.OTHER) -> None:
    """Delete several outlets at once (all or none)."""
    for outlet in outlets:
        delete_outlet(outlet=outlet, actor=actor, via=via)
