"""The public site's URLs: home, articles, outlets, organizations, passages, tags, analysis."""

from django.urls import include, path

from publishing import article_page, views
from publishing.refi import views as refi
from publishing.w3c import views as w3c

urlpatterns = [
    path("analysis/", include("publishing.analysis.urls")),
    path("tags.css", views.TagStylesView.as_view(), name="tag-styles"),
    path("passages/", views.PassageListView.as_view(), name="passage-list"),
    path("passages/export.csv", views.PassageExportView.as_view(), name="passage-export"),
    path(
        "passages/article-choices.json",
        views.ArticleChoicesView.as_view(),
        name="passage-article-choices",
    ),
    path(
        "passages/export.jsonld", w3c.AnnotationExportView.as_view(), name="passage-export-jsonld"
    ),
    path("annotations/", w3c.AnnotationContainerView.as_view(), name="w3c-container"),
    path("annotations/<int:pk>", w3c.AnnotationDetailView.as_view(), name="w3c-annotation"),
    path("passages/export.qdpx", refi.QdpxExportView.as_view(), name="passage-export-qdpx"),
    path("tags/codebook.qdc", refi.CodebookView.as_view(), name="tag-codebook"),
    path("tags/<slug:slug>/", views.TagDetailView.as_view(), name="tag-detail"),
    path("", views.HomeView.as_view(), name="home"),
    path("articles/", views.ArticleListView.as_view(), name="article-list"),
    path("articles/<slug:slug>/", article_page.ArticleDetailView.as_view(), name="article-detail"),
    path("outlets/<slug:slug>/", views.OutletDetailView.as_view(), name="outlet-detail"),
    path(
        "organizations/<slug:slug>/",
        views.OrganizationDetailView.as_view(),
        name="organization-detail",
    ),
]
