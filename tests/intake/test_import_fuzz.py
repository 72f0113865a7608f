"""Fuzzing the import commands: random bytes and CSV either import or exit with one clear
line (CommandError), and a refused import writes nothing."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.models import Article, ArticleRevision, Organization, Outlet
from audit.models import HistoryRecord

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
csv_text = st.lists(
    st.sampled_from(
        list('ab ,"\n\r\x00|é\U0001f600') + ["union", "http://x.example/", "2024-01-02"]
    ),
    max_size=60,
).map("".join)


def state():
    return tuple(
        m.objects.count() for m in (Article, ArticleRevision, Organization, Outlet, HistoryRecord)
    )


@FUZZ
@given(files=st.lists(st.binary(max_size=300), min_size=1, max_size=3), manifest=csv_text)
def test_article_import_of_random_files_and_manifests(db, tmp_path_factory, files, manifest):
    folder = tmp_path_factory.mktemp("fuzz")
    for n, content in enumerate(files):
        (folder / f"{n}.txt").write_bytes(content)
    manifest_path = folder / "manifest.csv"
    header = "file,outlet,outlet_domain,url,published,author\n"
    manifest_path.write_text(header + manifest, encoding="utf-8", errors="surrogatepass")
    before = state()
    for extra in ([], ["--manifest", str(manifest_path)]):
        try:
            call_command("import_articles", str(folder), *extra, verbosity=0)
        except CommandError as error:
            assert str(error).strip() and "\n" not in str(error).strip()
            assert state() == before
        else:
            before = state()


@FUZZ
@given(rows=csv_text, header=st.sampled_from(["name,kind,aliases\n", "name,kind\n", ""]))
def test_organization_import_of_random_csv(db, tmp_path_factory, rows, header):
    path = tmp_path_factory.mktemp("orgs") / "organizations.csv"
    path.write_text(header + rows, encoding="utf-8")
    before = state()
    try:
        call_command("import_organizations", str(path), verbosity=0)
    except CommandError as error:
        assert str(error).strip()
        assert state() == before


@pytest.mark.parametrize("content", [b"\xff\xfe\x00t\x00", b"Title\n\nBody \x00", b"", b"\n\n"])
def test_known_bad_files_are_refused_by_name(db, tmp_path, content):
    (tmp_path / "bad.txt").write_bytes(content)
    with pytest.raises(CommandError, match="bad.txt"):
        call_command("import_articles", str(tmp_path), verbosity=0)
    assert state() == (0, 0, 0, 0, 0)
