"""`rounds.agreement.round_agreement` / `annotator_agreement`: what they read and return."""

import pytest

from annotations.models import Annotation, Tag
from rounds.agreement import annotator_agreement, round_agreement
from rounds.agreement.unitizing import NO_UNITS, one_coder, unitizing_alpha
from tests.factories import make_annotator, make_article, make_organization
from tests.rounds.agreement_data import passage, sample_round

pytestmark = pytest.mark.django_db


def test_a_round_s_agreement_per_tag_overall_and_per_article():
    round_, first, second, alice, bob = sample_round()
    result = round_agreement(round_)
    # The continuum: first (69 code points) then second (58), ascending id.
    expected = unitizing_alpha(
        [
            *((c, "statistic", s, e) for c in ("alice", "bob") for s, e in ((20, 39), (44, 59))),
            *((c, "statistic", 69 + 30, 69 + 39) for c in ("alice", "bob")),
            ("bob", "legal argument", 69, 69 + 58),
        ],
        length=127,
        coders=["alice", "bob"],
        categories=["legal argument", "statistic"],
    )
    legal = expected.categories["legal argument"]
    statistic = expected.categories["statistic"]
    assert result["annotators"] == ["alice", "bob"]
    assert result["articles"] == ["flooded-homes", "ban-ruling"]
    assert result["length"] == 127
    assert result["tags"] == {
        "legal argument": {
            "alpha": None,
            "observed": legal.observed,
            "expected": legal.expected,
            "units": {"alice": 0, "bob": 1},
            "reason": one_coder("bob"),
        },
        "statistic": {
            "alpha": 1.0,
            "observed": 0.0,
            "expected": statistic.expected,
            "units": {"alice": 3, "bob": 3},
            "reason": None,
        },
    }
    assert result["overall"] == {
        "alpha": expected.alpha,
        "observed": expected.observed,
        "expected": expected.expected,
        "reason": None,
    }
    assert expected.alpha < 1  # bob alone marked a whole article as a legal argument
    assert result["per_article"]["flooded-homes"]["alpha"] == 1.0
    assert result["per_article"]["flooded-homes"]["units"] == {"alice": 2, "bob": 2}
    assert result["per_article"]["flooded-homes"]["tags"]["legal argument"] == {
        "alpha": None,
        "reason": NO_UNITS,
    }
    assert result["per_article"]["ban-ruling"]["alpha"] < 1
    assert result["per_article"]["ban-ruling"]["units"] == {"alice": 1, "bob": 2}
    # Every matched pair names no organization: one value, no alpha.
    assert result["attribution"]["pairs"] == 3
    assert result["attribution"]["alpha"] is None


def test_the_continuum_follows_the_order_articles_are_named_in():
    round_, first, second, *_ = sample_round()
    result = round_agreement(round_, articles=[second, first])
    assert result["articles"] == ["ban-ruling", "flooded-homes"]
    assert result["per_article"] == round_agreement(round_)["per_article"]  # same figures
    # Only the joint figures move with the order (bob's legal argument now starts at 0).
    assert result["tags"]["statistic"]["units"] == {"alice": 3, "bob": 3}


def test_tags_narrow_the_scope():
    round_, *_ = sample_round()
    result = round_agreement(round_, tags=[Tag.objects.get(slug="statistic")])
    assert list(result["tags"]) == ["statistic"]
    assert result["overall"]["alpha"] == 1.0


def test_orphaned_consensus_and_other_annotators_passages_are_left_out():
    round_, first, second, alice, bob = sample_round()
    orphan = passage(first, alice, 0, 11, Tag.objects.get(slug="statistic"))
    Annotation.objects.filter(pk=orphan.pk).update(anchor_status="orphaned")
    result = round_agreement(round_)
    assert result["tags"]["statistic"]["units"] == {"alice": 3, "bob": 3}
    assert result["tags"]["statistic"]["alpha"] == 1.0


def test_a_round_s_agreement_takes_four_queries(django_assert_num_queries):
    round_, *_ = sample_round()
    with django_assert_num_queries(4):  # articles, coders, tags, passages with their tags
        round_agreement(round_)


def test_annotators_agree_on_the_articles_they_all_coded(django_assert_num_queries):
    round_, first, second, alice, bob = sample_round()
    make_article("Nobody coded this one.", title="Alone")
    quote = Tag.objects.get(slug="quote")
    passage(make_article("Alice alone.", title="Alice alone"), alice, 0, 5, quote)
    with django_assert_num_queries(4):  # shared articles, their lengths, tags, passages
        result = annotator_agreement([alice, bob])
    assert result["articles"] == ["flooded-homes", "ban-ruling"]
    # Every tag they used there, the quote outside the round included.
    assert list(result["tags"]) == ["legal argument", "quote", "statistic"]
    assert result["tags"]["quote"]["units"] == {"alice": 1, "bob": 1}


def test_attribution_compares_the_organizations_of_matched_passages():
    first = make_article("The ministry and the union both claimed the figure of 12 per cent.")
    alice, bob = make_annotator("alice"), make_annotator("bob")
    ministry, union = make_organization("Ministry"), make_organization("Union")
    tag = Tag.objects.get(slug="statistic")
    passage(first, alice, 0, 20, tag, organization=ministry)
    passage(first, bob, 0, 20, tag, organization=ministry)
    passage(first, alice, 50, 66, tag, organization=ministry)
    passage(first, bob, 52, 66, tag, organization=union)
    result = annotator_agreement([alice, bob], [first], [tag])
    assert result["attribution"]["pairs"] == 2
    assert result["attribution"]["agreeing"] == 1
    assert result["attribution"]["alpha"] is not None and result["attribution"]["alpha"] < 1


def test_fewer_than_two_annotators_is_refused():
    with pytest.raises(ValueError, match="two or more"):
        annotator_agreement([make_annotator()])
