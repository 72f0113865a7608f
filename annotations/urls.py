from django.urls import path

from annotations import views

urlpatterns = [
    path("tags.css", views.TagStylesView.as_view(), name="tag-styles"),
]
