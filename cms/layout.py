"""The site's frame as data: navigation, log-in and log-out, the stylesheet.

`templates/base.html` is the one layout of every page. The Django-template pages (the
workspace, log-in, revisions, errors) and the Jinja2 public pages both extend it, so it is
written in the syntax the two engines share (`{{ }}`, `{% if %}`, `{% for %}`, `{% block %}`)
and takes what they would spell differently (URLs, the CSRF field, the user's name) from
here, a context processor of both engines (`TEMPLATES` in cms/settings.py).
"""

from functools import cached_property

from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html

#: The public sections, in the order the navigation shows them.
PUBLIC_LINKS = (
    ("Articles", "/articles/"),
    ("Passages", "/passages/"),
    ("Analysis", "/analysis/"),
    ("Echoes", "/echoes/"),
)


class Frame:
    """What `base.html` shows around a page for this request's visitor."""

    def __init__(self, request, user):
        self.request = request
        self.user = user

    @cached_property
    def stylesheet(self) -> str:
        return static("css/site.css")

    @cached_property
    def links(self) -> list[dict]:
        links = [{"label": label, "url": url} for label, url in PUBLIC_LINKS]
        if self.authenticated:
            links.append({"label": "Workspace", "url": "/workspace/"})
            if self.user.is_staff:
                links.append({"label": "Admin", "url": reverse("admin:index")})
        return links

    @cached_property
    def authenticated(self) -> bool:
        return bool(self.user is not None and self.user.is_authenticated)

    @cached_property
    def username(self) -> str:
        return self.user.get_username() if self.authenticated else ""

    @cached_property
    def login_url(self) -> str:
        return reverse("login")

    @cached_property
    def logout_url(self) -> str:
        return reverse("logout")

    @cached_property
    def csrf_input(self) -> str:
        """The log-out form's CSRF field (only signed-in visitors see that form, so an
        anonymous page never sets the CSRF cookie and stays cacheable)."""
        return format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(self.request)
        )


def frame(request) -> dict:
    """Context processor: `site`, the frame of the page."""
    return {"site": Frame(request, getattr(request, "user", None))}
