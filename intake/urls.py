"""The import page and its parts, included at `workspace/import/`."""

from django.urls import path

from intake import views

urlpatterns = [
    path("", views.ImportView.as_view(), name="intake-import"),
    path("batches/<int:pk>/", views.BatchView.as_view(), name="intake-batch"),
    path("batches/<int:pk>/status.json", views.BatchStatusView.as_view(), name="intake-status"),
    path("snapshots/<int:pk>/", views.SnapshotView.as_view(), name="intake-snapshot"),
    path("snapshots/<int:pk>/raw", views.SnapshotRawView.as_view(), name="intake-snapshot-raw"),
]
