"""`{% article_item article %}`, `{% passage_item passage %}` and `{% facet_fieldsets %}`:
listing markup written in Python (`publishing.listing_html`), for every template using it."""

from django import template

from publishing import listing_html

register = template.Library()


@register.simple_tag(takes_context=True)
def article_item(context, article):
    return listing_html.article_item(article, _urls(context))


@register.simple_tag(takes_context=True)
def passage_item(context, passage):
    return listing_html.passage_item(passage, _urls(context))


@register.simple_tag
def facet_fieldsets(facets, form, match_cap):
    return listing_html.facet_fieldsets(facets, form, match_cap)


def _urls(context) -> dict:
    """One reverse() per object and page: the rows of a page share outlets, tags, articles."""
    # The bottom of the render context lasts the whole page (includes push their own).
    return context.render_context.dicts[0].setdefault("listing_urls", {})
