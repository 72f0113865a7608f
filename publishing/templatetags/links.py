"""`{{ url|web_url }}`: the URL if it is http(s), else "" (so templates link only web pages).

Model validation already refuses other schemes; this keeps a `javascript:` or `data:`
URL that reached the database some other way (a raw import, an old row) from ever
becoming a link: templates show it as text instead.
"""

from urllib.parse import urlsplit

from django import template

register = template.Library()


@register.filter
def web_url(value) -> str:
    text = str(value or "").strip()
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return ""
    return text if scheme in {"http", "https"} else ""
