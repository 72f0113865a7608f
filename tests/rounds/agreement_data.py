"""A small round for the agreement tests: two articles, two coders, two tags."""

from annotations.models import Annotation, Tag
from rounds.models import Round
from tests.factories import make_annotation, make_annotator, make_article, make_editor

FIRST = "The council counted 1,204 flooded homes and 37 closed roads in March."  # 69 long
SECOND = "Lawyers argued the ban breaks article 8 of the convention."  # 58 long


def make_round(*, articles, coders, tags, blind=True) -> Round:
    # Written directly: the round's actions are the rounds branch's; these tests read only.
    round_ = Round.objects.create(name="Spring sample", blind=blind, created_by=make_editor())
    round_.articles.set(articles)
    round_.coders.set(coders)
    round_.tags.set(tags)
    return round_


def passage(article, coder, start, end, *tags, **fields) -> Annotation:
    return make_annotation(article, start=start, end=end, annotator=coder, tags=tags, **fields)


def sample_round():
    """alice and bob agree exactly on the statistics; on legal arguments only bob coded one;
    carol (not a coder) and a consensus passage are there to be left out."""
    first = make_article(FIRST, title="Flooded homes")
    second = make_article(SECOND, title="Ban ruling")
    alice, bob = make_annotator("alice"), make_annotator("bob")
    statistic = Tag.objects.get(slug="statistic")
    legal = Tag.objects.get(slug="legal-argument")
    quote = Tag.objects.get(slug="quote")
    for coder in (alice, bob):
        passage(first, coder, 20, 39, statistic)  # "1,204 flooded homes"
        passage(first, coder, 44, 59, statistic)  # "37 closed roads"
        passage(second, coder, 30, 39, statistic)  # "article 8"
    passage(second, bob, 0, 58, legal, quote)
    passage(second, alice, 0, 7, quote)  # a tag outside the round
    passage(first, make_annotator("carol"), 0, 10, statistic)
    consensus = passage(first, alice, 0, 3, statistic)
    Annotation.objects.filter(pk=consensus.pk).update(adjudicated=True)
    round_ = make_round(articles=[first, second], coders=[alice, bob], tags=[statistic, legal])
    return round_, first, second, alice, bob
