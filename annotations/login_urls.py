"""`accounts/login/`, included before `django.contrib.auth.urls` so it takes the name `login`."""

from django.urls import path

from annotations.login import WorkspaceLoginView

urlpatterns = [path("login/", WorkspaceLoginView.as_view(), name="login")]
