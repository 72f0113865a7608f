"""Login throttling (django-axes), password validators, and deactivated annotators."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from annotations.actions.tokens import api_token_create
from annotations.models import Annotation
from tests.factories import make_annotation, make_annotator, make_article, make_editor, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def attempt(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    return 3


def test_after_the_failure_limit_even_the_right_password_is_refused(client, limit):
    make_annotator("alice", password="right-horse-battery")
    for _ in range(limit - 1):
        assert attempt(client, "alice", "wrong").status_code == 200  # the form again
    response = attempt(client, "alice", "wrong")
    assert response.status_code == 429
    response = attempt(client, "alice", "right-horse-battery")
    assert response.status_code == 429
    assert b"Too many failed logins" in response.content
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_username_and_address(client, limit):
    make_annotator("alice", password="right-horse-battery")
    make_annotator("bob", password="other-horse-battery")
    for _ in range(limit):
        attempt(client, "alice", "wrong")
    # Same person from another address, and another person from the same address, get in.
    assert attempt(Client(), "alice", "right-horse-battery", "10.0.0.2").status_code == 302
    assert attempt(Client(), "bob", "other-horse-battery").status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, limit, settings):
    make_annotator("alice", password="right-horse-battery")
    for _ in range(limit):
        attempt(client, "alice", "wrong")
    assert attempt(client, "alice", "right-horse-battery").status_code == 429
    # Move the recorded failures back past the cool-off, as time passing would.
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert attempt(client, "alice", "right-horse-battery").status_code == 302


def test_the_admin_login_is_throttled_too(client, limit):
    make_annotator("alice", password="right-horse-battery")
    for _ in range(limit):
        client.post("/admin/login/", {"username": "alice", "password": "x"}, REMOTE_ADDR="1.2.3.4")
    response = client.post(
        "/admin/login/",
        {"username": "alice", "password": "right-horse-battery"},
        REMOTE_ADDR="1.2.3.4",
    )
    assert response.status_code == 429


def test_a_forged_forwarded_for_header_does_not_reset_the_count(client, limit):
    """Not behind a proxy: X-Forwarded-For is the client's to invent, so it is ignored."""
    make_annotator("alice", password="right-horse-battery")
    for n in range(limit):
        client.post(
            LOGIN, {"username": "alice", "password": "x"}, HTTP_X_FORWARDED_FOR=f"9.9.9.{n}"
        )
    response = client.post(
        LOGIN,
        {"username": "alice", "password": "right-horse-battery"},
        HTTP_X_FORWARDED_FOR="9.9.9.99",
    )
    assert response.status_code == 429


@pytest.mark.parametrize("password", ["short", "password123", "12345678901234", "aliceeeee"])
def test_weak_passwords_are_refused(password):
    user = make_annotator("alice")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_deactivated_annotator_cannot_log_in_or_use_tokens_but_keeps_their_passages(client):
    """Annotation.annotator is PROTECT: deactivating (not deleting) keeps the work."""
    annotator = make_annotator("gone", password="right-horse-battery")
    article = make_article()
    passage = make_annotation(article, exact="quick", annotator=annotator)
    key = api_token_create(user=annotator, name="script")
    annotator.is_active = False
    annotator.save()

    assert attempt(client, "gone", "right-horse-battery").status_code == 200  # form again
    assert "_auth_user_id" not in client.session
    response = Client().get("/api/annotations/", headers={"authorization": f"Bearer {key}"})
    assert (response.status_code, response.json()["error"]["code"]) == (401, "invalid_token")

    # The passages stay: listed publicly, in the API, and in the CSV export.
    assert Annotation.objects.filter(pk=passage.pk).exists()
    listing = Client().get(f"/api/annotations/?article={article.pk}").json()
    assert [p["annotator"] for p in listing["results"]] == ["gone"]
    assert b"quick" in Client().get("/passages/").content
    export = b"".join(Client().get("/passages/export.csv").streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(export.lstrip("\ufeff"))))
    assert [row["annotator"] for row in rows] == ["gone"]


def test_attempts_during_a_lock_do_not_extend_it(client, limit, settings, monkeypatch):
    """The lock runs from the last failure before it began: retrying while locked, with the
    right password or a wrong one, neither lets the user in nor restarts the cool-off."""
    import axes.handlers.proxy

    make_annotator("alice", password="right-horse-battery")
    start = timezone.now()
    clock = {"now": start}
    monkeypatch.setattr(axes.handlers.proxy, "now", lambda: clock["now"])
    for _ in range(limit):
        attempt(client, "alice", "wrong")
    for minutes, password in ((5, "right-horse-battery"), (10, "wrong"), (14, "wrong")):
        clock["now"] = start + timedelta(minutes=minutes)
        assert attempt(client, "alice", password).status_code == 429
    clock["now"] = start + settings.AXES_COOLOFF_TIME + timedelta(seconds=1)
    assert attempt(client, "alice", "right-horse-battery").status_code == 302


def test_the_lock_page_names_who_can_really_unlock_an_account(client, limit):
    """Editors cannot touch the lock records (403); a site administrator can."""
    from axes.models import AccessAttempt

    make_annotator("alice", password="right-horse-battery")
    for _ in range(limit):
        attempt(client, "alice", "wrong")
    page = attempt(client, "alice", "wrong").content.decode()
    assert "editor" not in page
    assert "The lock lifts by itself 0:15:00 (hours:minutes:seconds) after" in page
    assert "A site administrator can lift it sooner." in page

    editor = Client()
    editor.force_login(make_editor("edna"))
    assert editor.get("/admin/axes/accessattempt/").status_code == 403
    admin = Client()
    admin.force_login(make_user("root", group=None, is_superuser=True))
    pk = AccessAttempt.objects.get().pk
    response = admin.post(f"/admin/axes/accessattempt/{pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert attempt(Client(), "alice", "right-horse-battery").status_code == 302
