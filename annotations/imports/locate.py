"""Finding what imported annotations point at: articles, organizations and tags.

An article is found by a page of this site (`/articles/<slug>/`, whatever the host: the
export names its pages by this site's address, which may have moved) or by its original
`url`. URLs are compared normalised: scheme, a leading `www.`, a trailing slash, the
fragment and `utm_*` parameters do not count. Every lookup is a few queries for the whole
file, not one per item.
"""

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.db.models import Q

from annotations.models import Tag
from articles.models import Article, Organization

_ARTICLE_PATH = re.compile(r"^/articles/(?P<slug>[-\w]+)/?$")
_ORGANIZATION_PATH = re.compile(r"^/organizations/(?P<slug>[-\w]+)/?$")
CHUNK = 500  # values per IN (...) list


def normalise_url(url: str) -> str | None:
    """`host/path?query` without scheme, `www.`, trailing slash, fragment and `utm_*`;
    None for something that is not an http(s) address."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = parts.path.rstrip("/")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    query = [(k, v) for k, v in query if not k.lower().startswith("utm_")]
    return host + path + (f"?{urlencode(query)}" if query else "")


def _slug(url: str, pattern: re.Pattern) -> str | None:
    try:
        path = urlsplit(url.strip()).path
    except ValueError:
        return None
    match = pattern.match(path)
    return match["slug"] if match else None


def _chunks(values: list) -> Iterable[list]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def find_articles(addresses: Iterable[str]) -> dict[str, int]:
    """Article id for each address that names one (addresses naming none are left out)."""
    addresses = set(addresses)
    by_slug: dict[str, list[str]] = {}
    by_url: dict[str, list[str]] = {}
    for address in addresses:
        slug = _slug(address, _ARTICLE_PATH)
        if slug:
            by_slug.setdefault(slug, []).append(address)
        normal = normalise_url(address)
        if normal:
            by_url.setdefault(normal, []).append(address)
    found: dict[str, int] = {}
    # An original URL is the more specific name: a news site may itself have /articles/ paths.
    hosts = sorted({normal.split("/", 1)[0].split("?", 1)[0] for normal in by_url})
    for chunk in _chunks(hosts):
        query = Q()
        for host in chunk:
            query |= Q(url__icontains=f"//{host}") | Q(url__icontains=f".{host}")
        for pk, url in Article.objects.filter(query).exclude(url="").values_list("pk", "url"):
            for address in by_url.get(normalise_url(url) or "", ()):
                found[address] = pk
    for chunk in _chunks(sorted(by_slug)):
        for pk, slug in Article.objects.filter(slug__in=chunk).values_list("pk", "slug"):
            for address in by_slug[slug]:
                found.setdefault(address, pk)
    return found


def find_organizations(refs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Organization]:
    """Organization for each ("url", page address) or ("name", name) that names one."""
    refs = set(refs)
    slugs = {ref: _slug(ref[1], _ORGANIZATION_PATH) for ref in refs if ref[0] == "url"}
    names = {ref: ref[1].casefold() for ref in refs if ref[0] == "name"}
    found: dict[tuple[str, str], Organization] = {}
    wanted_slugs = sorted({slug for slug in slugs.values() if slug})
    for chunk in _chunks(wanted_slugs):
        by_slug = {o.slug: o for o in Organization.objects.filter(slug__in=chunk)}
        for ref, slug in slugs.items():
            if slug in by_slug:
                found[ref] = by_slug[slug]
    for chunk in _chunks(sorted(set(names.values()))):
        query = Q()
        for name in chunk:
            query |= Q(name__iexact=name)
        by_name = {o.name.casefold(): o for o in Organization.objects.filter(query)}
        for ref, name in names.items():
            if name in by_name:
                found[ref] = by_name[name]
    return found


def find_tags(names: Iterable[str]) -> dict[str, Tag]:
    """Tag for each name that is a tag's name (any case) or slug, as `resolve_tags` reads them."""
    names = set(names)
    found: dict[str, Tag] = {}
    for chunk in _chunks(sorted(names)):
        query = Q()
        for name in chunk:
            query |= Q(slug=name) | Q(name__iexact=name)
        tags = list(Tag.objects.filter(query))
        for name in chunk:
            match = next((t for t in tags if t.name.casefold() == name.casefold()), None)
            match = match or next((t for t in tags if t.slug == name), None)
            if match is not None:
                found[name] = match
    return found
