"""cms/ is the project's plumbing: settings, URLs, health, the JSON envelope. It imports no
app (app modules are named in settings and URLconfs as strings)."""

import ast
from pathlib import Path

import cms

APPS = {"articles", "annotations", "audit", "publishing", "intake", "backups"}


def test_cms_imports_no_app():
    imported = []
    for path in sorted(Path(cms.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            imported += [f"{path.name}: {n}" for n in names if n.split(".")[0] in APPS]
    assert imported == []
