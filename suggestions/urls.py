"""The suggestions' workspace page, included at `workspace/suggestions/`."""

from django.urls import path

from suggestions import views

urlpatterns = [
    path("", views.SuggestionCountsView.as_view(), name="suggestion-counts"),
]
