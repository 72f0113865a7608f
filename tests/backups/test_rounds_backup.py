"""Backup format 4: coding rounds (coders, articles, tags, done marks, the agreement kept at
closing, adjudications with their sources) survive export → wipe → import, ids and links
intact, and a blind round is still blind after the restore."""

import io
import json

import pytest
from django.core.management import call_command

from annotations.models import Annotation
from articles.models import Article
from backups.format import models_of
from rounds.actions import (
    consensus_keep,
    consensus_reject,
    round_close,
    round_create,
    round_mark_done,
)
from rounds.models import Adjudication, DoneMark, Round
from tests.backups.test_backups import (
    MODELS,
    dump,
    dump_row,
    fresh_sqlite,
    postgres_database,  # noqa: F401 - a fixture
    reframed,
    round_trip,
)
from tests.factories import make_annotation, make_article
from tests.rounds.helpers import blind_round
from tests.rounds.test_visibility import seen

pytestmark = pytest.mark.django_db


def rounds_corpus():
    """An open blind round (both coders done, one disagreement adjudicated, one rejected)
    and a closed round (its agreement kept, its consensus published)."""
    s = blind_round()
    for coder in (s.ana, s.bob):
        round_mark_done(round=s.round, article=s.article, coder=coder)
    rejected = make_annotation(s.article, exact="The union", annotator=s.ana, tags=[s.tag])
    s.extra = [
        consensus_keep(
            round=s.round, passage=s.bob_passage, others=[s.ana_passage], editor=s.editor
        ).passage
    ]
    consensus_reject(round=s.round, passages=[rejected], editor=s.editor)
    later = make_article("In May 12 schools closed and 3 reopened.", title="Schools")
    closed = round_create(
        name="Schools round",
        articles=[later],
        coders=[s.ana, s.bob],
        tags=[s.tag],
        blind=False,
        instructions="Code every number.",
        editor=s.editor,
    )
    for coder in (s.ana, s.bob):
        make_annotation(later, exact="12 schools", annotator=coder, tags=[s.tag])
        round_mark_done(round=closed, article=later, coder=coder)
    consensus_keep(
        round=closed,
        passage=Annotation.objects.get(article=later, annotator=s.ana),
        others=[Annotation.objects.get(article=later, annotator=s.bob)],
        editor=s.editor,
    )
    round_close(round=closed, editor=s.editor, coder_passages="draft")
    return s


def rounds_state() -> list:
    """Every round row with its links, done marks and adjudications, by id."""
    return [
        (
            r.pk,
            r.name,
            r.instructions,
            r.blind,
            r.state,
            r.created_by_id,
            r.created,
            r.modified,
            r.closed,
            r.coder_passages,
            r.agreement,
            sorted(r.articles.values_list("pk", flat=True)),
            sorted(r.coders.values_list("pk", flat=True)),
            sorted(r.tags.values_list("pk", flat=True)),
            sorted(
                DoneMark.objects.filter(round=r).values_list("pk", "article", "coder", "marked")
            ),
            [
                (
                    a.pk,
                    a.article_id,
                    a.decision,
                    a.passage_id,
                    sorted(a.sources.values_list("pk", flat=True)),
                    a.sources_snapshot,
                    a.decided_by_id,
                    a.decided,
                )
                for a in Adjudication.objects.filter(round=r).order_by("pk")
            ],
        )
        for r in Round.objects.order_by("pk")
    ]


def test_a_backup_holds_the_rounds_as_format_4():
    rounds_corpus()
    lines = dump().splitlines()
    assert json.loads(lines[0])["version"] == 4
    rows = [json.loads(line) for line in lines[1:-1]]
    models = list(dict.fromkeys(row["model"] for row in rows))
    assert models[-3:] == ["rounds.round", "rounds.donemark", "rounds.adjudication"]
    assert "suggestions.suggestiondecision" in json.loads(lines[-1])["counts"]
    counts = json.loads(lines[-1])["counts"]
    assert counts["rounds.round"] == 2 and counts["rounds.donemark"] == 4
    assert counts["rounds.adjudication"] == 3
    first, second = (row for row in rows if row["model"] == "rounds.round")
    opened = Round.objects.get(name="Bridges round")
    assert first["pk"] == opened.pk and first["fields"]["state"] == "open"
    assert first["fields"]["coders"] == sorted(opened.coders.values_list("pk", flat=True))
    assert first["fields"]["articles"] == [Article.objects.get(title="Bridges").pk]
    assert second["fields"]["agreement"]["tags"]["statistic"]["alpha"] == 1.0
    kept = next(row for row in rows if row["model"] == "rounds.adjudication")
    adjudication = Adjudication.objects.order_by("pk").first()
    assert kept["fields"]["passage_id"] == adjudication.passage_id
    assert kept["fields"]["sources"] == sorted(adjudication.sources.values_list("pk", flat=True))
    assert len(kept["fields"]["sources"]) == 2
    passages = {r["pk"]: r for r in rows if r["model"] == "annotations.annotation"}
    consensus = passages[adjudication.passage_id]
    assert consensus["fields"]["adjudicated"] is True


def test_rounds_survive_backup_wipe_and_restore_and_stay_blind(client, tmp_path):
    s = rounds_corpus()
    views = {}
    for coder in (s.ana, s.bob):
        client.force_login(coder)
        views[coder.username] = seen(client, s, staff=True)
    # Blind: each coder sees their own passage on the round's article, not the other's.
    assert s.bob_passage.pk not in views["ana"]["workspace"]
    assert s.ana_passage.pk in views["ana"]["workspace"]
    before, state = dump(with_passwords=True), rounds_state()
    adjudicated = set(Annotation.objects.filter(adjudicated=True).values_list("pk", flat=True))
    assert len(adjudicated) == 2
    backup = tmp_path / "b.jsonl"
    backup.write_text(before, encoding="utf-8")
    Round.objects.all().delete()  # the wipe, before --replace wipes the rest
    Annotation.objects.all().delete()
    call_command("import_backup", str(backup), "--replace", stdout=io.StringIO())
    assert rounds_state() == state
    assert set(Annotation.objects.filter(adjudicated=True).values_list("pk", flat=True)) == (
        adjudicated
    )
    assert dump(with_passwords=True) == before
    for coder in (s.ana, s.bob):
        client.force_login(coder)
        assert seen(client, s, staff=True) == views[coder.username], coder.username
    # The restored round goes on: bob takes his mark back, and new rows get fresh ids.
    restored = Round.objects.get(pk=s.round.pk)
    round_mark_done(round=restored, article=s.article, coder=s.bob, done=False)
    round_mark_done(round=restored, article=s.article, coder=s.bob)
    assert DoneMark.objects.latest("pk").pk > max(row[0] for row in state[0][14] + state[1][14])


def test_rounds_round_trip_sqlite_to_postgresql_and_back_is_byte_identical(
    tmp_path,
    postgres_database,  # noqa: F811 - the fixture
):
    rounds_corpus()
    first = tmp_path / "first.jsonl"
    first.write_text(dump(with_passwords=True), encoding="utf-8")
    on_sqlite = round_trip(first, fresh_sqlite(tmp_path, "a.sqlite3"), tmp_path, "b.jsonl")
    assert on_sqlite == first.read_bytes()
    on_postgres = round_trip(tmp_path / "b.jsonl", postgres_database, tmp_path, "c.jsonl")
    assert on_postgres == first.read_bytes()


@pytest.mark.parametrize("version", [2, 3])
def test_a_version_2_or_3_backup_from_before_rounds_still_imports(tmp_path, version):
    """Its trailer counts no rounds; it imports whole, with no rounds (and a round row in
    it is refused)."""
    rounds_corpus()
    lines = dump(with_passwords=True).splitlines()
    kept_models = models_of(version, MODELS)
    header = dump_row(json.loads(lines[0]) | {"version": version})
    rows = [line for line in lines[1:-1] if json.loads(line)["model"] in kept_models]
    old = tmp_path / "old.jsonl"
    old.write_text(reframed([header, *rows], kept_models), encoding="utf-8")
    out = io.StringIO()
    call_command("import_backup", str(old), "--replace", stdout=out)
    assert "0 rounds.round, 0 rounds.donemark, 0 rounds.adjudication, " in out.getvalue()
    assert "0 suggestions.suggestiondecision, 0 annotations.tagfield." in out.getvalue()
    assert not Round.objects.exists()
    assert Annotation.objects.filter(adjudicated=True).count() == 2
    round_row = next(line for line in lines[1:-1] if json.loads(line)["model"] == "rounds.round")
    framing = [*kept_models, "rounds.round"]  # the row is refused before the trailer
    old.write_text(reframed([header, *rows, round_row], framing), encoding="utf-8")
    with pytest.raises(Exception, match=f"a rounds.round row in a version {version} backup"):
        call_command("import_backup", str(old), "--replace", stdout=io.StringIO())


def test_the_coders_answers_to_suggestions_survive_backup_and_restore(tmp_path):
    """A dismissal (not offered again after the restore) and an acceptance (its passage)."""
    from suggestions.actions import suggestion_accept, suggestion_dismiss
    from suggestions.models import SuggestionDecision
    from tests.factories import make_annotator

    article = make_article("The union said 60,000 people were sent back. “We object,” it said.")
    coder = make_annotator("coder")
    suggestion_dismiss(
        article=article, coder=coder, kind="statistic", start=15, end=44,
        exact=article.body[15:44],
    )  # fmt: skip
    suggestion_accept(
        kind="quote", article=article, start=45, end=57, exact=article.body[45:57],
        annotator=coder,
    )  # fmt: skip

    def answers():
        return list(
            SuggestionDecision.objects.order_by("pk").values_list(
                "pk", "article_id", "coder_id", "kind", "outcome", "start", "end", "exact",
                "passage_id",
            )
        )  # fmt: skip

    state, before = answers(), dump(with_passwords=True)
    assert [row[4] for row in state] == ["dismissed", "accepted"] and state[1][8] is not None
    backup = tmp_path / "b.jsonl"
    backup.write_text(before, encoding="utf-8")
    call_command("import_backup", str(backup), "--replace", stdout=io.StringIO())
    assert answers() == state
    assert dump(with_passwords=True) == before
