"""The one write hook of the derived data: every action writes inside `corpus_write`.

It gives the write its transaction (a savepoint inside the action's durable one), moves
the corpus version on first thing (so cached pages go stale, and writers queue on one row
in one order: they cannot deadlock), and keeps the maintained facet counts right for the
articles the write touches:

    with corpus_write(passage.article_id):
        passage.save()

    with corpus_write() as write:      # the article does not exist yet
        article.save()
        write.recount(article.pk, created=True)

A `corpus_write` inside another (a step an action composes) joins the outer one: the
version moves once, and each article is tallied once, before the first change to it.
An action never calls `corpus_changed()` or the counts itself; forgetting is not possible
because nothing else opens a write.
"""

import threading
from contextlib import contextmanager

from django.db import transaction

from publishing.counts import Recount
from publishing.version import corpus_changed

_open = threading.local()  # the outermost write's Recount, per thread (and so per connection)


@contextmanager
def corpus_write(*article_ids: int, created: bool = False):
    """Run a write to the corpus: one transaction, the version bumped, these articles'
    facet contributions recounted at the end (more may be added with `.recount()`)."""
    outer = getattr(_open, "recount", None)
    with transaction.atomic():
        if outer is not None:
            outer.recount(*article_ids, created=created)
            yield outer
            return
        corpus_changed()
        recount = _open.recount = Recount()
        try:
            recount.recount(*article_ids, created=created)
            yield recount
            recount.apply()
        finally:
            _open.recount = None
