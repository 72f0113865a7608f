"""The Jinja2 environment of the public pages (`TEMPLATES` in cms/settings.py).

What the templates may call beyond Jinja2's own: `url()` and `static()` as Django's tags,
`id_url()` for a route of one id printed once per row (a passage's on a page of hundreds),
`pluralize` as Django's filter, `web_url` (`publishing.templatetags.links`), and
`urlencode` quoting as Django's filter does (Jinja2's keeps `/`, Django's too; the same
function serves both). Everything else a page shows comes precomputed by its presenters
(`publishing.presenters`), so templates only print.
"""

import functools

from django.template.defaultfilters import pluralize, urlencode
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from jinja2 import Environment

from publishing.templatetags.links import web_url


def url(name: str, *args, **kwargs) -> str:
    """`{% url name arg... %}`: the path of a named route."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


@functools.lru_cache(maxsize=64)
def _id_route(name: str, script_prefix: str) -> tuple[str, str]:
    """The path of `name` around its one id argument, reversed once (per script prefix)."""
    marker = 987654321987654321
    before, _, after = reverse(name, args=[marker]).partition(str(marker))
    return before, after


def id_url(name: str, pk: int) -> str:
    """`url(name, pk)` for a route whose only argument is an integer id, without a
    `reverse()` per call (about 10 µs each: 5 ms on a page of 500 passages)."""
    before, after = _id_route(name, get_script_prefix())
    return f"{before}{int(pk)}{after}"


def environment(**options) -> Environment:
    env = Environment(**options)  # noqa: S701 (autoescape is on in settings.TEMPLATES)
    env.globals.update(url=url, id_url=id_url, static=static)
    env.filters.update(pluralize=pluralize, web_url=web_url, urlencode=urlencode)
    return env
