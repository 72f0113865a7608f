"""What the docs promise about the commands: `make run PORT=… HOST=…`, the manifest's
optional `title` column in `import_articles --help`, and the article API in docs/api.md."""

import re
import shutil
import subprocess  # noqa: S404
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_takes_port_and_host():
    """A dry run (`make -n`) prints the commands: the server and the demo links follow."""
    out = subprocess.run(  # noqa: S603
        ["make", "-n", "run", "PORT=8123", "HOST=0.0.0.0"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "runserver 0.0.0.0:8123" in out
    assert "load_demo --host http://0.0.0.0:8123" in out
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run PORT=8001 HOST=0.0.0.0" in readme


def test_import_articles_help_names_the_manifest_s_optional_title(capsys):
    with pytest.raises(SystemExit):
        call_command("import_articles", "--help")
    help_text = " ".join(capsys.readouterr().out.split())
    assert "file,outlet,outlet_domain,url,published,author and an optional title column" in (
        help_text
    )


def test_docs_api_covers_the_article_endpoint_and_its_fields():
    doc = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    path = reverse("api-article-detail", args=[3]).replace("3", "<id>")
    assert f"### `GET {path}`" in doc and f"### `PATCH {path}`" in doc
    from articles.api import PATCH_FIELDS

    section = doc[doc.index(f"### `PATCH {path}`") :]
    for field in PATCH_FIELDS:
        assert re.search(rf"^\| `{field}` \|", section, re.M), field
    for code in ("revision_conflict", "unknown_reason", "comment_too_long", "empty_body"):
        assert f"`{code}`" in doc
