"""Logging in: staff (whoever may code passages) land on the workspace, not the home page.

Django's `LoginView` with one change: when no `next` is given, a user who may add passages
(annotators and editors) goes to `/workspace/`; everyone else to `LOGIN_REDIRECT_URL`. A
`next` (a safe, same-host URL, as Django checks it) still wins.
"""

from django.contrib.auth.views import LoginView
from django.urls import reverse

WORKSPACE_PERMISSION = "annotations.add_annotation"


class WorkspaceLoginView(LoginView):
    def get_default_redirect_url(self):
        user = self.request.user
        if user.is_authenticated and user.has_perm(WORKSPACE_PERMISSION):
            return reverse("workspace")
        return super().get_default_redirect_url()
