"""The suggestions' JSON API, included at `api/` (documented in docs/api.md)."""

from django.urls import path

from suggestions import api

urlpatterns = [
    path(
        "articles/<int:pk>/suggestions/",
        api.SuggestionListView.as_view(),
        name="api-article-suggestions",
    ),
    path(
        "articles/<int:pk>/suggestions/dismiss/",
        api.SuggestionDismissView.as_view(),
        name="api-article-suggestion-dismiss",
    ),
]
