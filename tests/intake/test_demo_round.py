"""`load_demo` opens a blind coding round: two demo coders code the seed articles by their
own rules (a little differently), mark them done, and the agreement table is printed and
on the round's agreement page."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from annotations.models import Annotation
from articles.models import Article
from intake.demo_round import ROUND_NAME, coder_spans
from rounds.models import DoneMark, Round

pytestmark = pytest.mark.django_db

BODY = (
    "Short one.\n"
    "Officials said that, in all, 60,000 people waited at the border in 2019.\n"
    'The union wrote that the policy is "contrary to the moral fabric of our whole nation," '
    "the officers said.\n"
    "The court ruled that the policy violated the law of the land.\n"
    "A judge will hear the appeal of the ruling next month in the capital.\n"
)


def texts(coder: int) -> list[tuple[str, str]]:
    return [(s.tag, BODY[s.start : s.end]) for s in coder_spans(BODY, coder)]


def test_the_two_coders_rules_differ_a_little():
    assert texts(0) == [
        ("statistic", "Officials said that, in all, 60,000 people waited at the border in 2019."),
        ("quote", '"contrary to the moral fabric of our whole nation,"'),
        ("legal-argument", "The court ruled that the policy violated the law of the land."),
    ]
    assert texts(1) == [
        ("statistic", "60,000 people waited at the border in 2019."),
        ("quote", '"contrary to the moral fabric of our whole nation," the officers said.'),
        ("legal-argument", "The court ruled that the policy violated the law of the land."),
        ("legal-argument", "A judge will hear the appeal of the ruling next month in the capital."),
    ]


def test_load_demo_opens_a_blind_round_both_coders_done(client, seeds_dir):
    first, second = StringIO(), StringIO()
    call_command("load_demo", seeds=seeds_dir, stdout=first)
    round_ = Round.objects.get(name=ROUND_NAME)
    assert round_.is_open and round_.blind
    coders = list(round_.coders.order_by("username"))
    assert [c.username for c in coders] == ["coder1", "coder2"]
    assert round_.articles.count() == Article.objects.published().count() == 5
    assert sorted(round_.tags.values_list("slug", flat=True)) == [
        "legal-argument",
        "quote",
        "statistic",
    ]
    assert DoneMark.objects.filter(round=round_).count() == 10
    passages = {
        coder.username: set(
            Annotation.objects.filter(annotator=coder).values_list("article_id", "start", "end")
        )
        for coder in coders
    }
    # Both coded every article; they agree on some spans and differ on others.
    assert all(len({a for a, _, _ in spans}) == 5 for spans in passages.values())
    assert passages["coder1"] & passages["coder2"]
    assert passages["coder1"] - passages["coder2"] and passages["coder2"] - passages["coder1"]
    for passage in Annotation.objects.filter(annotator__in=coders).select_related("article"):
        assert passage.article.body[passage.start : passage.end] == passage.exact
    # The table is printed, the logins too; the demo's own annotator codes as before.
    out = first.getvalue()
    assert f"Demo round {round_.pk} (open, blind)" in out
    assert "all tags (α_U)" in out and "Attribution (nominal alpha" in out
    for username in ("annotator", "editor", "coder1", "coder2"):
        assert f"user: {username}" in out
    # Blind: each coder sees only their own passages on the round's articles.
    for coder, other in (coders, coders[::-1]):
        visible = Annotation.objects.visible_to(coder)
        assert visible.filter(annotator=coder).count() == len(passages[coder.username])
        assert not visible.filter(annotator=other).exists()
    # Run again: nothing coded twice, the same table.
    counts = Annotation.objects.count(), DoneMark.objects.count(), Round.objects.count()
    call_command("load_demo", seeds=seeds_dir, stdout=second)
    assert (Annotation.objects.count(), DoneMark.objects.count(), Round.objects.count()) == counts
    table = out.split("Agreement of", 1)[1].split("Gloss is at", 1)[0]
    assert table in second.getvalue()
    # The editor reads the same figures on the round's agreement page.
    client.force_login(get_user_model().objects.get(username="editor"))
    page = client.get(f"/workspace/rounds/{round_.pk}/agreement/")
    assert page.status_code == 200
    statistic = next(line for line in table.splitlines() if line.startswith("statistic"))
    assert statistic.split()[1] in page.content.decode()
