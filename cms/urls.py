"""URL map: the public site, the workspace and its JSON API, accounts and the admin."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from cms.health import healthz

# The API's errors in its JSON envelope, the site's as pages (a 503 when the database is gone).
handler400 = "cms.errors.bad_request"
handler404 = "cms.errors.page_not_found"
handler500 = "cms.errors.server_error"

admin.site.site_header = "Gloss administration"
admin.site.site_title = "Gloss"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Our login first: staff land on the workspace (annotations/login.py).
    path("accounts/", include("annotations.login_urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("workspace/orphans/", include("annotations.orphan_urls")),
    path("workspace/import/", include("intake.urls")),
    path("workspace/rounds/", include("rounds.urls")),
    path("workspace/suggestions/", include("suggestions.urls")),
    path("workspace/", include("annotations.workspace_urls")),
    path("api/", include("articles.api_urls")),
    path("api/", include("annotations.api_urls")),
    path("api/", include("echoes.api_urls")),
    path("api/", include("suggestions.api_urls")),
    path("", include("articles.history_urls")),
    path("", include("echoes.urls")),
    path("", include("publishing.urls")),
]

if settings.GLOSS_BENCH:
    # Development only, and named by string: the project's URLconf imports no app.
    urlpatterns.insert(0, path("bench/", include("tests.bench.urls")))
