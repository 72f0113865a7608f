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
    demo = Annotation.objects.filter(annotator__username="annotator")  # not the round's coders
    counts = (Article.objects.count(), demo.count(), Annotation.objects.count())
    call_command("load_demo", seeds=seeds_dir, stdout=second)
    assert (Article.objects.count(), demo.count(), Annotation.objects.count()) == counts
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
