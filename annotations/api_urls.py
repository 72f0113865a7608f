"""The JSON API, included at `api/` (documented in docs/api.md)."""

from django.urls import path

from annotations import api

urlpatterns = [
    path("annotations/", api.AnnotationListView.as_view(), name="api-annotation-list"),
    path("annotations/<int:pk>/", api.AnnotationDetailView.as_view(), name="api-annotation-detail"),
    path("organizations/", api.OrganizationListView.as_view(), name="api-organization-list"),
]
