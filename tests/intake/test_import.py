"""Importing articles and organizations: idempotent, atomic, and honest about bad input."""

import csv
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from annotations.models import Annotation
from articles.models import Article, ArticleRevision, Organization, Outlet
from intake.importers import ImportProblem, import_articles, read_article_file
from tests.factories import make_annotator

pytestmark = pytest.mark.django_db

MANIFEST_HEADER = "file,outlet,outlet_domain,url,published,author\n"


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def snapshot():
    return (
        sorted(Article.objects.values_list("slug", "body", "revision")),
        sorted(Outlet.objects.values_list("slug", flat=True)),
        sorted(Organization.objects.values_list("name", "kind", "aliases")),
        ArticleRevision.objects.count(),
    )


def test_seed_corpus_imports_with_outlets_and_mentions(seeded, seeds_dir):
    """The five seed articles come in from four outlets, with what they mention."""
    assert Article.objects.count() == 5
    assert Outlet.objects.count() == 4
    assert Organization.objects.count() == 19
    newsweek = Outlet.objects.get(domain="newsweek.com")
    assert newsweek.articles.count() == 2
    with (seeds_dir / "manifest.csv").open(encoding="utf-8", newline="") as f:
        manifest_titles = {row["file"]: row.get("title") or "" for row in csv.DictReader(f)}
    for path in sorted(seeds_dir.glob("*.txt")):
        parsed = read_article_file(path)
        article = Article.objects.get(source_sha256=parsed.sha256)
        assert article.body == parsed.body  # kept as written: NBSP and curly quotes included
        # The manifest's title replaces a first line that is page chrome ("Skip to main content").
        assert article.title == (manifest_titles[path.name] or parsed.title)
        assert article.revisions.get().body == article.body
    mentioned = Article.objects.filter(organizations__aliases__icontains="ACLU").distinct()
    assert mentioned.count() >= 1


def test_reimporting_the_seeds_changes_nothing(seeded, seeds_dir):
    """Running `make run` twice must not duplicate anything."""
    before = snapshot()
    call_command("import_organizations", seeds_dir / "organizations.csv", verbosity=0)
    call_command("import_articles", seeds_dir, manifest=seeds_dir / "manifest.csv", verbosity=0)
    assert snapshot() == before


def test_article_file_keeps_text_as_written(tmp_path):
    """Only framing is normalised: BOM, CRLF and blank lines around title and body."""
    path = write(
        tmp_path / "a.txt",
        (
            "\ufeff\r\n  Headline  here \r\n\r\n"
            "First\u00a0para \u201cquoted\u201d.\r\n\r\nSecond.\r\n\r\n"
        ).encode(),
    )
    parsed = read_article_file(path)
    assert parsed.title == "Headline here"
    assert parsed.body == "First\u00a0para \u201cquoted\u201d.\n\nSecond."


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"\n  \n\t\n", "empty file"),
        (b"Only a title\n\n", "no body text"),
        (b"Title\n\nBody \xff\xfe bytes", "not UTF-8"),
        (b"Title\n\nBody\x00", "NUL"),
    ],
)
def test_bad_article_files_are_refused_with_the_reason(tmp_path, content, reason):
    path = write(tmp_path / "bad.txt", content)
    with pytest.raises(ImportProblem) as problem:
        read_article_file(path)
    assert problem.value.source == str(path)
    assert reason in problem.value.reason


def test_a_bad_file_in_the_middle_of_a_batch_leaves_the_database_as_it_was(tmp_path, seeds_dir):
    """Atomic: nothing of the batch is written, and the error names the file."""
    batch = tmp_path / "batch"
    batch.mkdir()
    for source in sorted(seeds_dir.glob("*.txt"))[:2]:
        shutil.copy(source, batch / source.name)
    write(batch / "001_zz_bad.txt", b"Title\n\nLatin-1 caf\xe9")
    before = snapshot()
    with pytest.raises(CommandError) as error:
        call_command("import_articles", batch, verbosity=0)
    assert "001_zz_bad.txt" in str(error.value) and "not UTF-8" in str(error.value)
    assert snapshot() == before


def test_a_malformed_manifest_row_aborts_the_import(tmp_path):
    write(tmp_path / "a.txt", "Title A\n\nBody A")
    write(tmp_path / "b.txt", "Title B\n\nBody B")
    manifest = write(
        tmp_path / "manifest.csv",
        MANIFEST_HEADER + "a.txt,Outlet,outlet.example,,2020-01-01,\n"
        "b.txt,Outlet,outlet.example,,01/02/2020,\n",
    )
    before = snapshot()
    with pytest.raises(CommandError) as error:
        call_command("import_articles", tmp_path, manifest=manifest, verbosity=0)
    assert "manifest.csv, line 3" in str(error.value)
    assert "YYYY-MM-DD" in str(error.value)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("manifest_text", "reason"),
    [
        ("file,outlet\na.txt,X\n", "missing column(s): outlet_domain, url, published, author"),
        (MANIFEST_HEADER + "a.txt,X,x.example,not-a-url,,\n", "is not an http(s) URL"),
        (MANIFEST_HEADER + "a.txt,,x.example,,,\n", "no outlet"),
        (MANIFEST_HEADER + "a.txt,X,x.example,,,,extra\n", "columns"),
        (MANIFEST_HEADER + "other.txt,X,x.example,,,\n", "not listed in the manifest"),
    ],
)
def test_manifest_problems_are_named(tmp_path, manifest_text, reason):
    write(tmp_path / "a.txt", "Title A\n\nBody A")
    manifest = write(tmp_path / "m" / "manifest.csv", manifest_text)
    with pytest.raises(ImportProblem) as problem:
        import_articles([tmp_path / "a.txt"], manifest=manifest)
    assert reason in problem.value.reason
    assert Article.objects.count() == 0


def test_the_command_exits_non_zero_with_one_line(tmp_path, capsys):
    """Management commands report `file: reason` and exit with status 1."""
    write(tmp_path / "empty.txt", "")
    with pytest.raises(SystemExit) as exit_info:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["manage.py", "import_articles", str(tmp_path)])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"CommandError: {tmp_path / 'empty.txt'}: empty file: no title line"]


def test_reimport_by_url_with_new_text_makes_a_revision_and_keeps_passages(tmp_path):
    """Same URL: the article is updated, not duplicated; new text is a new revision."""
    manifest = write(
        tmp_path / "m.csv",
        MANIFEST_HEADER + "a.txt,Outlet,outlet.example,https://outlet.example/a,2020-01-01,Ann\n",
    )
    write(tmp_path / "a.txt", "Title\n\nThe court ruled on Monday. Officers objected.")
    import_articles([tmp_path / "a.txt"], manifest=manifest)
    article = Article.objects.get()
    from tests.factories import make_annotation

    passage = make_annotation(article, exact="Officers objected.", annotator=make_annotator())
    write(tmp_path / "a.txt", "Title\n\nCorrection: The court ruled on Tuesday. Officers objected.")
    report = import_articles([tmp_path / "a.txt"], manifest=manifest)
    assert (report.created, report.revised) == (0, 1)
    article.refresh_from_db()
    passage.refresh_from_db()
    assert Article.objects.count() == 1
    assert article.revision == 2
    assert list(article.revisions.values_list("number", "reason")) == [
        (1, "import"),
        (2, "reimport"),
    ]
    assert article.body[passage.start : passage.end] == passage.exact == "Officers objected."
    assert passage.anchor_status == Annotation.AnchorStatus.ANCHORED


def test_files_without_url_are_recognised_by_content(tmp_path):
    write(tmp_path / "a.txt", "Title\n\nBody text.")
    import_articles([tmp_path])
    import_articles([tmp_path])
    assert Article.objects.count() == 1
    write(tmp_path / "b.txt", "Another\n\nOther text.")
    report = import_articles([tmp_path])
    assert (report.created, report.unchanged) == (1, 1)


def test_import_shows_progress(tmp_path):
    for n in range(3):
        write(tmp_path / f"{n}.txt", f"Title {n}\n\nBody {n}.")
    from io import StringIO

    out = StringIO()
    call_command("import_articles", tmp_path, stdout=out, verbosity=2)
    lines = out.getvalue().splitlines()
    assert lines[:3] == ["[1/3] created: 0.txt", "[2/3] created: 1.txt", "[3/3] created: 2.txt"]
    assert lines[-1] == "Articles: 3 created, 0 revised, 0 updated, 0 unchanged."


def test_import_organizations_updates_aliases_and_refuses_bad_rows(tmp_path):
    path = write(
        tmp_path / "o.csv", "name,kind,aliases\nUnited Nations,intergovernmental,U.N.|UN\n"
    )
    call_command("import_organizations", path, verbosity=0)
    assert Organization.objects.get().aliases == ["U.N.", "UN"]
    write(path, "name,kind,aliases\nUnited Nations,intergovernmental,UN\n")
    call_command("import_organizations", path, verbosity=0)
    assert Organization.objects.get().aliases == ["UN"]
    write(path, "name,kind,aliases\nNew Org,advocacy,\nBad,spaceship,\n")
    with pytest.raises(CommandError, match=r"o.csv, line 3: unknown kind 'spaceship'"):
        call_command("import_organizations", path, verbosity=0)
    assert not Organization.objects.filter(name="New Org").exists()


def test_a_manifest_title_column_overrides_scraped_chrome(tmp_path):
    """Scrapers leave site chrome on the first line; the manifest may name the real title."""
    write(tmp_path / "a.txt", "Skip to main content\n\nThe body.")
    manifest = write(
        tmp_path / "m.csv",
        "file,outlet,outlet_domain,url,published,author,title\n"
        "a.txt,Outlet,outlet.example,,2020-01-01,,The Real Headline\n",
    )
    import_articles([tmp_path / "a.txt"], manifest=manifest)
    assert Article.objects.get().title == "The Real Headline"


def test_reimporting_the_same_file_keeps_an_editors_corrected_title(tmp_path):
    from articles.actions.articles import article_update

    write(tmp_path / "a.txt", "Skip to main content\n\nThe body.")
    import_articles([tmp_path])
    article = Article.objects.get()
    article_update(article=article, title="Corrected by an editor")
    report = import_articles([tmp_path])
    article.refresh_from_db()
    assert article.title == "Corrected by an editor"
    assert report.unchanged == 1
