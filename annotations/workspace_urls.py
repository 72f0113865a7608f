"""The annotation workspace, included at `workspace/`."""

from django.urls import path

from annotations import workspace
from annotations.imports.views import ImportAnnotationsView

urlpatterns = [
    path("", workspace.WorkspaceIndexView.as_view(), name="workspace"),
    path(
        "import-annotations/",
        ImportAnnotationsView.as_view(),
        name="workspace-import-annotations",
    ),
    path(
        "articles/<slug:slug>/",
        workspace.WorkspaceArticleView.as_view(),
        name="workspace-article",
    ),
]
