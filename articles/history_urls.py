"""An article's revision history, included at the site root."""

from django.urls import path

from articles import history

urlpatterns = [
    path(
        "articles/<slug:slug>/revisions/",
        history.RevisionListView.as_view(),
        name="article-revisions",
    ),
    path(
        "articles/<slug:slug>/revisions/diff/",
        history.RevisionDiffView.as_view(),
        name="article-revision-compare",
    ),
    path(
        "articles/<slug:slug>/revisions/<int:number>/diff/",
        history.RevisionDiffView.as_view(),
        name="article-revision-diff",
    ),
]
