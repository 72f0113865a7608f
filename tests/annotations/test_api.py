"""The JSON API: shapes, error codes, permissions, CSRF and tokens."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from annotations.actions.tokens import api_token_create
from annotations.models import Annotation, ApiToken
from articles.models import Article
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_editor,
    make_organization,
    make_user,
)

LIST = "/api/annotations/"
BODY = (
    "Officials said 42\u00a0percent of claims failed. "
    "\U0001f1fa\U0001f1f8 Cafe\u0301 \u201cquoted\u201d."
)


def detail(pk: int) -> str:
    return f"/api/annotations/{pk}/"


def send(client, method: str, url: str, payload=None, **extra):
    if method == "get":
        return client.get(url, **extra)
    data = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    return getattr(client, method)(url, data=data, content_type="application/json", **extra)


def error(response) -> tuple[int, str, dict]:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return response.status_code, body["error"]["code"], body["error"]["fields"]


def field_codes(fields: dict) -> dict:
    return {name: [e["code"] for e in errors] for name, errors in fields.items()}


@pytest.fixture
def annotator(db):
    return make_annotator("ann")


@pytest.fixture
def article(db):
    return make_article(BODY)


@pytest.fixture
def client_a(annotator):
    client = Client()
    client.force_login(annotator)
    return client


def valid_payload(article, /, **overrides) -> dict:
    start = BODY.index("42")
    end = BODY.index(" of")
    return {
        "article": article.pk,
        "start": start,
        "end": end,
        "exact": "42 percent",  # the browser's selection: NBSP read as a space
        "tags": ["statistic"],
        "organization": None,
        "note": "",
        "fields": {},
        "status": "published",
    } | overrides


def test_create_returns_the_annotation_with_the_bodys_own_text(client_a, article, annotator):
    """A POST stores body[start:end] (with its NBSP), not the selection's spaces."""
    organization = make_organization("Refugee Council", aliases=["RC"])
    response = send(client_a, "post", LIST, valid_payload(article, organization=organization.pk))
    assert response.status_code == 201
    passage = Annotation.objects.get()
    assert response["Location"] == f"http://testserver/api/annotations/{passage.pk}/"
    assert response.json() == {
        "id": passage.pk,
        "article": article.pk,
        "start": 15,
        "end": 25,
        "exact": "42\u00a0percent",
        "prefix": "Officials said ",
        "suffix": BODY[25:57],  # 32 code points
        "tags": ["statistic"],
        "organization": organization.pk,
        "note": "",
        "fields": {},
        "status": "published",
        "adjudicated": False,
        "annotator": "ann",
        "created": passage.created.isoformat(),
        "modified": passage.modified.isoformat(),
    }
    assert passage.exact == article.body[passage.start : passage.end]


def test_offsets_are_code_points_after_emoji_and_combining_marks(client_a, article):
    """The flag is two code points, the combining accent one: Python indices, not UTF-16."""
    start = BODY.index("\u201cquoted")
    payload = valid_payload(article, start=start, end=start + 8, exact="\u201cquoted\u201d")
    response = send(client_a, "post", LIST, payload)
    assert response.status_code == 201, response.json()
    assert response.json()["exact"] == BODY[start : start + 8]
    # The flag's two astral code points are four UTF-16 units before the passage.
    assert len(BODY[:start].encode("utf-16-le")) // 2 == start + 2


def test_get_lists_passages_of_an_article(client, article, annotator):
    """The listing is paginated JSON, filtered by article."""
    passage = make_annotation(article, exact="Officials", annotator=annotator)
    make_annotation(make_article("Other text here."), exact="Other", annotator=annotator)
    response = client.get(LIST, {"article": article.pk})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["next"] is None and body["previous"] is None
    assert [p["id"] for p in body["results"]] == [passage.pk]
    assert client.get(detail(passage.pk)).json() == body["results"][0]


def test_list_filters(client, annotator):
    """tag, outlet, organization, annotator and status filter the listing."""
    organization = make_organization()
    article = make_article("Alpha beta gamma delta.")
    first = make_annotation(article, exact="Alpha", annotator=annotator, tags=["statistic"])
    second = make_annotation(
        article,
        exact="beta",
        annotator=make_annotator("bob"),
        tags=["quote"],
        organization=organization,
    )
    staff = Client()
    staff.force_login(annotator)
    draft = make_annotation(article, exact="gamma", annotator=annotator, status="draft")

    def ids(c, **params):
        return [p["id"] for p in c.get(LIST, params).json()["results"]]

    assert ids(client, tag="statistic") == [first.pk]
    assert ids(client, tag=["statistic", "quote"]) == [first.pk, second.pk]
    assert ids(client, organization=organization.pk) == [second.pk]
    assert ids(client, annotator="bob") == [second.pk]
    assert ids(client, outlet=article.outlet.slug) == [first.pk, second.pk]
    assert error(client.get(LIST, {"outlet": "nowhere"}))[:2] == (400, "invalid_filter")
    assert ids(client, q="beta") == [second.pk]
    assert ids(client, status="draft") == []  # anonymous never sees drafts
    assert ids(staff, status="draft") == [draft.pk]


def test_list_query_count_is_constant(client, django_assert_num_queries, annotator):
    """Count, page and one prefetch of every tag, however many passages."""
    article = make_article("word " * 60)
    for n in range(3):
        make_annotation(article, exact="word", occurrence=n, annotator=annotator, tags=["quote"])
    with django_assert_num_queries(3):
        assert len(client.get(LIST).json()["results"]) == 3
    for n in range(3, 40):
        make_annotation(
            article, exact="word", occurrence=n, annotator=annotator, tags=["quote", "statistic"]
        )
    with django_assert_num_queries(3):
        assert len(client.get(LIST).json()["results"]) == 40


def test_list_paginates(client, annotator, settings):
    article = make_article("word " * 120)
    for n in range(101):
        make_annotation(article, exact="word", occurrence=n, annotator=annotator)
    first = client.get(LIST, {"article": article.pk}).json()
    assert first["count"] == 101 and len(first["results"]) == 100
    assert first["next"] == f"http://testserver/api/annotations/?article={article.pk}&page=2"
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert error(client.get(LIST, {"page": 9})) == (404, "not_found", {})


# --- Every error code; nothing written on any of them ---------------------------------


@pytest.mark.parametrize(
    ("payload", "code", "fields"),
    [
        ("{not json", "malformed_json", {}),
        (b"\xff\xfe", "malformed_json", {}),
        ("[1, 2]", "malformed_json", {}),
        ("null", "malformed_json", {}),
        ({"start": "15"}, "invalid_type", {"start": ["invalid_type"]}),
        ({"end": True}, "invalid_type", {"end": ["invalid_type"]}),
        ({"start": 15.0}, "invalid_type", {"start": ["invalid_type"]}),
        ({"tags": "statistic"}, "invalid_type", {"tags": ["invalid_type"]}),
        ({"tags": [1]}, "invalid_type", {"tags": ["invalid_type"]}),
        ({"organization": "1"}, "invalid_type", {"organization": ["invalid_type"]}),
        ({"note": None}, "invalid_type", {"note": ["invalid_type"]}),
        ({"status": 1}, "invalid_type", {"status": ["invalid_type"]}),
        ({"article": "1"}, "invalid_type", {"article": ["invalid_type"]}),
        ({"colour": "red"}, "unknown_field", {"colour": ["unknown_field"]}),
        ({"start": -1}, "offsets_out_of_range", {}),
        ({"end": len(BODY) + 1}, "offsets_out_of_range", {}),
        ({"start": 20, "end": 20}, "empty_passage", {}),
        ({"start": 25, "end": 15}, "empty_passage", {}),
        ({"exact": "43 percent"}, "quote_mismatch", {"exact": ["quote_mismatch"]}),
        ({"tags": ["statistic", "nonsense"]}, "unknown_tag", {"tags": ["unknown_tag"]}),
        ({"tags": [" "]}, "invalid_tag", {"tags": ["invalid_tag"]}),
        (
            {"organization": 999999},
            "unknown_organization",
            {"organization": ["unknown_organization"]},
        ),
        ({"status": "secret"}, "invalid_status", {"status": ["invalid_status"]}),
        ({"article": 999999}, "unknown_article", {"article": ["unknown_article"]}),
        ({"start": 14, "end": 15, "exact": " "}, "blank_passage", {}),
    ],
)
def test_invalid_input_is_a_400_with_a_code(client_a, article, payload, code, fields):
    """Each kind of bad input has its own code, and nothing is written."""
    if isinstance(payload, dict):
        payload = valid_payload(article, **payload)
    status, got_code, got_fields = error(send(client_a, "post", LIST, payload))
    assert (status, got_code, field_codes(got_fields)) == (400, code, fields)
    assert not Annotation.objects.exists()


def test_missing_fields_are_required(client_a):
    response = send(client_a, "post", LIST, {"tags": []})
    status, code, fields = error(response)
    assert (status, code) == (400, "required")
    assert field_codes(fields) == {
        name: ["required"] for name in ("article", "start", "end", "exact")
    }


def test_error_body_is_exact(client_a, article):
    response = send(client_a, "post", LIST, valid_payload(article, tags=["nonsense"]))
    assert response.json() == {
        "error": {
            "code": "unknown_tag",
            "message": "Unknown tag: nonsense.",
            "fields": {"tags": [{"code": "unknown_tag", "message": "Unknown tag: nonsense."}]},
        }
    }


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"start": 0}, "unknown_field"),
        ({"note": 5}, "invalid_type"),
        ({"tags": ["nonsense"]}, "unknown_tag"),
        ({"organization": 999999}, "unknown_organization"),
        ({"status": "gone"}, "invalid_status"),
    ],
)
def test_invalid_patch_changes_nothing(client_a, article, annotator, payload, code):
    passage = make_annotation(article, exact="Officials", annotator=annotator, tags=["quote"])
    before = (passage.modified, passage.note, passage.status)
    response = send(client_a, "patch", detail(passage.pk), {"note": "changed"} | payload)
    assert error(response)[:2] == (400, code)
    passage.refresh_from_db()
    assert (passage.modified, passage.note, passage.status) == before
    assert list(passage.tags.names()) == ["quote"]


def test_patch_changes_only_the_coding(client_a, article, annotator):
    organization = make_organization()
    passage = make_annotation(article, exact="Officials", annotator=annotator, tags=["quote"])
    response = send(
        client_a,
        "patch",
        detail(passage.pk),
        {
            "tags": ["statistic", "legal-argument"],
            "organization": organization.pk,
            "note": "n",
            "status": "draft",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["tags"], body["organization"], body["note"], body["status"]) == (
        ["legal-argument", "statistic"],
        organization.pk,
        "n",
        "draft",
    )
    assert (body["start"], body["end"], body["exact"]) == (0, 9, "Officials")


def test_missing_annotation_is_404(client_a):
    for method in ("get", "patch", "delete"):
        assert error(send(client_a, method, detail(999999), {})) == (404, "not_found", {})


def test_unsupported_method_is_405(client_a):
    response = send(client_a, "put", LIST, {})
    assert error(response) == (405, "method_not_allowed", {})
    assert response["Allow"] == "GET, POST, HEAD, OPTIONS"


# --- Permission matrix ----------------------------------------------------------------

ACTORS = ["anonymous", "owner", "other_annotator", "editor"]
EXPECTED = {
    # action: status for anonymous, annotator A (owner), annotator B, editor
    "read": (200, 200, 200, 200),
    "read_draft": (404, 200, 200, 200),
    "create": (401, 201, 201, 201),
    "edit": (401, 200, 403, 200),
    "delete": (401, 204, 403, 204),
}


@pytest.mark.parametrize("action", EXPECTED)
@pytest.mark.parametrize("actor", ACTORS)
def test_permission_matrix(db, actor, action):
    """Anyone reads published passages; staff read drafts; annotators change only their own;
    editors change any; anonymous callers change nothing."""
    owner = make_annotator("owner")
    users = {
        "anonymous": None,
        "owner": owner,
        "other_annotator": make_annotator("other"),
        "editor": make_editor("editor"),
    }
    article = make_article(BODY)
    status = "draft" if action == "read_draft" else "published"
    passage = make_annotation(article, exact="Officials", annotator=owner, status=status)
    client = Client()
    if users[actor]:
        client.force_login(users[actor])
    before = Annotation.objects.get(pk=passage.pk).note
    if action in ("read", "read_draft"):
        response = client.get(detail(passage.pk))
    elif action == "create":
        response = send(client, "post", LIST, valid_payload(article))
    elif action == "edit":
        response = send(client, "patch", detail(passage.pk), {"note": "edited"})
    else:
        response = client.delete(detail(passage.pk))
    expected = EXPECTED[action][ACTORS.index(actor)]
    assert response.status_code == expected
    if expected == 401:
        assert error(response)[1] == "authentication_required"
        assert response["WWW-Authenticate"] == 'Bearer realm="gloss"'
    elif expected == 403:
        assert error(response)[1] == "forbidden"
    elif expected == 404:
        assert error(response)[1] == "not_found"
    if expected >= 400 and action in ("edit", "delete", "create"):
        assert Annotation.objects.count() == 1
        assert Annotation.objects.get(pk=passage.pk).note == before


def test_logged_in_user_without_permissions_cannot_create(db, article):
    client = Client()
    reader = make_user("reader", group=None)
    reader.is_staff = False
    reader.save()
    client.force_login(reader)
    assert error(send(client, "post", LIST, valid_payload(article)))[:2] == (403, "forbidden")
    assert not Annotation.objects.exists()


def test_anonymous_does_not_read_passages_of_draft_articles(client, annotator):
    article = make_article(BODY, status=Article.Status.DRAFT)
    passage = make_annotation(article, exact="Officials", annotator=annotator)
    assert client.get(LIST).json()["count"] == 0
    assert client.get(detail(passage.pk)).status_code == 404


# --- CSRF and tokens --------------------------------------------------------------------


def test_session_post_without_csrf_token_is_refused(annotator, article):
    client = Client(enforce_csrf_checks=True)
    client.force_login(annotator)
    status, code, _ = error(send(client, "post", LIST, valid_payload(article)))
    assert (status, code) == (403, "csrf_failed")
    assert not Annotation.objects.exists()


def test_session_write_with_csrf_token_is_accepted(annotator, article):
    client = Client(enforce_csrf_checks=True)
    client.force_login(annotator)
    page = client.get(f"/workspace/articles/{article.slug}/")
    token = page.context["csrf_token"]
    response = send(
        client, "post", LIST, valid_payload(article), headers={"X-CSRFToken": str(token)}
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    for method, payload, expected in (("patch", {"note": "x"}, 200), ("delete", None, 204)):
        refused = send(client, method, detail(pk), payload)
        assert error(refused)[:2] == (403, "csrf_failed")
        accepted = send(client, method, detail(pk), payload, headers={"X-CSRFToken": str(token)})
        assert accepted.status_code == expected


def test_token_authenticates_without_csrf(annotator, article):
    """Scripts send a Bearer token and no cookie; CSRF does not apply to them."""
    key = api_token_create(user=annotator, name="script")
    client = Client(enforce_csrf_checks=True)
    auth = {"Authorization": f"Bearer {key}"}
    response = send(client, "post", LIST, valid_payload(article), headers=auth)
    assert response.status_code == 201
    assert response.json()["annotator"] == "ann"
    token = ApiToken.objects.get()
    assert token.last_used is not None
    assert (
        send(
            client, "patch", detail(response.json()["id"]), {"note": "n"}, headers=auth
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    "header",
    ["Bearer wrong-key", "Token {key}", "Bearer", "Basic dXNlcjpwdw=="],
)
def test_bad_tokens_are_401(annotator, article, header):
    key = api_token_create(user=annotator, name="script")
    response = send(
        Client(),
        "post",
        LIST,
        valid_payload(article),
        headers={"Authorization": header.format(key=key)},
    )
    assert error(response)[:2] == (401, "invalid_token")
    assert not Annotation.objects.exists()


def test_revoked_token_and_inactive_user_are_refused(annotator, article):
    key = api_token_create(user=annotator, name="script")
    auth = {"Authorization": f"Bearer {key}"}
    ApiToken.objects.update(revoked=timezone.now())
    assert error(Client().get(LIST, headers=auth))[:2] == (401, "invalid_token")
    ApiToken.objects.update(revoked=None)
    annotator.is_active = False
    annotator.save()
    assert error(Client().get(LIST, headers=auth))[:2] == (401, "invalid_token")


def test_token_reads_drafts_of_its_staff_owner(annotator, article):
    passage = make_annotation(article, exact="Officials", annotator=annotator, status="draft")
    key = api_token_create(user=annotator, name="script")
    response = Client().get(detail(passage.pk), headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200


def test_invalid_filter_is_400(client):
    status, code, fields = error(client.get(LIST, {"article": "abc", "status": "nope"}))
    assert (status, code) == (400, "invalid_filter")
    assert set(fields) == {"article", "status"}


# --- Organizations for autocomplete --------------------------------------------------------


def test_organizations_list_mentioned_first(client, db):
    from articles.actions.articles import article_set_organizations

    zeta = make_organization("Zeta Union", aliases=["ZU"])
    alpha = make_organization("Alpha Council")
    article = make_article("The Zeta Union said so.")
    article_set_organizations(article=article, organizations=[zeta])
    body = client.get("/api/organizations/", {"article": article.pk}).json()
    assert body == {
        "results": [
            {"id": zeta.pk, "name": "Zeta Union", "aliases": ["ZU"], "mentioned": True},
            {"id": alpha.pk, "name": "Alpha Council", "aliases": [], "mentioned": False},
        ]
    }
    by_alias = client.get("/api/organizations/", {"q": "zu"}).json()["results"]
    assert [o["id"] for o in by_alias] == [zeta.pk]
    assert error(client.get("/api/organizations/", {"article": "x"}))[:2] == (400, "invalid_filter")
