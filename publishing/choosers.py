"""The choices of the passage listing's "Annotator" and "Article" filters, by name.

The filters' values stay internal (a username, an article's slug or exact title), so a
cited URL keeps working; these are what the page offers to pick from: a plain `<select>`
of the annotators (usable without JavaScript) and a `<datalist>` of the articles' titles,
which `static/js/article_choices.js` asks for once the field is used
(`/passages/article-choices.json`); without it, the field takes a typed title or slug.
Each is one query over the passages the visitor may see, at most `CHOOSER_LIMIT` rows.
The articles' is bounded further: only the newest `ARTICLE_SCAN` articles are looked at
(each probed for a visible passage through the passages' article index), so its cost
does not grow with the archive; an older title is still found by typing it.
"""

from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Subquery

from articles.models import Article

# Options offered per chooser: the rest are still found by typing a title or slug.
CHOOSER_LIMIT = 500
# Articles, newest first, the article chooser looks at: testing every article of a
# million-passage archive for a visible passage scanned every passage on every uncached
# /passages/ page (half a second at 20,000 passages).
ARTICLE_SCAN = 1000
# Accounts, by username, the annotator chooser looks at, in one fetch: a team's accounts
# fit many times over; past them an annotator is still found by typing a username.
ACCOUNT_SCAN = 5000


class Choice(NamedTuple):
    value: str
    label: str


def annotator_choices(passages, current: str = "") -> list[Choice]:
    """Who coded any of `passages`, by full name (and username), ordered by username.

    `current` (the request's value) is kept as an option if no one else offers it, so
    the page shows what it filters by.
    """
    user_model = get_user_model()
    username = user_model.USERNAME_FIELD
    # The test is a column of the select, not a WHERE EXISTS: PostgreSQL then probes each
    # user's passages through the annotator index and stops at the first visible one,
    # where a semi-join hashed every visible passage (2.5 s at a million).
    users = (
        user_model.objects.annotate(coded=Exists(passages.filter(annotator=OuterRef("pk"))))
        .order_by(username)
        .values_list(username, "first_name", "last_name", "coded")[:ACCOUNT_SCAN]
    )
    choices = []
    # A plain fetch, not `.iterator()`: on PostgreSQL that is a server-side cursor, three
    # round trips (declare, fetch, close) where the accounts fit in one.
    for name, first, last, coded in users:
        if not coded:
            continue
        full = f"{first} {last}".strip()
        choices.append(Choice(name, f"{full} ({name})" if full else name))
        if len(choices) == CHOOSER_LIMIT:
            break
    if current and current not in {choice.value for choice in choices}:
        choices.append(Choice(current, current))
    return choices


def article_choices(passages) -> list[Choice]:
    """The titles of the articles holding any of `passages`, newest first, among the
    newest `ARTICLE_SCAN` articles."""
    newest = Article.objects.order_by("-published", "title").values("pk")[:ARTICLE_SCAN]
    titles = (
        Article.objects.filter(pk__in=Subquery(newest))
        .filter(Exists(passages.filter(article=OuterRef("pk"))))
        .order_by("-published", "title")
        .values_list("title", "slug")[:CHOOSER_LIMIT]
    )
    return [Choice(title, slug) for title, slug in titles]
