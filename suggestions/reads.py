"""The suggestions a coder is offered on an article: found by rule (`suggestions.finder`),
less what is already coded and what the coder dismissed.

A quote or statistic suggestion counts as coded when a passage the user may see, tagged
with the tag the kind proposes, overlaps it; a mention when a passage attributed to that
organization covers it. A fixed number of queries, whatever the number of suggestions.
"""

from dataclasses import dataclass

from annotations.models import Annotation, Tag, attach_tag_lists
from articles.actions.articles import mention_finder
from articles.models import Article
from suggestions.finder import MENTION, TAG_SLUGS, Suggestion, find_suggestions
from suggestions.models import SuggestionDecision


@dataclass(frozen=True, slots=True)
class Offered:
    """A suggestion as offered: its tag by name (None when no such tag exists)."""

    suggestion: Suggestion
    tag_name: str | None

    def as_json(self) -> dict:
        s = self.suggestion
        return {
            "kind": s.kind,
            "start": s.start,
            "end": s.end,
            "exact": s.exact,
            "tag": self.tag_name,
            "organization": s.organization,
        }


def is_coded(suggestion: Suggestion, passages) -> bool:
    """Whether one of `passages` (with `tag_list`) already codes `suggestion`."""
    for passage in passages:
        if suggestion.kind == MENTION:
            if (
                passage.organization_id == suggestion.organization
                and passage.start <= suggestion.start
                and suggestion.end <= passage.end
            ):
                return True
        elif (
            passage.start < suggestion.end
            and suggestion.start < passage.end
            and any(tag.slug == suggestion.tag for tag in passage.tag_list)
        ):
            return True
    return False


def coded_passages(article: Article, user) -> list[Annotation]:
    """The passages of `article` that `user` may see and whose offsets hold (two queries)."""
    return attach_tag_lists(
        list(
            Annotation.objects.visible_to(user)
            .filter(article=article)
            .anchored()
            .only("id", "start", "end", "organization_id")
        )
    )


def suggestions_for(article: Article, user, *, include_coded: bool = False) -> list[Offered]:
    """What `user` is offered on `article`, in text order."""
    found = find_suggestions(article.body, mention_finder())
    dismissed = set(
        SuggestionDecision.objects.dismissed()
        .by(user)
        .filter(article=article)
        .values_list("kind", "start", "end", "exact")
    )
    found = [s for s in found if (s.kind, s.start, s.end, s.exact) not in dismissed]
    if not include_coded:
        passages = coded_passages(article, user)
        found = [s for s in found if not is_coded(s, passages)]
    slugs = {slug for slug in TAG_SLUGS.values() if slug}
    names = dict(Tag.objects.filter(slug__in=slugs).values_list("slug", "name"))
    return [Offered(s, names.get(s.tag) if s.tag else None) for s in found]
