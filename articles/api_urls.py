"""The JSON API over articles, included at `api/`."""

from django.urls import path

from articles import api

urlpatterns = [
    path("articles/<int:pk>/", api.ArticleDetailApiView.as_view(), name="api-article-detail"),
]
