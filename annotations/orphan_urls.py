"""The orphan queue, included at `workspace/orphans/`."""

from django.urls import path

from annotations import orphans

urlpatterns = [
    path("", orphans.OrphanListView.as_view(), name="orphan-list"),
    path("<int:pk>/", orphans.OrphanDetailView.as_view(), name="orphan-detail"),
    path("<int:pk>/accept/", orphans.OrphanAcceptView.as_view(), name="orphan-accept"),
    path("<int:pk>/reattach/", orphans.OrphanReattachView.as_view(), name="orphan-reattach"),
    path("<int:pk>/delete/", orphans.OrphanDeleteView.as_view(), name="orphan-delete"),
]
