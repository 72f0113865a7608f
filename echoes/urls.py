"""The echoes' public page, included at the site's root."""

from django.urls import path

from echoes.views import FirstAppearanceView

urlpatterns = [
    path("echoes/", FirstAppearanceView.as_view(), name="echoes-first-appearance"),
]
