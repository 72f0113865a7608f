from django.urls import path

from annotations import views

urlpatterns = [
    path("tags.css", views.TagStylesView.as_view(), name="tag-styles"),
    path("passages/", views.PassageListView.as_view(), name="passage-list"),
    path("passages/export.csv", views.PassageExportView.as_view(), name="passage-export"),
    path("tags/<slug:slug>/", views.TagDetailView.as_view(), name="tag-detail"),
]
