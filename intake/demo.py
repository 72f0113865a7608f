"""A handful of demo passages on the seed corpus, found by rule, never by copied text.

The seed articles are third-party text and must not be copied into the project, so the
demo picks sentences at run time: the first sentence with a number is coded `statistic`,
the first long sentence in quotation marks `quote`, the first sentence about courts or
the law `legal argument`; each is attributed to an organization it names, if any.
"""

import re
from dataclasses import dataclass

from django.db import transaction

from annotations.actions.passages import create_passage
from annotations.models import Annotation
from articles.actions.articles import mention_finder
from articles.models import Article

# A sentence: from a capital letter or an opening quote to . ! or ? (with closing quotes).
SENTENCE = re.compile(r"[\"“‘'A-Z][^\n]*?[.!?][\"”’']?(?=\s|$)")
RULES = (
    ("statistic", re.compile(r"\d")),
    ("quote", re.compile(r"^[\"“]|[\"“][^\"”]{40,}[\"”]")),
    (
        "legal argument",
        re.compile(r"\b(?:court|law|legal|unlawful|violat\w*|judge|ruling)\b", re.I),
    ),
)


@dataclass(frozen=True, slots=True)
class Pick:
    tag: str
    start: int
    end: int


def pick_passages(body: str) -> list[Pick]:
    """At most one sentence per rule, each a different sentence of 8 to 60 words."""
    sentences = [m for m in SENTENCE.finditer(body) if 8 <= len(m.group().split()) <= 60]
    picks: list[Pick] = []
    used: set[int] = set()
    for tag, rule in RULES:
        for match in sentences:
            if match.start() not in used and rule.search(match.group()):
                used.add(match.start())
                picks.append(Pick(tag, match.start(), match.end()))
                break
    return picks


@transaction.atomic(durable=True)
def demo_passages_create(*, annotator) -> int:
    """Code a few passages per published article that `annotator` has not coded yet.

    Idempotent: an article where the annotator already has passages is left alone.
    """
    finder = mention_finder()
    coded = set(Annotation.objects.filter(annotator=annotator).values_list("article_id", flat=True))
    created = 0
    for article in Article.objects.published().exclude(pk__in=coded).order_by("pk"):
        for pick in pick_passages(article.body):
            text = article.body[pick.start : pick.end]
            named = sorted(finder.find(text))
            create_passage(
                article=article,
                start=pick.start,
                end=pick.end,
                exact=text,
                tags=[pick.tag],
                organization=named[0] if named else None,
                note="Demo passage, picked by rule.",
                annotator=annotator,
            )
            created += 1
    return created
