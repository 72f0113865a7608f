"""The two layouts stay one page: `templates/base.html` (the Django-template pages: the
workspace, log-in, revisions, errors) and `templates/publishing/base.html` (the Jinja2
public pages) render the same header, messages, footer and stylesheet for every visitor."""

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
    jinja2 = rendered("jinja2", "publishing/base.html", user)
    assert_same_markup(jinja2, django)
