"""The admin's tag and organization forms refuse what the actions refuse, as form errors
(never a server error): an unreadable colour, an organization cycle."""

import pytest
from django.urls import reverse

from annotations.models import Tag
from articles.actions.organizations import organization_upsert
from articles.models import Organization
from tests.factories import make_editor, make_organization

pytestmark = pytest.mark.django_db


def test_admin_refuses_an_unreadable_tag_colour(client):
    client.force_login(make_editor())
    quote = Tag.objects.get(slug="quote")
    url = reverse("admin:annotations_tag_change", args=[quote.pk])
    form = {"name": "quote", "slug": "quote", "colour": "#202020", "description": "", "position": 0}
    response = client.post(url, form)
    assert response.status_code == 200
    assert "hard to read" in response.content.decode()
    assert Tag.objects.get(pk=quote.pk).colour != "#202020"


def test_admin_refuses_an_organization_cycle(client):
    client.force_login(make_editor())
    parent = make_organization("Parent Org")
    child, _ = organization_upsert(name="Child Org", parent=parent)
    url = reverse("admin:articles_organization_change", args=[parent.pk])
    response = client.post(
        url,
        {
            "name": "Parent Org",
            "slug": parent.slug,
            "kind": "advocacy",
            "parent": str(child.pk),
            "aliases": "",
            "homepage": "",
            "description": "",
        },
    )
    assert response.status_code == 200
    assert "affiliate of itself" in response.content.decode()
    assert Organization.objects.get(pk=parent.pk).parent_id is None
