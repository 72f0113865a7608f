"""The Content Security Policy holds everywhere: a walk through the public site, the admin
and the workspace finds no console error (a CSP violation is one), and the policy never
allows inline or eval'd script."""

import pytest

from annotations.actions.passages import annotation_delete
from audit.models import HistoryRecord
from tests.browser.conftest import login
from tests.factories import make_annotation, make_article, make_editor, make_organization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_walk_public_admin_and_workspace_without_csp_violations(page, screenshot):
    editor = make_editor("walker")
    organization = make_organization("Walk Council")
    article = make_article(
        "The Walk Council said 42\u00a0percent of claims failed. \U0001f600 Caf\u00e9.",
        title="A walk",
    )
    passage = make_annotation(
        article, exact="42\u00a0percent", tags=["statistic"], organization=organization
    )
    gone = make_annotation(article, exact="Caf\u00e9")
    annotation_delete(annotation=gone, user=editor)
    record = HistoryRecord.objects.filter(action="delete").get()

    csp_headers, failures = [], []
    page.on("response", lambda r: failures.append(r.url) if r.status >= 400 else None)
    page.on(
        "response",
        lambda r: (
            csp_headers.append(r.headers.get("content-security-policy"))
            if r.request.resource_type == "document"
            else None
        ),
    )
    public = [
        "/",
        "/articles/",
        article.get_absolute_url(),
        "/passages/",
        organization.get_absolute_url(),
        article.outlet.get_absolute_url(),
        "/tags/statistic/",
        "/accounts/login/",
    ]
    for url in public:
        page.goto(url)
        page.wait_for_load_state("networkidle")
    login(page, "walker")
    admin = [
        "/admin/",
        "/admin/articles/article/",
        f"/admin/articles/article/{article.pk}/change/",
        "/admin/articles/article/add/",
        "/admin/annotations/annotation/",
        f"/admin/annotations/annotation/{passage.pk}/change/",
        "/admin/annotations/annotation/add/",
        "/admin/annotations/tag/",
        "/admin/articles/organization/",
        f"/admin/articles/organization/{organization.pk}/change/",
        "/admin/audit/historyrecord/",
        f"/admin/audit/historyrecord/{record.pk}/change/",
        "/admin/audit/historyrecord/deleted-passages/",
    ]
    workspace = ["/workspace/", f"/workspace/articles/{article.slug}/", "/workspace/orphans/"]
    for url in admin + workspace:
        page.goto(url)
        page.wait_for_load_state("networkidle")
    # Interactive admin widgets run their scripts: the autocomplete and the collapse toggle.
    page.goto(f"/admin/articles/article/{article.pk}/change/")
    page.locator(".select2-selection").first.click()
    page.wait_for_load_state("networkidle")
    screenshot("csp-walk-admin-article")
    # Restore the deleted passage from the admin (a POST through its own form).
    page.goto("/admin/audit/historyrecord/deleted-passages/")
    page.get_by_role("button", name="Restore").click()
    page.wait_for_load_state()
    assert page.locator(".messagelist .success").count() == 1
    screenshot("csp-walk-restored")

    assert failures == []
    assert page.console_errors == []
    assert csp_headers and all(csp_headers), "every page carries the policy"
    for header in set(csp_headers):
        directives = dict(part.strip().split(" ", 1) for part in header.split(";"))
        assert directives["script-src"] == "'self'"
        assert "unsafe" not in header
