"""The Jinja2 environment of the public pages (`TEMPLATES` in cms/settings.py).

What the templates may call beyond Jinja2's own: `url()` and `static()` as Django's tags,
`pluralize` as Django's filter, `web_url` (`publishing.templatetags.links`), and
`urlencode` quoting as Django's filter does (Jinja2's keeps `/`, Django's too; the same
function serves both). Everything else a page shows comes precomputed by its presenters
(`publishing.presenters`), so templates only print.
"""

from django.template.defaultfilters import pluralize, urlencode
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import Environment

from publishing.templatetags.links import web_url


def url(name: str, *args, **kwargs) -> str:
    """`{% url name arg... %}`: the path of a named route."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options) -> Environment:
    env = Environment(**options)  # noqa: S701 (autoescape is on in settings.TEMPLATES)
    env.globals.update(url=url, static=static)
    env.filters.update(pluralize=pluralize, web_url=web_url, urlencode=urlencode)
    return env
