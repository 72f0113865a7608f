"""Candidate passages of an article, found by rule: quotations, statistics, mentions.

Pure: a body and a `MentionFinder` in, `Suggestion`s out (code-point offsets into the
body), no database and no model. The rules:

- **Quotations**: text between double quotation marks, curly (“ ”) or straight ("),
  marks included. A straight mark opens after white space, an opening bracket or a dash
  and closes otherwise. A quotation left open at the end of a paragraph continues when
  the next paragraph starts with an opening mark (the typographic convention for a quote
  of several paragraphs: no closing mark until its last one); otherwise it is dropped.
  Kept when it holds at least `QUOTE_MIN_WORDS` words or names its speaker (scare quotes
  such as "Remain in Mexico" are not quotations). The speaker: an organization named in
  the rest of the sentence after the closing mark next to a speech verb (`…," the ACLU
  said`, `said the ACLU`), else in the sentence before the opening mark (`the ACLU said:
  "…"`, `according to the ACLU, "…"`), else, for `…," it said` (or "the union added"), the
  speaker of the paragraph's previous quotation; else, for a speaker described by its
  kind (`…," the union said`, `the court wrote: "…"`), the nearest organization of that
  kind named earlier in the article (`Organization.kind`: union, court, government).
- **Statistics**: the sentence around a number that counts something: digits with
  thousands separators or decimals, percentages (`%`, `percent`, `per cent`), money,
  `million`/`billion`, and fiscal years ("Fiscal Year 2017", "FY2019"). Not a statistic:
  a bare year, a date's day ("May 5", "June 26, 2019"), a number inside a name ("Council
  119", "Local 1924", "9th Circuit"), ordinals, codes ("COVID-19", "I-589"). Attributed to
  an organization the sentence names as its source (`according to`, `said`, `found`...).
- **Mentions**: every organization name or alias, as the import's mention detection
  finds them (`articles.mentions`).
"""

import re
from dataclasses import dataclass

from articles.mentions import MentionFinder
from articles.sentences import containing, paragraphs, sentences

QUOTE = "quote"
STATISTIC = "statistic"
MENTION = "mention"
KINDS = (QUOTE, STATISTIC, MENTION)
# The tag each kind proposes, by slug (the starting tags, annotations migration 0002).
TAG_SLUGS = {QUOTE: "quote", STATISTIC: "statistic", MENTION: None}

QUOTE_MIN_WORDS = 4
# How far from a quotation its speaker may be named (code points, within its sentence).
SPEAKER_WINDOW = 90


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One candidate passage: `body[start:end] == exact`; `tag` a slug or None;
    `organization` an id or None."""

    kind: str
    start: int
    end: int
    exact: str
    tag: str | None
    organization: int | None


_OPEN_CURLY = "“„‟"
_CLOSE_CURLY = "”"
_STRAIGHT = '"'
_OPENS_AFTER = "([{—–-/"
_SPEECH = re.compile(
    r"\b(?:said|says|say|told|tells|wrote|writes|stated|states|added|adds|argued|argues|"
    r"noted|notes|explained|warned|warns|claimed|claims|asserted|asserts|declared|"
    r"announced|insisted|wrote|contended|contends|according\s+to|in\s+a\s+statement)\b",
    re.IGNORECASE,
)
_SOURCE = re.compile(
    r"\b(?:according\s+to|said|says|reported|reports|found|finds|estimated|estimates|"
    r"counted|data\s+from|figures\s+from|statistics\s+from)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")


def _mark_kind(text: str, i: int) -> str | None:
    """ "open", "close" or None for the character at `i`."""
    char = text[i]
    before = text[i - 1] if i > 0 else "\n"
    after = text[i + 1] if i + 1 < len(text) else "\n"
    if char in _OPEN_CURLY:
        return "open"
    if char in _CLOSE_CURLY or char == _STRAIGHT:
        # A closing curly mark used to open (scraped text) is read as the straight one.
        if (before.isspace() or before in _OPENS_AFTER) and not after.isspace():
            return "open"
        return "close"
    return None


def quotation_spans(body: str) -> list[tuple[int, int]]:
    """`(start, end)` of every quotation, marks included, paragraph breaks followed."""
    spans: list[tuple[int, int]] = []
    opened: int | None = None
    for para_start, para_end in paragraphs(body):
        first = True
        for i in range(para_start, para_end):
            kind = (
                _mark_kind(body, i) if body[i] in _OPEN_CURLY + _CLOSE_CURLY + _STRAIGHT else None
            )
            if kind is None:
                first = False
                continue
            if first and kind == "open" and opened is not None:
                first = False
                continue  # the opening mark of a quotation's next paragraph
            first = False
            if kind == "open" and opened is None:
                opened = i
            elif kind == "close" and opened is not None:
                spans.append((opened, i + 1))
                opened = None
        if opened is not None:
            # Open at the paragraph's end: continues only if the next paragraph opens.
            following = body[para_end:].lstrip()
            if not (following and _mark_kind(following, 0) == "open"):
                opened = None
    return spans


def _speaker(body, start, end, units, mentions) -> int | None:
    """The organization a quotation at [start, end) is attributed to, or None."""
    sentence = containing(units, end - 1) or (start, end)
    after_end = min(sentence[1], end + SPEAKER_WINDOW)
    if _SPEECH.search(body, end, after_end):
        for organization, m_start, _m_end in mentions:
            if end <= m_start < after_end:
                return organization
    opening = containing(units, start) or (start, end)
    before_start = max(opening[0], start - SPEAKER_WINDOW)
    lead = body[before_start:start]
    if _SPEECH.search(lead) and re.search(r"(?:[,:]|\b\w+)\s*$", lead):
        named = [o for o, m_start, m_end in mentions if before_start <= m_start and m_end <= start]
        if named:
            return named[-1]
    return None


# `…," it said` / `…," the union added`: the speaker named by the paragraph's previous quote.
# The verbs that attribute a quotation to a pronoun or a described speaker.
_SPEECH_VERBS = r"(?:said|says|added|adds|wrote|writes|continued|argued|argues|noted|stated|ruled)"
_SAME_SPEAKER = re.compile(
    r"[\s,.]*(?:it|he|she|they|the\s+(?:union|group|organization|agency|department|court))\s+"
    rf"{_SPEECH_VERBS}\b",
    re.IGNORECASE,
)


# A speaker described by its kind: `…," the union said` after a quotation, or `the court
# wrote: "…"` (or `The agency said, "…"`) before one; the noun names the kinds it may be.
_KIND_NOUNS = r"(union|court|judge|agency|department|government|administration)s?"
_DESCRIBED_AFTER = re.compile(rf"[\s,.]*the\s+{_KIND_NOUNS}\s+{_SPEECH_VERBS}\b", re.IGNORECASE)
_DESCRIBED_BEFORE = re.compile(
    rf"\bthe\s+{_KIND_NOUNS}\s+{_SPEECH_VERBS}(?:\s+that)?\s*[,:]?\s*$", re.IGNORECASE
)
_NOUN_KINDS = {
    "union": {"union"},
    "court": {"court"},
    "judge": {"court"},
    "agency": {"government"},
    "department": {"government"},
    "government": {"government"},
    "administration": {"government"},
}


def _described_speaker(body, start, end, mentions, kinds) -> int | None:
    """For `…," the union said` (or `the union said: "…"`): the organization of that kind
    named last before the quotation, or None."""
    match = _DESCRIBED_AFTER.match(body, end) or _DESCRIBED_BEFORE.search(
        body, max(0, start - SPEAKER_WINDOW), start
    )
    if not match:
        return None
    wanted = _NOUN_KINDS[match[1].lower()]
    earlier = [o for o, _m_start, m_end in mentions if m_end <= start and kinds.get(o) in wanted]
    return earlier[-1] if earlier else None


def find_quotes(body: str, units, mentions, kinds=None) -> list[Suggestion]:
    """`kinds`: each organization's kind by id (`MentionFinder.kinds`), for speakers
    described by their kind."""
    found = []
    paras = paragraphs(body)
    last: tuple[tuple[int, int] | None, int | None] = (None, None)  # (paragraph, speaker)
    for start, end in quotation_spans(body):
        organization = _speaker(body, start, end, units, mentions)
        paragraph = containing(paras, start)
        if organization is None and last[0] == paragraph and _SAME_SPEAKER.match(body, end):
            organization = last[1]
        if organization is None and kinds:
            organization = _described_speaker(body, start, end, mentions, kinds)
        if organization is not None:
            last = (paragraph, organization)
        if organization is None and len(_WORD.findall(body, start, end)) < QUOTE_MIN_WORDS:
            continue
        found.append(Suggestion(QUOTE, start, end, body[start:end], TAG_SLUGS[QUOTE], organization))
    return found


_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
# A number: digits with separators or decimals, not inside a word or code ("COVID-19").
_NUMBER = re.compile(
    r"(?<![\w.,/-])(?:[$€£]\s?)?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w,]\d)"
    r"|(?<![\w.,/-])(?:[$€£]\s?)?\d+(?:\.\d+)?(?![\w.,]\d)(?!\w)"
)
_PERCENT = re.compile(r"\s?(?:%|percent\b|per\s+cent\b|percentage\s+points?\b)", re.IGNORECASE)
_MAGNITUDE = re.compile(r"\s(?:hundred|thousand|million|billion|trillion)\b", re.IGNORECASE)
_FISCAL = re.compile(r"(?:\bfiscal\s+year|\bFY)\s?$", re.IGNORECASE)
_DATE_BEFORE = re.compile(rf"\b{_MONTH}\s*$")
_DATE_AFTER = re.compile(rf"^,?\s*(?:{_MONTH}\b|\d{{4}}\b)")
_NAME_BEFORE = re.compile(r"\b[A-Z][\w.&'’]*\s$")


def _counts_something(body: str, match: re.Match, sentence_start: int, inside_names) -> bool:
    """Whether the number `match` is a statistic rather than a date, year, name or code."""
    start, end = match.span()
    text = match.group()
    if any(n_start <= start < n_end for n_start, n_end in inside_names):
        return False  # "Council 119", "9th Circuit"
    before = body[max(sentence_start, start - 20) : start]
    after = body[end : end + 20]
    if _PERCENT.match(after) or _MAGNITUDE.match(after) or text[0] in "$€£":
        return True
    if _FISCAL.search(before):
        return True
    if _DATE_BEFORE.search(before) or _DATE_AFTER.match(after):
        return False  # "May 5", "5 May", "June 26, 2019"
    plain = text.replace(",", "")
    if "," not in text and "." not in text and len(plain) == 4 and 1800 <= int(plain) <= 2099:
        return False  # a year
    if "," not in text and "." not in text:
        window_start = max(sentence_start, start - 30)
        name = _NAME_BEFORE.search(body, window_start, start)
        # A capitalised word before the number, unless it only opens the sentence ("Nearly 300").
        if name and body[sentence_start : name.start()].strip("\"“‘'( "):
            return False  # "Section 8", "Title 42", "Council 119"
    # A time of day ("5 p.m.") is not a count.
    return not re.match(r"\s?(?:a\.m\.|p\.m\.|am\b|pm\b)", after, re.IGNORECASE)


def find_statistics(body: str, units, mentions) -> list[Suggestion]:
    names = [(m_start, m_end) for _, m_start, m_end in mentions]
    found = []
    for start, end in units:
        if not any(
            _counts_something(body, match, start, names)
            for match in _NUMBER.finditer(body, start, end)
        ):
            continue
        organization = None
        if _SOURCE.search(body, start, end):
            named = [o for o, m_start, _ in mentions if start <= m_start < end]
            organization = named[0] if named else None
        found.append(
            Suggestion(STATISTIC, start, end, body[start:end], TAG_SLUGS[STATISTIC], organization)
        )
    return found


def find_mentions(body: str, mentions) -> list[Suggestion]:
    return [
        Suggestion(MENTION, start, end, body[start:end], None, organization)
        for organization, start, end in mentions
    ]


def find_suggestions(body: str, finder: MentionFinder) -> list[Suggestion]:
    """Every suggestion for `body`, in text order (start, then kind)."""
    units = sentences(body)
    mentions = finder.spans(body)
    found = [
        *find_quotes(body, units, mentions, finder.kinds),
        *find_statistics(body, units, mentions),
        *find_mentions(body, mentions),
    ]
    order = {kind: index for index, kind in enumerate(KINDS)}
    return sorted(found, key=lambda s: (s.start, order[s.kind], s.end))
