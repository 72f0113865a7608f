"""The annotation workspace, included at `workspace/`."""

from django.urls import path

from annotations import codebook_page, workspace
from annotations.imports.views import ImportAnnotationsView

urlpatterns = [
    path("", workspace.WorkspaceIndexView.as_view(), name="workspace"),
    path("codebook/", codebook_page.CodebookView.as_view(), name="workspace-codebook"),
    path("codebook/new/", codebook_page.CodebookCreateView.as_view(), name="codebook-create"),
    path("codebook/merge/", codebook_page.CodebookMergeView.as_view(), name="codebook-merge"),
    path("codebook/<int:pk>/", codebook_page.CodebookUpdateView.as_view(), name="codebook-update"),
    path("codebook/<int:pk>/move/", codebook_page.CodebookMoveView.as_view(), name="codebook-move"),
    path(
        "codebook/<int:pk>/delete/",
        codebook_page.CodebookDeleteView.as_view(),
        name="codebook-delete",
    ),
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
