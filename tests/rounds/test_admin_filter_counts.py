"""The passage changelist's outlet and organization filters rank by the maintained counts,
which hold every passage: for a coder of an open blind round they are corrected by what is
hidden from them, so no option (or order) gives away the other coders' passages."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.models import Tag
from rounds.actions import round_close, round_create
from tests.annotations.test_admin_changelist import CHANGELIST_QUERIES
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_editor,
    make_organization,
    make_outlet,
)

pytestmark = pytest.mark.django_db

BODY = "The council said 42 percent of bridges failed. The union disputed the figure."


def options(client, parameter: str) -> list[int]:
    """The option ids a filter lists, in order."""
    html = client.get(reverse("admin:annotations_annotation_changelist")).content.decode()
    return [int(pk) for pk in re.findall(rf'href="\?{re.escape(parameter)}=(\d+)"', html)]


def test_a_blind_coder_sees_filters_counted_on_what_they_see(client):
    editor, ana, bob = make_editor("ed"), make_annotator("ana"), make_annotator("bob")
    hidden_outlet, open_outlet = make_outlet("Hidden Gazette"), make_outlet("Open Herald")
    busy, quiet, secret = (make_organization(name) for name in ("Busy", "Quiet", "Secret"))
    in_round = make_article(BODY, outlet=hidden_outlet)
    elsewhere = make_article(BODY, outlet=open_outlet)
    tag = Tag.objects.get(slug="statistic")
    round_ = round_create(
        name="Blind", articles=[in_round], coders=[ana, bob], tags=[tag], editor=editor
    )
    # bob, on the round's article: two passages for Busy, one for Secret.
    make_annotation(in_round, exact="council", annotator=bob, organization=busy)
    make_annotation(in_round, exact="42 percent", annotator=bob, organization=busy)
    make_annotation(in_round, exact="bridges", annotator=bob, organization=secret)
    # Outside the round: Busy once, Quiet twice.
    make_annotation(elsewhere, exact="council", annotator=editor, organization=busy)
    make_annotation(elsewhere, exact="union", annotator=editor, organization=quiet)
    make_annotation(elsewhere, exact="figure", annotator=editor, organization=quiet)

    organization, outlet = "organization__id__exact", "article__outlet__id__exact"
    client.force_login(editor)  # sees everything: Busy 3, Quiet 2, Secret 1
    assert options(client, organization) == [busy.pk, quiet.pk, secret.pk]
    assert options(client, outlet) == [hidden_outlet.pk, open_outlet.pk]  # 3 each, by id
    client.force_login(ana)  # sees Busy 1, Quiet 2, and nothing on the round's article
    assert options(client, organization) == [quiet.pk, busy.pk]
    assert options(client, outlet) == [open_outlet.pk]
    client.force_login(bob)  # his own passages: all of them
    assert options(client, organization) == [busy.pk, quiet.pk, secret.pk]
    # The same number of queries for a blind coder as for anyone.
    client.force_login(ana)
    with CaptureQueriesContext(connection) as context:
        client.get(reverse("admin:annotations_annotation_changelist"))
    assert len(context.captured_queries) == CHANGELIST_QUERIES
    # Once the round closes, blindness ends and so does the correction.
    round_close(round=round_, editor=editor, coder_passages="draft")
    assert options(client, organization) == [busy.pk, quiet.pk, secret.pk]
