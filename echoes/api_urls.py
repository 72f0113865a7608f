"""The echoes' JSON endpoints, included at `api/` beside the passages' own."""

from django.urls import path

from echoes import api

urlpatterns = [
    path("annotations/<int:pk>/echoes/", api.EchoListView.as_view(), name="api-annotation-echoes"),
    path(
        "annotations/<int:pk>/echoes/code/",
        api.EchoCodeView.as_view(),
        name="api-annotation-echoes-code",
    ),
]
