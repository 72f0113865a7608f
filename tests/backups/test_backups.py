"""Backups: complete, versioned, byte-identical round trips between SQLite and PostgreSQL."""

import hashlib
import io
import json
import os
import random
import subprocess
import sys
import uuid
from base64 import b64encode
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from annotations.actions.passages import annotation_delete, annotation_update
from annotations.actions.revisions import article_revise
from annotations.actions.tags import tag_save
from annotations.imports.action import annotations_import
from annotations.imports.formats import parse
from annotations.models import Annotation, Tag
from articles.models import Article, ArticleRevision, Organization, Outlet
from audit.models import HistoryRecord
from backups.archive import MODELS, export_backup
from backups.format import Writer, models_of
from intake.actions import batch_create, snapshot_store
from intake.models import ImportBatch, ImportItem, Snapshot
from intake.pipeline import snapshot_import
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_editor,
    make_organization,
    make_tag,
)
from tests.intake.pages import NewsPage, render

ROOT = Path(__file__).resolve().parents[2]
PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def corpus():
    """A bit of everything: accounts, mentions, a revision, tags, a deleted passage, history."""
    editor = make_editor("ed", first_name="Éd", email="ed@example.org")
    annotator = make_annotator("ann")
    organization = make_organization("Refugee Council", aliases=["RC", "R.C."])
    article = make_article(
        "RC said 42\u00a0percent failed. \U0001f1fa\U0001f1f8 Caf\u00e9 \u201cquoted\u201d.",
        title='A <b>"title"</b>',
        url="https://news.example/a",
    )
    tag = make_tag("custom", colour="#123456", description="Mine")
    # A parent made after its child (a higher id): the import must not depend on id order.
    tag.parent = make_tag("broad", colour="#654321")
    tag_save(tag=tag, actor=editor)
    kept = make_annotation(article, exact="42\u00a0percent", annotator=annotator, tags=[tag])
    gone = make_annotation(article, exact="Caf\u00e9", annotator=annotator, note="<i>n</i>")
    annotation_update(annotation=kept, user=annotator, organization=organization.pk)
    annotation_delete(annotation=gone, user=editor)
    # A passage imported from elsewhere keeps the id of the annotation it came from.
    items, _ = parse(
        {
            "id": "https://elsewhere.example/anno/é-1",
            "type": "Annotation",
            "target": {
                "source": "https://news.example/a",
                "selector": {"type": "TextQuoteSelector", "exact": "failed"},
            },
        }
    )
    annotations_import(items=items, annotator=annotator, actor=editor)
    article_revise(article=article, body="Update. " + article.body, editor=editor)
    # The page the article came from (bytes that are not UTF-8 included), and an uploaded
    # page that made no article.
    page = snapshot_store(
        body=b"<html><p>RC said 42\xc2\xa0percent</p>\x00\xff\xfe</html>",
        url="https://news.example/a",
        final_url="https://news.example/a?from=feed",
        status=200,
        charset="utf-8",
    )
    Snapshot.objects.filter(pk=page.pk).update(article=article)
    snapshot_store(body=b"<p>Saved by hand.</p>", file_name="saved page.html")
    return editor, annotator, article


SNAPSHOT_FIELDS = [field.attname for field in Snapshot._meta.concrete_fields]


def snapshots() -> list[tuple]:
    """Every snapshot, every column (the stored page as bytes on either database)."""
    return [
        tuple(bytes(value) if isinstance(value, memoryview) else value for value in row)
        for row in Snapshot.objects.order_by("pk").values_list(*SNAPSHOT_FIELDS)
    ]


def reframed(lines: list[str], models: list[str] = MODELS) -> str:
    """Header and rows given a fresh, valid trailer (counting `models`): a whole file with
    whatever rows."""
    writer = Writer(models)
    writer.hash.update(lines[0].encode() + b"\n")
    out = [lines[0], *(writer.row(json.loads(line)) for line in lines[1:]), writer.trailer()]
    return "\n".join(out) + "\n"


def dump_row(row: dict) -> str:
    return json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def dump(**options) -> str:
    out = io.StringIO()
    export_backup(out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_the_backup_is_versioned_ordered_and_holds_everything():
    corpus()
    lines = dump().splitlines()
    assert json.loads(lines[0]) == {"format": "gloss-backup", "version": 4, "with_passwords": False}
    models = [json.loads(line)["model"] for line in lines[1:-1]]
    order = [
        "auth.user",
        "articles.outlet",
        "articles.organization",
        "articles.article",
        "articles.articlerevision",
        "annotations.tag",
        "annotations.annotation",
        "audit.historyrecord",
        "intake.snapshot",  # import batches are job records, left out
    ]
    assert list(dict.fromkeys(models)) == order
    # No coding rounds here (tests/backups/test_rounds_backup.py), but the trailer counts them.
    rounds = ["rounds.round", "rounds.donemark", "rounds.adjudication"]
    decisions = ["suggestions.suggestiondecision", "annotations.tagfield"]
    assert set(json.loads(lines[-1])["counts"]) == {*order, *rounds, *decisions}
    assert models.count("articles.articlerevision") == ArticleRevision.objects.count() == 2
    assert models.count("audit.historyrecord") == HistoryRecord.objects.count()
    passages = [json.loads(x) for x in lines if '"annotations.annotation"' in x]
    passage = passages[0]
    assert passage["fields"]["tags"] == [Tag.objects.get(slug="custom").pk]
    assert passage["fields"]["source_id"] == ""
    assert passages[1]["fields"]["source_id"] == "https://elsewhere.example/anno/é-1"
    tags = {
        row["fields"]["slug"]: row["fields"]
        for row in map(json.loads, lines[1:-1])
        if row["model"] == "annotations.tag"
    }
    assert tags["custom"]["parent_id"] == Tag.objects.get(slug="broad").pk
    assert tags["broad"]["parent_id"] is None
    user = next(json.loads(x) for x in lines if '"auth.user"' in x)
    assert "password" not in user["fields"]
    assert user["fields"]["groups"] == ["editors"]
    # Microseconds are kept.
    assert (
        user["fields"]["date_joined"]
        == get_user_model().objects.get(username="ed").date_joined.isoformat()
    )


@pytest.mark.django_db
def test_password_hashes_only_when_asked_for():
    corpus()
    hashed = [json.loads(x) for x in dump(with_passwords=True).splitlines()[1:3]]
    assert all(row["fields"]["password"].startswith("md5$") for row in hashed)


def run(database_url: str, *args: str, status: int = 0) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env |= {"DATABASE_URL": database_url, "DJANGO_DEBUG": "1", "DJANGO_SECRET_KEY": "test"}
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == status, result.stdout + result.stderr
    return result


def fresh_sqlite(tmp_path, name: str) -> str:
    url = f"sqlite:///{tmp_path / name}"
    run(url, "migrate", "--no-input", "-v", "0")
    return url


def postgres_answers() -> bool:
    try:
        import psycopg

        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3).close()
    except Exception:  # noqa: BLE001 - any failure means: no server to test against
        return False
    return True


@pytest.fixture
def postgres_database():
    """A fresh, migrated PostgreSQL database of its own, dropped afterwards."""
    if not postgres_answers():
        pytest.skip(f"no PostgreSQL server answers at {PG_SERVER} (CI starts one)")
    import psycopg

    name = f"gloss_backup_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = f"{PG_SERVER}/{name}"
    try:
        run(url, "migrate", "--no-input", "-v", "0")
        yield url
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def round_trip(source: Path, url: str, tmp_path: Path, name: str) -> bytes:
    run(url, "import_backup", str(source))
    again = tmp_path / name
    run(url, "export_backup", str(again), "--with-passwords")
    return again.read_bytes()


@pytest.mark.django_db
def test_round_trip_sqlite_to_postgresql_and_back_is_byte_identical(tmp_path, postgres_database):
    """Export (this test database) → SQLite → PostgreSQL → SQLite: the same bytes each time."""
    corpus()
    first = tmp_path / "first.jsonl"
    first.write_text(dump(with_passwords=True), encoding="utf-8")
    on_sqlite = round_trip(first, fresh_sqlite(tmp_path, "a.sqlite3"), tmp_path, "b.jsonl")
    assert on_sqlite == first.read_bytes()
    on_postgres = round_trip(tmp_path / "b.jsonl", postgres_database, tmp_path, "c.jsonl")
    assert on_postgres == first.read_bytes()
    # On PostgreSQL the snapshots are whole pages again, linked to their article.
    check = (
        "import hashlib; from intake.models import Snapshot;"
        "[print(s.pk, hashlib.sha256(s.raw()).hexdigest() == s.sha256, s.article and s.article.url)"
        " for s in Snapshot.objects.select_related('article').order_by('pk')]"
    )
    restored = run(postgres_database, "shell", "-v", "0", "-c", check).stdout.splitlines()
    linked, uploaded = Snapshot.objects.order_by("pk")
    assert restored == [f"{linked.pk} True https://news.example/a", f"{uploaded.pk} True None"]
    back = round_trip(tmp_path / "c.jsonl", fresh_sqlite(tmp_path, "d.sqlite3"), tmp_path, "e")
    assert back == first.read_bytes()


@pytest.mark.django_db
def test_round_trip_between_two_sqlite_databases_keeps_ids_and_logins(tmp_path):
    """An imported database works: password hashes kept, new rows get fresh ids."""
    corpus()
    source = tmp_path / "backup.jsonl"
    source.write_text(dump(with_passwords=True), encoding="utf-8")
    url = fresh_sqlite(tmp_path, "copy.sqlite3")
    assert round_trip(source, url, tmp_path, "again.jsonl") == source.read_bytes()
    check = (
        "from django.contrib.auth import get_user_model;"
        "from tests.factories import make_article;"
        "print(get_user_model().objects.get(username='ann').password);"
        "print(make_article().pk)"
    )
    password, new_pk = run(url, "shell", "-v", "0", "-c", check).stdout.split()
    assert password == get_user_model().objects.get(username="ann").password
    assert int(new_pk) > Article.objects.latest("pk").pk


@pytest.mark.django_db
def test_import_refuses_a_non_empty_database_and_an_unknown_version(tmp_path):
    corpus()
    backup = tmp_path / "b.jsonl"
    backup.write_text(dump(), encoding="utf-8")
    with pytest.raises(CommandError, match="already holds"):
        call_command("import_backup", str(backup))
    future = tmp_path / "future.jsonl"
    future.write_text('{"format":"gloss-backup","version":99}\n', encoding="utf-8")
    with pytest.raises(CommandError, match="version 99 is not supported"):
        call_command("import_backup", str(future), "--replace")
    assert Annotation.objects.count() == 2  # --replace did not run: nothing was touched


def with_a_dangling_passage(tmp_path, backup: str) -> Path:
    """The backup, whole and verified, with one more passage, on a missing article: only
    the database's check at the end refuses it."""
    lines = backup.splitlines()
    passage = next(json.loads(x) for x in lines if '"annotations.annotation"' in x)
    passage["pk"] += 1000
    passage["fields"]["article_id"] = 999_999
    history = next(i for i, x in enumerate(lines) if '"audit.historyrecord"' in x)
    broken = tmp_path / "broken.jsonl"
    broken.write_text(reframed([*lines[:history], dump_row(passage), *lines[history:-1]]))
    return broken


@pytest.mark.django_db
def test_import_is_all_or_nothing(tmp_path):
    """A bad row at the end (a passage on a missing article) leaves the database as it was."""
    corpus()
    broken = with_a_dangling_passage(tmp_path, dump())
    before = dump()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_backup", str(broken), "--replace")
    assert dump() == before


def index_definitions() -> list[tuple[str, str]]:
    """Every index of the database, by name, with its definition."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE schemaname = current_schema() ORDER BY 1"
            )
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY 1")
        return cursor.fetchall()


@pytest.mark.django_db
def test_the_indexes_dropped_for_the_load_come_back_as_they_were(tmp_path):
    """The import builds its tables' plain indexes (search, echo index) after the rows
    are in: afterwards every index is there with its definition, after a refused import
    as well, and the restored archive is searched through them."""
    from publishing.search import search

    corpus()
    indexes = index_definitions()
    backup = tmp_path / "b.jsonl"
    backup.write_text(dump(), encoding="utf-8")
    before = dump()
    call_command("import_backup", str(backup), "--replace", stdout=io.StringIO())
    assert index_definitions() == indexes
    assert dump() == before
    broken = with_a_dangling_passage(tmp_path, before)
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_backup", str(broken), "--replace")
    assert index_definitions() == indexes
    assert dump() == before
    article = Article.objects.order_by("pk").first()
    word = max(article.body.split(), key=len).strip(".,;:!?\"'")
    assert article in search(Article.objects.all(), word)


@pytest.mark.django_db
def test_replace_restores_the_backup_exactly(tmp_path):
    """--replace also deletes the snapshots and the import batches made since the backup,
    and the snapshots it had come back."""
    corpus()
    backup = tmp_path / "b.jsonl"
    backup.write_text(dump(with_passwords=True), encoding="utf-8")
    before = snapshots()
    make_article("Written after the backup.")
    Annotation.objects.all().delete()
    Snapshot.objects.order_by("pk").first().delete()
    batch_create(urls=["https://news.example/b"], pages=[("late.html", b"<p>Late.</p>")])
    call_command("import_backup", str(backup), "--replace", stdout=io.StringIO())
    assert dump(with_passwords=True) == backup.read_text(encoding="utf-8")
    assert snapshots() == before
    assert not ImportBatch.objects.exists() and not ImportItem.objects.exists()


@pytest.mark.django_db
def test_snapshots_come_back_byte_for_byte_with_their_article(tmp_path):
    """The stored page is written as base64 of its stored (compressed) bytes, and comes
    back with the same bytes, the same sha256 and the same article."""
    corpus()
    lines = dump().splitlines()
    rows = [r["fields"] for r in map(json.loads, lines[1:-1]) if r["model"] == "intake.snapshot"]
    stored = Snapshot.objects.order_by("pk")
    assert [row["html"] for row in rows] == [b64encode(s.html).decode() for s in stored]
    assert rows[0]["article_id"] == Article.objects.get().pk and rows[1]["article_id"] is None
    before = snapshots()
    backup = tmp_path / "b.jsonl"
    backup.write_text("\n".join(lines) + "\n", encoding="utf-8")
    call_command("import_backup", str(backup), "--replace", stdout=io.StringIO())
    assert snapshots() == before
    page = Snapshot.objects.select_related("article").get(article__isnull=False)
    assert page.raw() == b"<html><p>RC said 42\xc2\xa0percent</p>\x00\xff\xfe</html>"
    assert hashlib.sha256(page.raw()).hexdigest() == page.sha256
    assert page.article.url == "https://news.example/a"


@pytest.mark.django_db
def test_reextract_works_on_a_restored_archive(tmp_path):
    """An article imported from a page can be extracted again after a restore."""
    body = render(NewsPage(slug="a")).encode()
    snapshot = snapshot_store(body=body, url="https://tidewater-ledger.example/a", status=200)
    snapshot_import(snapshot, status=Article.Status.PUBLISHED)
    backup = tmp_path / "b.jsonl"
    backup.write_text(dump(), encoding="utf-8")
    call_command("import_backup", str(backup), "--replace", stdout=io.StringIO())
    out = io.StringIO()
    call_command("reextract", stdout=out)
    assert out.getvalue() == "Articles: 0 updated, 1 unchanged, 0 failed.\n"


@pytest.mark.django_db
def test_a_database_holding_only_snapshots_is_not_empty(tmp_path):
    corpus()
    backup = tmp_path / "b.jsonl"
    backup.write_text(dump(), encoding="utf-8")
    call_command("import_backup", str(backup), "--replace", stdout=io.StringIO())
    Annotation.objects.all().delete()
    Article.objects.all().delete()  # the snapshots stay, unlinked
    get_user_model().objects.all().delete()
    Outlet.objects.all().delete()
    Organization.objects.all().delete()
    with pytest.raises(CommandError, match="already holds snapshots; import into an empty"):
        call_command("import_backup", str(backup))


# A damaged file is refused whole ------------------------------------------------------------


def small_archive():
    """A few articles, passages with tags, history records, a page one article came from
    (20 kB that do not compress: a long line)."""
    editor = make_editor("ed")
    for n in range(3):
        article = make_article(f"Article {n} says the council voted. Residents objected.")
        make_annotation(article, exact="council", tags=[make_tag(f"t{n}")], annotator=editor)
        passage = make_annotation(article, exact="Residents", annotator=editor)
        annotation_update(annotation=passage, user=editor, note=f"n{n}")
    page = snapshot_store(body=random.Random(1).randbytes(20_000), url="https://news.example/")
    Snapshot.objects.filter(pk=page.pk).update(article=article)


def refused(path: Path, match: str) -> None:
    with pytest.raises(CommandError, match=match):
        call_command("import_backup", str(path), "--replace", stdout=io.StringIO())


@pytest.mark.django_db
def test_a_backup_cut_at_any_line_or_mid_line_is_refused_and_nothing_changes(tmp_path):
    """Every prefix of a backup (whole lines, and one cut inside a line) is refused with
    --replace, and the database still holds exactly what it held."""
    small_archive()
    whole = dump()
    lines = whole.splitlines(keepends=True)
    assert len(lines) > 20 and HistoryRecord.objects.count() >= 9
    cut = tmp_path / "cut.jsonl"
    for keep in range(len(lines)):
        cut.write_text("".join(lines[:keep]), encoding="utf-8")
        expected = "empty file" if keep == 0 else f"no trailer after line {keep}: "
        refused(cut, expected)
        assert dump() == whole, f"cut after {keep} lines changed the database"
    middle = len(lines) // 2
    cut.write_text("".join(lines[:middle]) + lines[middle][:17], encoding="utf-8")
    refused(cut, f"line {middle + 1}: not JSON")
    page = next(i for i, x in enumerate(lines) if '"intake.snapshot"' in x)
    cut.write_text("".join(lines[:page]) + lines[page][:10_000], encoding="utf-8")
    refused(cut, f"line {page + 1}: not JSON")
    cut.write_text(whole[:-40], encoding="utf-8")  # inside the trailer itself
    refused(cut, f"line {len(lines)}: not JSON")
    assert dump() == whole
    # The whole file still goes back in.
    cut.write_text(whole, encoding="utf-8")
    call_command("import_backup", str(cut), "--replace", stdout=io.StringIO())
    assert dump() == whole


@pytest.mark.django_db
def test_a_changed_row_or_a_wrong_count_is_refused(tmp_path):
    small_archive()
    whole = dump()
    lines = whole.splitlines()
    before = Annotation.objects.count()
    path = tmp_path / "b.jsonl"
    path.write_text(whole.replace('"note":"n1"', '"note":"n9"'), encoding="utf-8")
    refused(path, rf"line {len(lines)}: checksum mismatch")
    # Rows dropped and the checksum recomputed: the counts still tell.
    passage = next(i for i, x in enumerate(lines) if '"annotations.annotation"' in x)
    trailer = json.loads(reframed(lines[:passage] + lines[passage + 1 : -1]).splitlines()[-1])
    trailer["counts"] = json.loads(lines[-1])["counts"]
    path.write_text(
        "\n".join([*lines[:passage], *lines[passage + 1 : -1], dump_row(trailer)]) + "\n"
    )
    refused(
        path,
        rf"line {len(lines) - 1}: row counts disagree with the trailer "
        rf"\(annotations.annotation: {before - 1} in the file, {before} in the trailer\)",
    )
    path.write_text(whole + '{"model":"auth.user"}\n', encoding="utf-8")
    refused(path, f"line {len(lines) + 1}: data after the trailer")
    # One letter of the stored page changed: the checksum tells; and with a trailer made
    # anew for it, a page that is not base64 is still refused.
    page = next(i for i, x in enumerate(lines) if '"intake.snapshot"' in x)
    row = json.loads(lines[page])
    html = row["fields"]["html"]
    row["fields"]["html"] = html[:100] + ("B" if html[100] == "A" else "A") + html[101:]
    path.write_text("\n".join([*lines[:page], dump_row(row), *lines[page + 1 :]]) + "\n")
    refused(path, rf"line {len(lines)}: checksum mismatch")
    row["fields"]["html"] = html[:100] + "!" + html[101:]
    path.write_text(reframed([*lines[:page], dump_row(row), *lines[page + 1 : -1]]))
    refused(path, rf"line {page + 1}: html is not base64")
    assert dump() == whole


@pytest.mark.django_db
def test_a_version_1_backup_without_a_trailer_is_refused_by_name(tmp_path):
    small_archive()
    whole = dump()
    lines = whole.splitlines()
    old = tmp_path / "v1.jsonl"
    header = json.loads(lines[0]) | {"version": 1}
    old.write_text("\n".join([dump_row(header), *lines[1:-1]]) + "\n", encoding="utf-8")
    refused(old, "line 1: backup format version 1 has no trailer")
    assert dump() == whole


def test_the_command_exits_1_with_one_line_and_leaves_the_database(tmp_path):
    """Seen from the shell: exit status 1, one line on stderr, the archive untouched."""
    url = fresh_sqlite(tmp_path, "t.sqlite3")
    script = "from tests.backups.test_backups import small_archive; small_archive()"
    run(url, "shell", "-v", "0", "-c", script)
    backup = tmp_path / "backup.jsonl"
    run(url, "export_backup", str(backup))
    lines = backup.read_text(encoding="utf-8").splitlines(keepends=True)
    cut = tmp_path / "t.jsonl"
    cut.write_text("".join(lines[:-3]), encoding="utf-8")
    result = run(url, "import_backup", str(cut), "--replace", status=1)
    assert result.stdout == ""
    assert result.stderr == (
        f"CommandError: {cut}: no trailer after line {len(lines) - 3}: "
        "the backup is incomplete (cut short?)\n"
    )
    again = tmp_path / "again.jsonl"
    run(url, "export_backup", str(again))
    assert again.read_bytes() == backup.read_bytes()


VERSION_2_MODELS = models_of(2, MODELS)


def as_version_2(lines: list[str], rows=None) -> str:
    """What Gloss wrote before snapshots were backed up: header version 2, no snapshot rows
    and a trailer that does not count them."""
    header = dump_row(json.loads(lines[0]) | {"version": 2})
    rows = [json.loads(line) for line in lines[1:-1]] if rows is None else rows
    kept = [dump_row(row) for row in rows if row["model"] != "intake.snapshot"]
    return reframed([header, *kept], VERSION_2_MODELS)


@pytest.mark.django_db
def test_a_version_2_backup_from_before_snapshots_still_imports(tmp_path):
    """Its trailer counts no snapshots, and it imports whole: everything but snapshots."""
    corpus()
    lines = dump(with_passwords=True).splitlines()
    old = tmp_path / "v2.jsonl"
    old.write_text(as_version_2(lines), encoding="utf-8")
    assert "intake.snapshot" not in old.read_text(encoding="utf-8")
    out = io.StringIO()
    call_command("import_backup", str(old), "--replace", stdout=out)
    assert "0 intake.snapshot, 0 rounds.round," in out.getvalue()
    assert not Snapshot.objects.exists()
    again = dump(with_passwords=True).splitlines()
    assert again[1:-1] == [x for x in lines[1:-1] if '"intake.snapshot"' not in x]


@pytest.mark.django_db
def test_only_a_version_2_file_may_leave_snapshots_uncounted(tmp_path):
    """A version-3 trailer without the snapshot count, a version-2 trailer with one, and a
    snapshot row in a version-2 file are all refused."""
    corpus()
    whole = dump()
    lines = whole.splitlines()
    path = tmp_path / "b.jsonl"
    rows = [x for x in lines[:-1] if '"intake.snapshot"' not in x]
    path.write_text(reframed(rows, [m for m in MODELS if m != "intake.snapshot"]))
    refused(
        path,
        rf"line {len(rows) + 1}: row counts disagree with the trailer "
        r"\(intake.snapshot: 0 in the file, no count in the trailer\)",
    )
    version_2 = as_version_2(lines).splitlines()
    path.write_text(reframed(version_2[:-1], models_of(3, MODELS)), encoding="utf-8")
    refused(path, r"\(intake.snapshot: no such table in the file, 0 in the trailer\)")
    page = next(x for x in lines if '"intake.snapshot"' in x)
    path.write_text(reframed([*version_2[:-1], page]), encoding="utf-8")
    refused(
        path,
        rf"line {len(version_2)}: a intake.snapshot row in a version 2 backup "
        r"\(that version has no intake.snapshot rows\)",
    )
    assert dump() == whole


@pytest.mark.django_db
def test_a_backup_written_before_passages_had_a_source_id_still_imports(tmp_path):
    """Version 2 files from before `source_id` existed: their passages come back without one."""
    corpus()
    lines = dump().splitlines()
    older = []
    for line in lines[1:-1]:
        row = json.loads(line)
        if row["model"] == "annotations.annotation":
            del row["fields"]["source_id"]
        older.append(row)
    backup = tmp_path / "older.jsonl"
    backup.write_text(as_version_2(lines, older), encoding="utf-8")
    call_command("import_backup", str(backup), "--replace", stdout=io.StringIO())
    assert set(Annotation.objects.values_list("source_id", flat=True)) == {""}


@pytest.mark.django_db
def test_a_backup_written_before_tags_nested_still_imports(tmp_path):
    """A version-2 file whose tag rows have no `parent_id` imports, its tags unnested."""
    corpus()
    lines = dump(with_passwords=True).splitlines()
    rows = [json.loads(line) for line in lines[1:-1]]
    for row in rows:
        if row["model"] == "annotations.tag":
            del row["fields"]["parent_id"]
    old = tmp_path / "old.jsonl"
    old.write_text(as_version_2(lines, rows), encoding="utf-8")
    call_command("import_backup", str(old), "--replace", stdout=io.StringIO())
    assert not Tag.objects.filter(parent__isnull=False).exists()
    assert Tag.objects.filter(slug="custom", description="Mine").exists()


@pytest.mark.django_db
def test_the_echo_index_written_during_the_import_is_what_a_reindex_gives(tmp_path):
    """The import writes the echo fingerprints of each article batch as it goes (instead of
    reading every body back afterwards): exactly the rows `reindex_all` makes."""
    from echoes import store
    from echoes.index import reindex_all

    corpus()
    make_article("The council said the library would close. " * 5, title="Second")
    backup = tmp_path / "b.jsonl"
    backup.write_text(dump(), encoding="utf-8")
    store.clear()
    call_command("import_backup", str(backup), "--replace", stdout=io.StringIO())
    imported = store.rows()
    reindex_all()
    assert imported and imported == store.rows()
