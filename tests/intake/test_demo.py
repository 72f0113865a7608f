"""`load_demo` (what `make run` calls) is safe to run twice and codes a few exact passages."""

from io import StringIO

import pytest
from django.core.management import call_command

from annotations.models import Annotation
from articles.models import Article
from intake.demo import pick_passages

pytestmark = pytest.mark.django_db


def test_load_demo_twice_duplicates_nothing(seeds_dir):
    first, second = StringIO(), StringIO()
    call_command("load_demo", seeds=seeds_dir, stdout=first)
    counts = (Article.objects.count(), Annotation.objects.count())
    call_command("load_demo", seeds=seeds_dir, stdout=second)
    assert (Article.objects.count(), Annotation.objects.count()) == counts
    assert counts[0] == 5 and 5 <= counts[1] <= 15
    assert "Demo passages: 0 created." in second.getvalue()
    for role in ("annotator", "editor"):
        assert f"user: {role}" in second.getvalue()
    for passage in Annotation.objects.select_related("article"):
        assert passage.article.body[passage.start : passage.end] == passage.exact
        assert passage.tags.count() == 1


def test_demo_users_log_in_with_the_printed_password(client, seeds_dir):
    out = StringIO()
    call_command("load_demo", seeds=seeds_dir, stdout=out)
    line = next(row for row in out.getvalue().splitlines() if "user: annotator" in row)
    password = line.split("password:")[1].strip()
    # Through the login form: django-axes' backend needs the request to count failures.
    response = client.post("/accounts/login/", {"username": "annotator", "password": password})
    assert response.status_code == 302
    assert client.get("/admin/annotations/annotation/add/").status_code == 200


def test_pick_passages_takes_whole_sentences_by_rule():
    body = (
        "Short one.\nOfficials counted 60,000 people waiting at the border last year.\n"
        "The court ruled that the policy violated the law of the land.\n"
    )
    picks = pick_passages(body)
    assert [(p.tag, body[p.start : p.end]) for p in picks] == [
        ("statistic", "Officials counted 60,000 people waiting at the border last year."),
        ("legal argument", "The court ruled that the policy violated the law of the land."),
    ]


def test_demo_statistics_and_quotes_get_typed_fields_read_from_their_text(seeds_dir):
    """statistic → value, unit, year; quote → speaker; values where the sentence holds a
    number (or names an organization), every one found in the passage's own text."""
    from annotations.models import TagField
    from intake.demo import demo_values

    call_command("load_demo", seeds=seeds_dir, stdout=StringIO())
    assert TagField.objects.keys() == [
        "quote.speaker",
        "statistic.value",
        "statistic.unit",
        "statistic.year",
    ]
    statistics = Annotation.objects.filter(tags__slug="statistic")
    valued = [p for p in statistics if "statistic.value" in p.fields]
    assert valued, "the seeds' statistic sentences hold numbers"
    for passage in valued:
        digits = passage.fields["statistic.value"].replace(".", "")
        assert digits in passage.exact.replace(",", "").replace(".", "")
    call_command("load_demo", seeds=seeds_dir, stdout=StringIO())
    assert TagField.objects.count() == 4
    assert demo_values("statistic", "Some 60,000 people came in 2024.", None) == {
        "statistic.year": "2024",
        "statistic.value": "60000",
        "statistic.unit": "people",
    }
    assert demo_values("statistic", "Up 3.5 percent.", None) == {
        "statistic.value": "3.5",
        "statistic.unit": "percent",
    }
