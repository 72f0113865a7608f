"""The history is a leaf: apps register with it, it imports none of them."""

import ast
from pathlib import Path

AUDIT = Path(__file__).resolve().parents[2] / "audit"
ROOT = AUDIT.parent
PROJECT_APPS = {"annotations", "articles", "backups", "intake", "publishing"}


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_audit_imports_no_app_not_even_inside_a_function():
    offenders = {
        f"{path.relative_to(AUDIT.parent)}: {name}"
        for path in AUDIT.rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] in PROJECT_APPS
    }
    assert offenders == set()


def test_the_site_helpers_audit_uses_import_no_app_either():
    # `cms` is the site package: its settings and URLs import every app, but the shared
    # interface helpers the history admin borrows (cms.admin_lookups) must not.
    helpers = {
        name
        for path in AUDIT.rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] == "cms"
    }
    assert helpers, "the history admin is expected to use the shared admin lookups"
    offenders = {
        f"{helper}: {name}"
        for helper in helpers
        for name in imported_modules(ROOT / (helper.replace(".", "/") + ".py"))
        if name.split(".")[0] in PROJECT_APPS | {"cms"}
    }
    assert offenders == set()
