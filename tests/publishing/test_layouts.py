"""One layout for both engines: `templates/base.html` is extended by the Django-template
pages (the workspace, log-in, revisions, errors) and by the Jinja2 public pages, and each
engine renders it to the same header, messages, footer and stylesheet for every visitor."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory

from tests.factories import make_user
from tests.markup import assert_same_markup

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">')


def rendered(engine: str, template: str, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}
    html = render_to_string(template, {"user": user}, request=request, using=engine)
    return CSRF.sub("<csrf>", html)


@pytest.mark.parametrize("staff", [None, False, True])
def test_the_jinja2_layout_is_the_django_layout(staff):
    user = AnonymousUser() if staff is None else make_user("someone")
    if staff is False:
        user.is_staff = False
    django = rendered("django", "base.html", user)
    jinja2 = rendered("jinja2", "base.html", user)
    assert_same_markup(jinja2, django)
    if staff is None:
        assert 'href="/accounts/login/"' in django and "Log out" not in django
        assert "csrfmiddlewaretoken" not in django  # no CSRF cookie for anonymous pages
    else:
        assert "Log out someone" in django and "<csrf>" in django
        assert ('href="/admin/"' in django) is bool(staff)


def test_there_is_one_layout_file():
    from pathlib import Path

    from django.conf import settings

    templates = Path(settings.BASE_DIR) / "templates"
    layouts = sorted(p.name for p in templates.rglob("base*.html") if "admin" not in p.parts)
    assert layouts == ["base.html"]
