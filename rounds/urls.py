"""The round pages, included at `workspace/rounds/`."""

from django.urls import path

from rounds import views

urlpatterns = [
    path("", views.RoundListView.as_view(), name="round-list"),
    path("new/", views.RoundCreateView.as_view(), name="round-create"),
    path("<int:pk>/", views.RoundDetailView.as_view(), name="round-detail"),
    path("<int:pk>/edit/", views.RoundUpdateView.as_view(), name="round-update"),
    path("<int:pk>/done/", views.RoundDoneView.as_view(), name="round-done"),
    path("<int:pk>/close/", views.RoundCloseView.as_view(), name="round-close"),
    path("<int:pk>/agreement/", views.AgreementView.as_view(), name="round-agreement"),
    path("<int:pk>/agreement.csv", views.AgreementCsvView.as_view(), name="round-agreement-csv"),
    path(
        "<int:pk>/articles/<int:article>/",
        views.AdjudicateView.as_view(),
        name="round-adjudicate",
    ),
]
