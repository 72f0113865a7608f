"""Where logging in lands: staff on the workspace, others on the home page, `next` first."""

import pytest

from tests.factories import make_annotator, make_editor, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def log_in(client, username: str, **extra):
    return client.post(LOGIN, {"username": username, "password": "pw", **extra})


@pytest.mark.parametrize("make", [make_annotator, make_editor])
def test_an_annotator_or_editor_without_next_lands_on_the_workspace(client, make):
    """Annotators and editors came to code: no `next` sends them to /workspace/."""
    make("alice")
    response = log_in(client, "alice")
    assert response.status_code == 302
    assert response["Location"] == "/workspace/"


def test_a_user_who_may_not_code_lands_on_the_home_page(client):
    """A user without the passage permission keeps LOGIN_REDIRECT_URL."""
    make_user("bob", group=None)
    response = log_in(client, "bob")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_safe_next_still_wins_and_an_unsafe_one_does_not(client):
    """`next` is honoured when it is on this site; an off-site one falls back to /workspace/."""
    make_annotator("alice")
    assert log_in(client, "alice", next="/passages/")["Location"] == "/passages/"
    client.logout()
    assert log_in(client, "alice", next="https://evil.example/")["Location"] == "/workspace/"


def test_the_login_page_keeps_its_name_and_form(client):
    """`{% url 'login' %}` still resolves to /accounts/login/, which shows the form."""
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b'action="/accounts/login/"' in response.content
