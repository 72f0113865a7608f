"""`/analysis/`: the page, its charts and its CSV (included by publishing.urls)."""

from django.urls import path

from publishing.analysis import views

urlpatterns = [
    path("", views.AnalysisView.as_view(), name="analysis"),
    path("crosstab.csv", views.CrosstabCsvView.as_view(), name="analysis-crosstab-csv"),
    path("cooccurrence.csv", views.CooccurrenceCsvView.as_view(), name="analysis-cooccurrence-csv"),
    path("charts/<slug:chart>.svg", views.ChartView.as_view(), name="analysis-chart"),
]
