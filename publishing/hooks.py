"""The one write hook of the derived data: every action writes inside `corpus_write`.

It gives the write its transaction (a savepoint inside the action's durable one), keeps
the maintained facet counts right for the articles the write touches, and moves the
corpus version on (so cached pages go stale):

    with corpus_write(passage.article_id):
        passage.save()

    with corpus_write() as write:      # the article does not exist yet
        article.save()
        write.recount(article.pk, created=True)

    with corpus_write(article.pk, adding=True) as write:   # new passages only
        passage.save()
        write.added(passage, tag_ids)

A `corpus_write` inside another (a step an action composes) joins the outer one: each
article is tallied once, before the first change to it. An action never calls
`corpus_changed()` or the counts itself; forgetting is not possible because nothing else
opens a write.

Two rows every write changes: the corpus version and the counts every passage adds to
(the total, a busy outlet's). Holding their locks for a whole write made writers queue
one behind the other (14-26 API creates a second, whatever the clients). So the write's
own transaction locks only its articles (in id order) and their `ArticleFacet` rows; once
it commits, the count deltas go in (one upsert per table, its rows in key order, so no two
writers deadlock) and then the version moves, each statement committing on its own
(`publishing.counts.count_deltas_add`): no row lock is held while Python runs, where a
writer that lost its core inside a transaction held every other writer's bump behind
it. The version moves after the data and the counts it announces are committed: a page
rendered in between shows them under the old version, and is stale as soon as the
version moves. A crash after the write's commit leaves counts a write behind
(`manage.py recount_facets` rebuilds them), or the version: the next write moves it.

On SQLite (one writer at a time anyway) and inside a test's transaction (which never
commits) the deltas are applied at the end of the outermost write instead, in its own
transaction.
"""

import threading
from contextlib import contextmanager

from django.db import transaction

from publishing.counts import Recount, count_deltas_add

_open = threading.local()  # the outermost write's Recount, per thread (and so per connection)


@contextmanager
def corpus_write(*article_ids: int, created: bool = False, adding: bool = False):
    """Run a write to the corpus: one transaction, these articles' facet contributions
    recounted at the end (more may be added with `.recount()`), the version moved.

    `adding=True`: the write only adds passages to these articles, and reports each
    with `.added(passage, tag_ids)` once saved; what they add is worked out from them
    instead of recounting the articles (`publishing.passage_delta`)."""
    outer = getattr(_open, "recount", None)
    with transaction.atomic():
        if outer is not None:
            outer.recount(*article_ids, created=created, adding=adding)
            yield outer
            return
        recount = _open.recount = Recount()
        try:
            recount.recount(*article_ids, created=created, adding=adding)
            yield recount
            count_deltas_add(recount.apply())
        finally:
            _open.recount = None
