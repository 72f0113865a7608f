"""The one visibility rule for drafts, as Wagtail's `live_q()`: staff see everything;
everyone else sees published articles and the published passages of published articles.

Every read path uses it: the QuerySets' `visible_to(user)` / `published()` (articles,
passages, and so the listings, facets and the CSV export), the audience of the maintained
counts (`publishing.facets.audience_of`, `publishing.counts`). Imports no model, so both
apps' models can use it.
"""

from django.db.models import Q

PUBLISHED = "published"  # the value of Article.Status.PUBLISHED and Annotation.Status.PUBLISHED


def sees_drafts(user) -> bool:
    """Staff (annotators and editors) see drafts; anonymous visitors and others do not."""
    return bool(user is not None and user.is_authenticated and user.is_staff)


def article_visible_q(user=None, *, prefix: str = "") -> Q:
    """Articles `user` may see (None: an anonymous visitor); `prefix` for a relation
    path (`"article__"`)."""
    return Q() if sees_drafts(user) else Q(**{f"{prefix}status": PUBLISHED})


def passage_visible_q(user=None, *, prefix: str = "") -> Q:
    """Passages `user` may see: published ones of published articles, or all for staff."""
    if sees_drafts(user):
        return Q()
    return Q(**{f"{prefix}status": PUBLISHED}) & article_visible_q(prefix=f"{prefix}article__")
