"""The rules that find quotations, statistics and mentions (pure: no database)."""

from hypothesis import given
from hypothesis import strategies as st

from articles.mentions import MentionFinder, Named
from articles.sentences import sentences
from suggestions.finder import (
    MENTION,
    QUOTE,
    STATISTIC,
    find_suggestions,
    quotation_spans,
)

ACLU, DHS, COUNCIL, AFGE, COURT = 1, 2, 3, 4, 5
FINDER = MentionFinder(
    [
        Named(ACLU, ("American Civil Liberties Union", "ACLU"), "advocacy"),
        Named(DHS, ("Department of Homeland Security", "DHS"), "government"),
        Named(COUNCIL, ("National CIS Council 119", "Council 119"), "union"),
        Named(AFGE, ("American Federation of Government Employees Local 1924",), "union"),
        Named(COURT, ("Ninth Circuit",), "court"),
    ]
)


def of_kind(body, kind):
    return [s for s in find_suggestions(body, FINDER) if s.kind == kind]


def texts(body, kind):
    return [s.exact for s in of_kind(body, kind)]


# Sentences


def test_abbreviations_and_initials_do_not_end_sentences():
    """ "U.S.", "Jan.", "Mr.", "Dr." and initials are not sentence ends; real ends are."""
    body = (
        "Mr. Smith met Dr. J. R. Jones in the U.S. on Jan. 5 to talk. "
        "They spoke for an hour. Then No. 5 came up! Was it late? Yes."
    )
    found = [body[s:e] for s, e in sentences(body)]
    assert found == [
        "Mr. Smith met Dr. J. R. Jones in the U.S. on Jan. 5 to talk.",
        "They spoke for an hour.",
        "Then No. 5 came up!",
        "Was it late?",
        "Yes.",
    ]


def test_a_quote_ending_in_a_stop_followed_by_lower_case_continues_the_sentence():
    body = "“It is over,” she said. “Really?” he asked. The end."
    assert [body[s:e] for s, e in sentences(body)] == [
        "“It is over,” she said.",
        "“Really?” he asked.",
        "The end.",
    ]


def test_line_breaks_end_sentences_and_nbsp_is_white_space():
    body = "First line without a stop\nSecond\u00a0one.\u00a0Third one."
    assert [body[s:e] for s, e in sentences(body)] == [
        "First line without a stop",
        "Second\u00a0one.",
        "Third one.",
    ]


# Quotations


def test_quotes_between_curly_and_straight_marks():
    body = (
        "The group said “we will appeal the ruling today” in a statement. "
        'Another official said "the policy must end now" on Tuesday.'
    )
    assert texts(body, QUOTE) == [
        "“we will appeal the ruling today”",
        '"the policy must end now"',
    ]


def test_a_quote_continues_across_a_paragraph_break_when_the_next_paragraph_opens_it():
    """No closing mark at the end of a paragraph and an opening one at the start of the
    next: one quotation over both paragraphs (the typographic convention)."""
    body = (
        "“The first paragraph of the statement goes on and on.\n\n"
        "“And the second one ends it here,” the ACLU said.\n\n"
        "Unrelated text follows."
    )
    [quote] = of_kind(body, QUOTE)
    assert quote.exact == (
        "“The first paragraph of the statement goes on and on.\n\n"
        "“And the second one ends it here,”"
    )
    assert quote.organization == ACLU


def test_straight_quotes_also_continue_across_paragraphs():
    body = '"One paragraph of quoted words here.\n\n"And the end of them," it said.'
    assert quotation_spans(body) == [
        (0, len('"One paragraph of quoted words here.\n\n"And the end of them,"'))
    ]


def test_an_unclosed_quote_not_continued_by_the_next_paragraph_is_dropped():
    body = (
        "“This quote is never closed at all.\n\nThe next paragraph is plain text, “short one” here."
    )
    assert texts(body, QUOTE) == []
    assert quotation_spans(body) == [(body.index("“short"), body.index(" here."))]


def test_scare_quotes_are_not_quotations_but_attributed_short_quotes_are():
    body = (
        'The "Remain in Mexico" program was criticised. '
        '"It is cruel," the ACLU said. Officials call it "protection" for migrants.'
    )
    [quote] = of_kind(body, QUOTE)
    assert quote.exact == '"It is cruel,"'
    assert quote.organization == ACLU


def test_attribution_after_before_and_according_to():
    body = (
        "“We will keep fighting this unlawful policy,” said the ACLU in a release. "
        "The DHS said: “The program protects the integrity of the system.” "
        "According to Council 119, “the officers are bound by the law of the land.” "
        "“Nobody in particular said these four words,” according to nobody."
    )
    assert [(q.exact[:12], q.organization) for q in of_kind(body, QUOTE)] == [
        ("“We will kee", ACLU),
        ("“The program", DHS),
        ("“the officer", COUNCIL),
        ("“Nobody in p", None),
    ]


def test_it_said_continues_the_paragraphs_previous_speaker_only():
    body = (
        "“The policy is a betrayal of our tradition,” Council 119 said in its brief. "
        "“It is part of that dismantling,” it said.\n\n"
        "“A new paragraph's quotation with its own words,” it said."
    )
    assert [q.organization for q in of_kind(body, QUOTE)] == [COUNCIL, COUNCIL, None]


def test_a_speaker_described_by_its_kind_is_the_nearest_earlier_one_of_that_kind():
    """ "the union said" names no one: the union named last before the quotation is its
    speaker (not the advocacy group named nearer); "the court wrote" likewise, before
    the quotation too; a kind no earlier organization has leaves it unattributed."""
    body = (
        "Council 119 and the American Federation of Government Employees Local 1924 "
        "filed a brief. The ACLU welcomed it.\n\n"
        "“The policy betrays our tradition of providing a safe haven,” the union said.\n\n"
        "The Ninth Circuit heard the case. Later the court wrote: “The rule is likely "
        "unlawful under the statute.”\n\n"
        "“We will keep fighting this in every forum,” the agency added."
    )
    speakers = [(s.exact[:12], s.organization) for s in of_kind(body, QUOTE)]
    assert speakers == [("“The policy ", AFGE), ("“The rule is", COURT), ("“We will kee", None)]


def test_an_organization_named_inside_the_quote_is_not_its_speaker():
    body = "“The ACLU is wrong about all of this,” a spokesman told reporters."
    [quote] = of_kind(body, QUOTE)
    assert quote.organization is None


# Statistics


def test_numbers_with_separators_and_percentages_are_statistics():
    body = (
        "More than 60,000 asylum-seekers have been sent back. "
        "About 90 percent of them appear in court. "
        "Only 12.5% had a lawyer. "
        "The program cost $1.2 million last year. "
        "In Fiscal Year 2017, officers heard the claims. "
        "It began in January 2019 and again on June 26, 2019, in court. "
        "The National CIS Council 119 filed a brief in Section 8 of the docket. "
        "Nearly 300 people waited in line. "
        "COVID-19 closed the courts at 5 p.m. on the 3rd day."
    )
    assert texts(body, STATISTIC) == [
        "More than 60,000 asylum-seekers have been sent back.",
        "About 90 percent of them appear in court.",
        "Only 12.5% had a lawyer.",
        "The program cost $1.2 million last year.",
        "In Fiscal Year 2017, officers heard the claims.",
        "Nearly 300 people waited in line.",
    ]


def test_a_statistic_is_attributed_to_its_source():
    body = "According to the DHS, 15,000 people were returned. The ACLU counts 14,000 members."
    assert [(s.exact[:12], s.organization) for s in of_kind(body, STATISTIC)] == [
        ("According to", DHS),
        ("The ACLU cou", None),
    ]


def test_an_abbreviation_does_not_split_a_statistic_sentence():
    body = "The U.S. government sent 15,000 people to Mexico. Jan. 5 was a Friday."
    assert texts(body, STATISTIC) == ["The U.S. government sent 15,000 people to Mexico."]


# Mentions


def test_mentions_are_the_mention_detections_names_with_their_organization():
    body = "The American Civil Liberties Union (ACLU) sued the DHS; dhs is not a name."
    assert [(s.exact, s.organization, s.tag) for s in of_kind(body, MENTION)] == [
        ("American Civil Liberties Union", ACLU, None),
        ("ACLU", ACLU, None),
        ("DHS", DHS, None),
    ]


# Offsets


def test_offsets_are_code_points_through_emoji_and_nbsp():
    body = (
        "🎉🎉 Fans\u00a0cheered. “We are thrilled by the result today,” the ACLU said. "
        "🎉 90% agree."
    )
    for suggestion in find_suggestions(body, FINDER):
        assert body[suggestion.start : suggestion.end] == suggestion.exact
    assert texts(body, QUOTE) == ["“We are thrilled by the result today,”"]
    assert texts(body, STATISTIC) == ["🎉 90% agree."]


@given(st.text(alphabet=st.sampled_from(list('ab “”"\n.,%5 ACLU\u00a0🎉')), max_size=200))
def test_every_suggestion_points_at_its_own_text(body):
    """Whatever the text, each suggestion's offsets hold exactly its text, in order."""
    found = find_suggestions(body, FINDER)
    for suggestion in found:
        assert 0 <= suggestion.start < suggestion.end <= len(body)
        assert body[suggestion.start : suggestion.end] == suggestion.exact
    assert [s.start for s in found] == sorted(s.start for s in found)
