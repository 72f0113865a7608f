"""How good the suggestions are: precision and recall against the passages coders made.

A quote or statistic suggestion is a *hit* when a coded passage with the tag its kind
proposes overlaps at least half of it (code points). Precision: hits / suggestions. Recall:
coded passages with that tag that some hit overlaps / coded passages with that tag. The
suggestions are all of them (`include_coded`: nothing left out because it is coded).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from annotations.models import Annotation, attach_tag_lists
from articles.actions.articles import mention_finder
from articles.models import Article
from suggestions.finder import QUOTE, STATISTIC, TAG_SLUGS, Suggestion, find_suggestions

MEASURED = (QUOTE, STATISTIC)


@dataclass(frozen=True, slots=True)
class Score:
    kind: str
    suggested: int
    hits: int
    coded: int
    found: int

    @property
    def precision(self) -> float | None:
        return self.hits / self.suggested if self.suggested else None

    @property
    def recall(self) -> float | None:
        return self.found / self.coded if self.coded else None

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "suggested": self.suggested,
            "hits": self.hits,
            "precision": self.precision,
            "coded": self.coded,
            "found": self.found,
            "recall": self.recall,
        }


def overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def score(kind: str, pairs: Iterable[tuple[list[Suggestion], list[tuple[int, int]]]]) -> Score:
    """`pairs`: per article, its suggestions of `kind` and the spans coded with its tag."""
    suggested = hits = coded = found = 0
    for suggestions, spans in pairs:
        suggested += len(suggestions)
        coded += len(spans)
        matched: set[int] = set()
        for s in suggestions:
            covering = {
                index
                for index, (start, end) in enumerate(spans)
                if 2 * overlap(s.start, s.end, start, end) >= s.end - s.start
            }
            if covering:
                hits += 1
                matched |= covering
        found += len(matched)
    return Score(kind, suggested, hits, coded, found)


def measure(articles=None, passages=None) -> list[Score]:
    """Scores per measured kind over `articles` (default: all) against `passages` (default:
    all anchored ones). Queries: articles, organizations, passages, their tags."""
    articles = list((articles if articles is not None else Article.objects.all()).only("body"))
    passages = passages if passages is not None else Annotation.objects.all()
    coded = attach_tag_lists(
        list(
            passages.filter(article__in=[a.pk for a in articles])
            .anchored()
            .only("id", "article_id", "start", "end")
        )
    )
    finder = mention_finder()
    found = {article.pk: find_suggestions(article.body, finder) for article in articles}
    scores = []
    for kind in MEASURED:
        slug = TAG_SLUGS[kind]
        pairs = [
            (
                [s for s in found[article.pk] if s.kind == kind],
                [
                    (p.start, p.end)
                    for p in coded
                    if p.article_id == article.pk and any(t.slug == slug for t in p.tag_list)
                ],
            )
            for article in articles
        ]
        scores.append(score(kind, pairs))
    return scores
