"""A handful of demo passages on the seed corpus, found by rule, never by copied text.

The seed articles are third-party text and must not be copied into the project, so the
demo picks sentences at run time: the first sentence with a number is coded `statistic`,
the first long sentence in quotation marks `quote`, the first sentence about courts or
the law `legal argument`; each is attributed to an organization it names, if any. Only
whole sentences (`articles.sentences`: "U.S." ends none) and never a photo caption.

The demo's tags get typed fields (issue 19): statistic → value (number), unit (text), year
(integer); quote → speaker (organization). A statistic's value, unit and year are read
from its sentence (the first number that is not a year, the word after it, a year); a
quote's speaker is the organization it names.
"""

import re
from dataclasses import dataclass

from django.db import transaction

from annotations.actions.fields import define_tag_field
from annotations.actions.passages import create_passage
from annotations.models import Annotation, Tag, TagField
from articles.actions.articles import mention_finder
from articles.models import Article
from intake.sentences import balanced_quotes, ends_sentence, is_caption, lines, sentences

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


def candidate_sentences(body: str) -> list[tuple[int, int]]:
    """Whole sentences of 8 to 60 words ending in . ! ? or …, none from a photo caption,
    none that starts or ends inside a quotation (its quotation marks balance)."""
    found = []
    for line_start, line_end in lines(body):
        line = body[line_start:line_end]
        if is_caption(line):
            continue
        for start, end in sentences(line):
            text = line[start:end]
            # A line without a final stop (a headline, a teaser, a byline) is no sentence.
            if ends_sentence(text) and 8 <= len(text.split()) <= 60 and balanced_quotes(text):
                found.append((line_start + start, line_start + end))
    return found


def pick_passages(body: str) -> list[Pick]:
    """At most one sentence per rule, each a different sentence (`candidate_sentences`)."""
    candidates = candidate_sentences(body)
    picks: list[Pick] = []
    used: set[int] = set()
    for tag, rule in RULES:
        for start, end in candidates:
            if start not in used and rule.search(body[start:end]):
                used.add(start)
                picks.append(Pick(tag, start, end))
                break
    return picks


# (tag slug, field name, kind, label) of the demo's typed fields.
DEMO_FIELDS = (
    ("statistic", "value", TagField.Kind.NUMBER, "Value"),
    ("statistic", "unit", TagField.Kind.TEXT, "Unit"),
    ("statistic", "year", TagField.Kind.INTEGER, "Year"),
    ("quote", "speaker", TagField.Kind.ORGANIZATION, "Speaker"),
)
NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:\s+([a-z]+))?")
YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")


def define_demo_fields() -> None:
    """Give the demo's tags their fields, once (a field that exists is left as it is)."""
    tags = {tag.slug: tag for tag in Tag.objects.filter(slug__in={f[0] for f in DEMO_FIELDS})}
    existing = set(TagField.objects.values_list("tag__slug", "name"))
    for slug, name, kind, label in DEMO_FIELDS:
        if slug in tags and (slug, name) not in existing:
            define_tag_field(tag=tags[slug], name=name, kind=kind, label=label)


def demo_values(tag: str, text: str, organization: int | None) -> dict:
    """The field values the demo reads from a passage's own text (`organization`: the id
    of the organization it names)."""
    if tag == "quote":
        return {"quote.speaker": organization} if organization is not None else {}
    if tag != "statistic":
        return {}
    values = {}
    year = YEAR.search(text)
    if year:
        values["statistic.year"] = year.group(1)
    for match in NUMBER.finditer(text):
        whole, fraction, word = match.groups()
        if YEAR.fullmatch(whole) and not fraction:
            continue
        values["statistic.value"] = whole.replace(",", "") + (f".{fraction}" if fraction else "")
        if word:
            values["statistic.unit"] = word
        break
    return values


@transaction.atomic(durable=True)
def demo_passages_create(*, annotator) -> int:
    """Code a few passages per published article that `annotator` has not coded yet.

    Idempotent: an article where the annotator already has passages is left alone.
    """
    define_demo_fields()
    finder = mention_finder()
    coded = set(Annotation.objects.filter(annotator=annotator).values_list("article_id", flat=True))
    created = 0
    for article in Article.objects.published().exclude(pk__in=coded).order_by("pk"):
        for pick in pick_passages(article.body):
            text = article.body[pick.start : pick.end]
            named = sorted(finder.find(text))
            organization = named[0] if named else None
            create_passage(
                article=article,
                start=pick.start,
                end=pick.end,
                exact=text,
                tags=[pick.tag],
                organization=organization,
                fields=demo_values(pick.tag, text, organization),
                note="Demo passage, picked by rule.",
                annotator=annotator,
            )
            created += 1
    return created
