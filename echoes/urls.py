"""The echoes' public pages, included at the site's root."""

from django.urls import path

from echoes.views import AlsoInView, FirstAppearanceView, PassageEchoesView

urlpatterns = [
    path("echoes/", FirstAppearanceView.as_view(), name="echoes-first-appearance"),
    path("echoes/also-in/", AlsoInView.as_view(), name="echoes-also-in"),
    path("echoes/passages/<int:pk>/", PassageEchoesView.as_view(), name="echoes-passage"),
]
