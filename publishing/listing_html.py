"""The listings' repeated markup (article and passage rows, facet checkboxes), in Python.

A listing page repeats a few small pieces of markup dozens of times, and the template
engine's cost is per variable, filter, tag and include: 20 passage rows and 75 facet
options were most of a cold `/passages/`'s CPU time. These functions write the same
markup as the template pieces they replace, byte for byte: every value escaped as `{{ }}`
would (`escape`, numbers and dates through Django's localization), built as a list of
strings joined once. The templates still call them (`publishing/templatetags/listings.py`),
so every page showing an article or a passage row uses this one definition.
"""

import re

from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_PLACEHOLDER = "0slug0"


def _url(cache: dict | None, name: str, slug: str) -> str:
    """`reverse(name, kwargs={"slug": slug})`, escaped.

    With a page's cache, reverse() runs once per URL name: a plain slug (what SlugField
    allows) needs no quoting, so it takes the place of a placeholder in that one result;
    anything else goes through reverse() itself.
    """
    pattern = None
    if cache is not None and _SLUG.fullmatch(slug):
        pattern = cache.get(name)
        if pattern is None:
            pattern = reverse(name, kwargs={"slug": _PLACEHOLDER}).split(_PLACEHOLDER)
            cache[name] = pattern
    if pattern is None or len(pattern) != 2:
        return escape(reverse(name, kwargs={"slug": slug}))
    return escape(slug.join(pattern))


def _dates(cache: dict | None, published, style: str) -> str:
    """`<time>` with the date as `|date:"Y-m-d"` and `|date:style` write it."""
    key = (published, style)
    html = cache.get(key) if cache is not None else None
    if html is None:
        html = (
            f'<time datetime="{date_format(published, "Y-m-d")}">'
            f"{escape(date_format(published, style))}</time>"
        )
        if cache is not None:
            cache[key] = html
    return html


def article_item(article, urls: dict | None = None) -> SafeString:
    """One `<li class="article-item">`: title, outlet, date, author, passage count."""
    outlet = article.outlet
    parts = [
        '\n<li class="article-item">\n  <h3><a href="',
        _url(urls, "article-detail", article.slug),
        '">',
        escape(article.title),
        "</a>",
        ' <span class="draft-badge">Draft</span>' if article.status == "draft" else "",
        '</h3>\n  <p class="meta">\n    <a href="',
        _url(urls, "outlet-detail", outlet.slug),
        '">',
        escape(outlet.name),
        "</a>\n    ",
    ]
    if article.published:
        parts += [" · ", _dates(urls, article.published, "j F Y")]
    parts.append("\n    ")
    if article.author:
        parts += [" · ", escape(article.author)]
    parts.append("\n    ")
    count = getattr(article, "passage_count", None)
    if count is not None:
        parts += [" · ", localize(count), " passage", pluralize(count)]
    parts.append("\n  </p>\n</li>\n")
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)


def passage_tags(passage) -> list:
    """The passage's tags: the list a page attached (`attach_tag_lists`), else its manager's."""
    tags = getattr(passage, "tag_list", None)
    return list(passage.tags.all()) if tags is None else tags


def passage_item(passage, urls: dict | None = None) -> SafeString:
    """One `<li class="passage-item">`: the quote in context, tag chips, where it is from."""
    tags = passage_tags(passage)
    article = passage.article
    parts = ['\n<li class="passage-item">\n  <blockquote class="passage-context">\n    <p>']
    if passage.prefix:
        parts += ['<span class="context">…', escape(passage.prefix), "</span>"]
    parts += ['<mark class="quote', f" tag-{tags[0].pk}" if tags else "", '">']
    parts += [escape(passage.exact), "</mark>"]
    if passage.suffix:
        parts += ['<span class="context">', escape(passage.suffix), "…</span>"]
    parts.append('</p>\n  </blockquote>\n  <p class="meta">\n    ')
    for tag in tags:
        parts += [
            f'<a class="tag-chip tag-{tag.pk}" href="',
            _url(urls, "tag-detail", tag.slug),
            '">',
            escape(tag.name),
            "</a> ",
        ]
    if not tags:
        parts.append('<span class="muted">No tag</span>')
    parts.append("\n    ")
    if passage.status == "draft":
        parts.append('<span class="draft-badge">Draft</span>')
    parts.append("\n    ")
    if passage.anchor_status == "orphaned":
        parts.append('<span class="draft-badge">Orphaned: text no longer found</span>')
    parts.append('\n  </p>\n  <p class="meta">\n    ')
    organization = passage.organization
    if organization:
        parts += [
            'Attributed to <a href="',
            _url(urls, "organization-detail", organization.slug),
            '">',
            escape(organization.name),
            "</a> · ",
        ]
    in_article = _url(urls, "article-detail", article.slug) + f"#passage-{passage.pk}"
    title = escape(article.title)
    parts += ['\n    In <a href="', in_article, '">', title, "</a>"]
    if article.status == "draft":
        parts.append(' <span class="draft-badge">Draft</span>')
    outlet = article.outlet
    parts += [
        '\n    · <a href="',
        _url(urls, "outlet-detail", outlet.slug),
        '">',
        escape(outlet.name),
        "</a>",
    ]
    if article.published:
        parts += [", ", _dates(urls, article.published, "j M Y")]
    parts.append("\n  </p>\n  ")
    if passage.note:
        parts += ['<p class="note"><span class="label">Note:</span> ', escape(passage.note), "</p>"]
    parts += [
        '\n  <p class="meta">Coded by ',
        escape(passage.annotator.get_username()),
        ' · <a href="',
        in_article,
        '">See it in the article<span class="visually-hidden"> ',
        title,
        "</span></a></p>\n</li>\n",
    ]
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)


def facet_fieldsets(facets: list[dict], form, match_cap: int) -> SafeString:
    """The filter form's facet fieldsets: a checkbox per option with its count.

    `facets` as `FacetedListMixin.facets()` gives them; `form` is the FilterSet's form,
    whose errors for a facet's own parameter are shown in its fieldset.
    """
    parts = []
    for facet in facets:
        parameter = escape(facet["parameter"])
        parts += ['\n    <fieldset class="facet">\n      <legend>', escape(facet["label"])]
        if facet["capped"]:
            parts += [
                ' <span class="count">(in the first ',
                localize(match_cap),
                " matches)</span>",
            ]
        parts.append("</legend>\n      ")
        errors = form.errors.get(facet["parameter"]) if form.is_bound else None
        if errors:
            joined = " ".join(conditional_escape(error) for error in errors)
            parts += ['\n        <div class="error" role="alert">', joined, "</div>\n      "]
        parts.append("\n      ")
        if facet["options"]:
            parts.append("\n        <ul>\n          ")
            for counter, option in enumerate(facet["options"], 1):
                field_id = f"f-{parameter}-{counter}"
                tag_id = option.get("tag_id")
                parts += [
                    '\n            <li>\n              <input type="checkbox" name="',
                    parameter,
                    '" value="',
                    escape(option["slug"]),
                    '" id="',
                    field_id,
                    '"',
                    " checked" if option["selected"] else "",
                    '>\n              <label for="',
                    field_id,
                    '">',
                    f'<span class="swatch tag-{tag_id}" aria-hidden="true"></span>'
                    if tag_id
                    else "",
                    escape(option["name"]),
                    ' <span class="count">(',
                    localize(option["count"]),
                    ")</span></label>\n            </li>\n          ",
                ]
            parts.append("\n        </ul>\n      ")
        else:
            parts.append('\n        <p class="muted">None in these results.</p>\n      ')
        parts.append("\n    </fieldset>\n  ")
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)
