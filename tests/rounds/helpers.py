"""A blind round of two coders on one article, each with one passage of the round's tag."""

from dataclasses import dataclass

from annotations.models import Annotation, Tag
from articles.models import Article
from rounds.actions import round_create
from rounds.models import Round
from tests.factories import make_annotation, make_annotator, make_article, make_editor

BODY = "The council said 42 percent of bridges failed. The union disputed the figure."


@dataclass
class Setup:
    round: Round
    editor: object
    ana: object
    bob: object
    tag: Tag
    article: Article  # in the round
    other: Article  # not in the round
    ana_passage: Annotation
    bob_passage: Annotation
    outside: Annotation  # bob's, on the other article


def blind_round(*, blind: bool = True) -> Setup:
    editor = make_editor("ed")
    ana, bob = make_annotator("ana"), make_annotator("bob")
    tag = Tag.objects.get(slug="statistic")  # a starting tag
    article = make_article(BODY, title="Bridges")
    other = make_article(BODY, title="Elsewhere")
    round_ = round_create(
        name="Bridges round",
        articles=[article],
        coders=[ana, bob],
        tags=[tag],
        blind=blind,
        editor=editor,
    )
    return Setup(
        round=round_,
        editor=editor,
        ana=ana,
        bob=bob,
        tag=tag,
        article=article,
        other=other,
        ana_passage=make_annotation(article, exact="42 percent", annotator=ana, tags=[tag]),
        bob_passage=make_annotation(
            article, exact="42 percent of bridges", annotator=bob, tags=[tag]
        ),
        outside=make_annotation(other, exact="42 percent", annotator=bob, tags=[tag]),
    )
