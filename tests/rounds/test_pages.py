"""The round pages: create, follow progress (query counts), mark done, agreement and its
CSV (who may see them), adjudicate, close."""

import csv
import io

import pytest

from annotations.models import Annotation
from rounds.models import Adjudication, DoneMark, Round
from tests.factories import make_annotation, make_article
from tests.rounds.helpers import blind_round

pytestmark = pytest.mark.django_db


def test_an_editor_opens_a_round_from_the_form(client):
    s = blind_round()
    client.force_login(s.editor)
    assert client.get("/workspace/rounds/new/").status_code == 200
    response = client.post(
        "/workspace/rounds/new/",
        {
            "name": "Second round",
            "articles": [s.other.pk],
            "coders": [s.ana.pk, s.bob.pk],
            "tags": [s.tag.pk],
            "blind": "on",
            "instructions": "Code every statistic.",
        },
    )
    created = Round.objects.get(name="Second round")
    assert (
        response.status_code == 302 and response["Location"] == f"/workspace/rounds/{created.pk}/"
    )
    assert created.blind and list(created.articles.all()) == [s.other]


def test_the_form_shows_the_actions_refusal_as_field_errors(client):
    s = blind_round()
    client.force_login(s.editor)
    response = client.post(
        "/workspace/rounds/new/",
        {"name": "One coder", "articles": [s.other.pk], "coders": [s.ana.pk], "tags": [s.tag.pk]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["coders"] == ["A round needs two or more coders."]


def test_annotators_cannot_create_rounds(client):
    s = blind_round()
    client.force_login(s.ana)
    assert client.get("/workspace/rounds/new/").status_code == 403


def test_the_progress_grid_costs_the_same_queries_whatever_its_size(
    client, django_assert_num_queries
):
    s = blind_round()
    client.force_login(s.editor)
    client.get(f"/workspace/rounds/{s.round.pk}/")  # warm the permission caches
    with django_assert_num_queries(10):
        response = client.get(f"/workspace/rounds/{s.round.pk}/")
    [row] = response.context["grid"]
    assert [(c.done, c.passages) for c in row.cells] == [(False, 1), (False, 1)]
    more = [make_article() for _ in range(5)]
    s.round.articles.add(*more)
    for article in more:
        make_annotation(article, annotator=s.ana)
    with django_assert_num_queries(10):
        response = client.get(f"/workspace/rounds/{s.round.pk}/")
    assert len(response.context["grid"]) == 6


def test_a_coder_marks_an_article_done_and_sees_only_their_own_column(client):
    s = blind_round()
    client.force_login(s.ana)
    response = client.post(
        f"/workspace/rounds/{s.round.pk}/done/", {"article": s.article.pk, "done": "1"}
    )
    assert response.status_code == 302
    assert DoneMark.objects.filter(round=s.round, coder=s.ana, article=s.article).exists()
    page = client.get(f"/workspace/rounds/{s.round.pk}/")
    assert [c.get_username() for c in page.context["coders"]] == ["ana"]
    assert "Not done after all" in page.content.decode()


def test_coders_see_their_rounds_and_articles_first_on_the_workspace(client):
    s = blind_round()
    newer = make_article(title="Newest")  # noqa: F841 (published later, but not assigned)
    client.force_login(s.ana)
    response = client.get("/workspace/")
    assert [r.pk for r in response.context["my_rounds"]] == [s.round.pk]
    assert response.context["articles"][0] == s.article


def test_a_blind_rounds_agreement_is_the_editors_until_it_closes(client):
    s = blind_round()
    client.force_login(s.ana)
    assert client.get(f"/workspace/rounds/{s.round.pk}/agreement/").status_code == 403
    assert client.get(f"/workspace/rounds/{s.round.pk}/agreement.csv").status_code == 403
    client.force_login(s.editor)
    response = client.get(f"/workspace/rounds/{s.round.pk}/agreement/")
    assert response.status_code == 200
    [tag] = response.context["tables"]["tags"]
    assert tag.name == "statistic" and tag.units == [1, 1]
    client.post(f"/workspace/rounds/{s.round.pk}/close/", {"coder_passages": "draft"})
    client.force_login(s.ana)
    assert client.get(f"/workspace/rounds/{s.round.pk}/agreement/").status_code == 200


def test_the_agreement_csv_has_a_row_per_tag_overall_and_article(client):
    s = blind_round()
    client.force_login(s.editor)
    response = client.get(f"/workspace/rounds/{s.round.pk}/agreement.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "scope",
        "name",
        "alpha",
        "observed",
        "expected",
        "reason",
        "units_ana",
        "units_bob",
    ]
    assert [row[:2] for row in rows[1:]] == [
        ["tag", "statistic"],
        ["overall", ""],
        ["article", s.article.slug],
    ]
    assert rows[1][6:] == ["1", "1"]


def test_others_cannot_open_a_round_they_do_not_code(client):
    s = blind_round()
    from tests.factories import make_annotator

    client.force_login(make_annotator("carl"))
    assert client.get(f"/workspace/rounds/{s.round.pk}/").status_code == 404


def test_the_adjudication_page_marks_where_coders_differ_and_keeps_a_passage(client):
    s = blind_round()
    client.force_login(s.editor)
    url = f"/workspace/rounds/{s.round.pk}/articles/{s.article.pk}/"
    response = client.get(url)
    [cluster] = response.context["clusters"]
    assert not cluster.agree
    ana, bob = cluster.columns
    assert [(p.text, p.covered, p.differs) for p in ana.pieces] == [
        ("42 percent", True, False),
        (" of bridges", False, True),
    ]
    assert '<mark class="differs"> of bridges</mark>' in response.content.decode()
    response = client.post(
        url, {"passages": cluster.source_ids, "decision": f"keep:{s.bob_passage.pk}"}
    )
    assert response.status_code == 302
    decision = Adjudication.objects.get()
    assert decision.decision == "keep" and decision.passage.exact == "42 percent of bridges"
    page = client.get(url)
    assert page.context["clusters"][0].decision == decision
    assert page.context["differing"] == 0


def test_an_edited_span_and_a_bad_one(client):
    s = blind_round()
    client.force_login(s.editor)
    url = f"/workspace/rounds/{s.round.pk}/articles/{s.article.pk}/"
    ids = f"{s.ana_passage.pk},{s.bob_passage.pk}"
    client.post(url, {"passages": ids, "decision": "edit", "start": "99999", "end": "100000"})
    assert not Adjudication.objects.exists()
    start = s.ana_passage.start
    client.post(url, {"passages": ids, "decision": "edit", "start": start, "end": start + 2})
    assert Adjudication.objects.get().passage.exact == "42"


def test_closing_from_the_page_publishes_the_consensus(client):
    s = blind_round()
    client.force_login(s.editor)
    url = f"/workspace/rounds/{s.round.pk}/articles/{s.article.pk}/"
    client.post(url, {"passages": f"{s.ana_passage.pk},{s.bob_passage.pk}", "decision": "merge"})
    response = client.post(f"/workspace/rounds/{s.round.pk}/close/", {"coder_passages": "draft"})
    assert response.status_code == 302
    consensus = Annotation.objects.get(adjudicated=True)
    assert consensus.status == "published"
    client.logout()
    assert f"passage-{consensus.pk}" in client.get(s.article.get_absolute_url()).content.decode()


def test_the_rounds_list_and_the_adjudication_page_cost_fixed_queries(
    client, django_assert_num_queries
):
    """The rounds list is one query for its rows whatever their number; the adjudication
    page reads its passages, their tags and the decisions in fixed queries too."""
    from rounds.actions import round_create

    s = blind_round()
    client.force_login(s.editor)
    client.get("/workspace/rounds/")  # warm the permission caches
    with django_assert_num_queries(6):
        response = client.get("/workspace/rounds/")
    assert [r.article_count for r in response.context["rounds"]] == [1]
    for n in range(3):
        round_create(
            name=f"More {n}",
            articles=[s.other],
            coders=[s.ana, s.bob],
            tags=[s.tag],
            editor=s.editor,
        )
    with django_assert_num_queries(6):
        response = client.get("/workspace/rounds/")
    assert len(response.context["rounds"]) == 4
    url = f"/workspace/rounds/{s.round.pk}/articles/{s.article.pk}/"
    with django_assert_num_queries(11):
        client.get(url)
    make_annotation(s.article, exact="union", annotator=s.ana, tags=[s.tag])
    make_annotation(s.article, exact="the figure", annotator=s.bob, tags=[s.tag])
    with django_assert_num_queries(11):
        response = client.get(url)
    assert len(response.context["clusters"]) == 3
