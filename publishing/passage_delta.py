"""What new passages add to the maintained counts, worked out from the passages and the
article's stored `ArticleFacet` pairs, instead of tallying the article before and after
the write (`publishing.counts.tally`: eight grouped queries and their compilation, half
of an API create's time).

A new passage only adds: one to each count and cell its own facets name, and, for each
audience, the article pairs (article, tag) and (article, organization) it is the first
to give. A new tag pair also adds the article to the co-occurrence cells of that tag
with every tag the article already holds for that audience, and with itself. The
article's pairs before the write are its `ArticleFacet` rows, read once; the write has
locked the article first (`Recount.recount(..., adding=True)`), so no other write
changes them meanwhile.

The delta is the same Counter `tally()`'s difference gives, keyed the same way; the
tests compare both after every kind of create (`tests/publishing/test_passage_delta.py`).
"""

from collections import Counter
from collections.abc import Iterable

from articles.visibility import PUBLISHED
from publishing.cross_cells import cell_add
from publishing.models import ArticleFacet, CrossCount, FacetCount
from rounds.models import Round

L, A, Fc, T = FacetCount.Listing, FacetCount.Audience, FacetCount.Facet, CrossCount.Table


def month_number(value) -> int:
    """`YYYYMM` of a date (a `date`, or text on SQLite); 0 for undated."""
    if value is None:
        return 0
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return int(text[:4]) * 100 + int(text[5:7])


class ArticleAdditions:
    """The passages added to one locked article in one write, and what they add."""

    def __init__(self, article_id: int, outlet_id: int, status: str, published, in_round: bool):
        self.article_id, self.outlet_id = article_id, outlet_id
        self.published = status == PUBLISHED
        self.month = month_number(published)
        self.delta: Counter = Counter()
        self.new_pairs: set[tuple[int, str, str, int]] = set()
        self.pairs: set[tuple[str, str, int]] = set(
            ArticleFacet.objects.filter(article_id=article_id).values_list(
                "audience", "facet", "value_id"
            )
        )
        self.tags = {
            audience: {v for a, f, v in self.pairs if a == audience and f == Fc.TAG}
            for audience in A.values
        }
        # The coders of the article's open rounds: none when it is in none (read under the
        # lock), otherwise read at the first passage that needs them.
        self.round_coders: set[int] | None = None if in_round else set()

    def _in_open_round(self, annotator_id: int) -> bool:
        """Whether the annotator codes this article in an open round
        (`rounds.models.open_round_passage_q`, for one passage): the article's open
        rounds' coders are read once."""
        if self.round_coders is None:
            self.round_coders = set(
                Round.coders.through.objects.filter(
                    round__state=Round.State.OPEN, round__articles=self.article_id
                ).values_list("user_id", flat=True)
            )
        return annotator_id in self.round_coders

    def add(
        self,
        *,
        organization_id: int | None,
        status: str,
        adjudicated: bool,
        annotator_id: int,
        tag_ids: Iterable[int],
    ) -> None:
        """One new passage of this article, with its tags."""
        public = (
            status == PUBLISHED
            and self.published
            and (adjudicated or not self._in_open_round(annotator_id))
        )
        audiences = (A.STAFF, A.PUBLIC) if public else (A.STAFF,)
        self._count(Fc.OUTLET, self.outlet_id, audiences)
        self._count(Fc.TOTAL, 0, audiences)
        if organization_id is not None:
            self._count(Fc.ORGANIZATION, organization_id, audiences)
            self._pair(Fc.ORGANIZATION, organization_id, audiences)
        for tag_id in dict.fromkeys(tag_ids):
            self._count(Fc.TAG, tag_id, audiences)
            self._cell(T.TAG_OUTLET, tag_id, self.outlet_id, audiences)
            self._cell(T.MONTH_TAG, self.month, tag_id, audiences)
            if organization_id is not None:
                self._cell(T.ORGANIZATION_TAG, organization_id, tag_id, audiences)
            self._pair(Fc.TAG, tag_id, audiences)

    def _count(self, facet: str, value_id: int, audiences) -> None:
        for audience in audiences:
            self.delta[(L.PASSAGES, audience, facet, value_id)] += 1

    def _cell(self, table: int, row: int, col: int, audiences) -> None:
        for audience in audiences:
            cell_add(self.delta, audience, table, row, col, 1)

    def _pair(self, facet: str, value_id: int, audiences) -> None:
        """The article counts toward the option for these audiences, if it did not yet."""
        for audience in audiences:
            if (audience, facet, value_id) in self.pairs:
                continue
            self.pairs.add((audience, facet, value_id))
            self.new_pairs.add((self.article_id, audience, facet, value_id))
            self.delta[(L.ARTICLES, audience, facet, value_id)] += 1
            if facet == Fc.TAG:
                held = self.tags[audience]
                for other in held:
                    self._cell(T.COOCCURRENCE, value_id, other, (audience,))
                    self._cell(T.COOCCURRENCE, other, value_id, (audience,))
                self._cell(T.COOCCURRENCE, value_id, value_id, (audience,))
                held.add(value_id)
