"""The annotation workspace, included at `workspace/`."""

from django.urls import path

from annotations import workspace

urlpatterns = [
    path("", workspace.WorkspaceIndexView.as_view(), name="workspace"),
    path(
        "articles/<slug:slug>/",
        workspace.WorkspaceArticleView.as_view(),
        name="workspace-article",
    ),
]
