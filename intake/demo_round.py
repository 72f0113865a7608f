"""The demo's coding round: two demo coders code the seed articles blind, by rule.

The seed articles are third-party text that must not be copied into the project, so the
coders' passages are picked at run time, each coder by their own reading of the codebook
(the same every run, so the demo's agreement table is too):

- `statistic`: the first two sentences with a figure (a number that is not a year).
  Coder 1 codes the whole sentence; coder 2 only the clause that holds the figure (from
  the comma or dash before it).
- `quote`: the first quotation of 40 characters or more. Coder 1 codes it, quotation marks
  included; coder 2 goes on to the end of its sentence (who said it, when it follows).
- `legal argument`: sentences about courts or the law. Coder 1 codes the first, coder 2
  the first two.

Each passage is attributed to an organization the sentence names: coder 1 the first
organization made (the lowest id), coder 2 the last. Both coders mark every article done;
the round stays open, so an editor can read its agreement, adjudicate and close it.

What an editor, then each coder, would do, one action at a time (`round_create`,
`annotation_create`, `round_mark_done`), so a run cut short is finished by the next one:
nothing is coded twice.
"""

import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from annotations.actions.passages import annotation_create
from annotations.models import Annotation, Tag
from articles.actions.articles import mention_finder
from articles.models import Article
from rounds.actions import round_create, round_mark_done
from rounds.models import Round

ROUND_NAME = "Demo round: statistics, quotes and legal arguments"
CODERS = ("coder1", "coder2")
TAGS = ("statistic", "quote", "legal-argument")
INSTRUCTIONS = (
    "Code each figure offered as evidence (statistic), each quotation of a speaker (quote) "
    "and each argument about the law or a court's decision (legal argument). Attribute the "
    "passage to the organization it comes from. Mark each article done when finished."
)
NOTE = "Demo round passage, picked by rule."

SENTENCE = re.compile(r"[\"“‘'A-Z][^\n]*?[.!?][\"”’']?(?=\s|$)")
FIGURE = re.compile(r"(?<![\w-])\d[\d,.]*(?![\w-])")
YEAR = re.compile(r"(?:19|20)\d\d")
QUOTATION = re.compile(r"[\"“]([^\"“”\n]{40,}?)[\"”]")
SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
LEGAL = re.compile(r"\b(?:court|law|legal|unlawful|violat\w*|judge|ruling|lawsuit)\b", re.I)


@dataclass(frozen=True, slots=True)
class Span:
    tag: str  # a tag slug
    start: int  # code points into the article's body
    end: int


def _sentences(body: str) -> list[re.Match]:
    return [m for m in SENTENCE.finditer(body) if 8 <= len(m.group().split()) <= 60]


def _figure(sentence: str) -> re.Match | None:
    return next((m for m in FIGURE.finditer(sentence) if not YEAR.fullmatch(m.group())), None)


def coder_spans(body: str, coder: int) -> list[Span]:
    """The spans coder 1 or coder 2 (`coder`: 0 or 1) codes in `body`, in reading order."""
    sentences = _sentences(body)
    spans: list[Span] = []
    with_figures = [(s, f) for s in sentences if (f := _figure(s.group()))][:2]
    for sentence, figure in with_figures:
        start = sentence.start()
        if coder == 1:
            before = sentence.group()[: figure.start()]
            cut = max(before.rfind(","), before.rfind("—"), before.rfind(" - "))
            if cut >= 0:
                clause = sentence.group()[cut + 1 :]
                start += cut + 1 + len(clause) - len(clause.lstrip())
        spans.append(Span("statistic", start, sentence.end()))
    quotation = QUOTATION.search(body)
    if quotation is not None:
        end = quotation.end()
        if coder == 1:
            stop = SENTENCE_END.search(body, end)
            end = stop.end() if stop is not None and stop.end() - end <= 120 else end
        spans.append(Span("quote", quotation.start(), end))
    legal = [s for s in sentences if LEGAL.search(s.group())][: coder + 1]
    spans += [Span("legal-argument", s.start(), s.end()) for s in legal]
    return sorted(spans, key=lambda span: (span.start, span.end, span.tag))


def demo_round_load(*, editor) -> Round | None:
    """The demo round on the published articles, coded by both demo coders and marked done
    (what is missing of it: the coders' accounts must exist). None without articles."""
    articles = list(Article.objects.published().order_by("pk"))
    tags = {tag.slug: tag for tag in Tag.objects.filter(slug__in=TAGS)}
    User = get_user_model()
    coders = [User.objects.get(username=username) for username in CODERS]
    if not articles or not tags:
        return None
    round_ = Round.objects.filter(name=ROUND_NAME).first()
    if round_ is None:
        round_ = round_create(
            name=ROUND_NAME,
            articles=articles,
            coders=coders,
            tags=list(tags.values()),
            blind=True,
            instructions=INSTRUCTIONS,
            editor=editor,
        )
    if not round_.is_open:
        return round_  # closed by an editor since: leave it as they left it
    finder = mention_finder()
    coded = set(
        Annotation.objects.filter(annotator__in=coders, article__in=articles).values_list(
            "annotator_id", "article_id"
        )
    )
    for article in round_.articles.order_by("pk"):
        for index, coder in enumerate(coders):
            if (coder.pk, article.pk) not in coded:
                for span in coder_spans(article.body, index):
                    if span.tag not in tags:
                        continue
                    text = article.body[span.start : span.end]
                    named = sorted(finder.find(text))
                    annotation_create(
                        article=article,
                        start=span.start,
                        end=span.end,
                        exact=text,
                        tags=[tags[span.tag]],
                        organization=(named[0] if index == 0 else named[-1]) if named else None,
                        note=NOTE,
                        annotator=coder,
                    )
            round_mark_done(round=round_, article=article, coder=coder)
    return round_
