"""The house rules a linter does not check: every module of the apps sits in a layer of
the import-linter contract (a module left out of every layer would be free to import
against the direction unchecked), and none is over 450 lines (issue 13)."""

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Modules that are wiring, not code of a layer: Django loads them by dotted path.
WIRING = re.compile(r"(^|\.)(apps|settings|wsgi|asgi|gunicorn\.conf)$")


def contract():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (layers,) = [c["layers"] for c in config["contracts"] if c["type"] == "layers"]
    return config["root_packages"], layers


def layer_modules(layers):
    return {
        name.strip().strip("()")
        for layer in layers
        for name in re.split(r"[|:]", layer)
        if name.strip()
    }


def app_modules(roots):
    for root in roots:
        for path in (ROOT / root).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
                if len(parts) == 1 or facade(path, ".".join(parts)):
                    continue  # an app's root, or a package that imports only its own modules
            yield ".".join(parts)


def facade(path, package):
    """Whether a package's `__init__` imports nothing but its own submodules (its imports
    are then checked where they point)."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            return False
        if isinstance(node, ast.ImportFrom) and not (
            node.level or (node.module or "").startswith(package + ".")
        ):
            return False
    return True


def test_every_module_sits_in_a_layer():
    roots, layers = contract()
    named = layer_modules(layers)
    outside = []
    for module in app_modules(roots):
        if WIRING.search(module):
            continue
        prefixes = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 2)}
        if not prefixes & named:
            outside.append(module)
    assert outside == [], f"put these in a layer of pyproject.toml's contract: {outside}"


def test_every_named_layer_exists():
    roots, layers = contract()
    missing = []
    for name in layer_modules(layers):
        path = ROOT / Path(*name.split("."))
        if not (path.with_suffix(".py").exists() or (path / "__init__.py").exists()):
            missing.append(name)
    # Optional layers (in parentheses) may name a module yet to be written; none is.
    assert missing == []


MAX_LINES = 450


def test_no_app_module_is_over_450_lines():
    roots, _ = contract()
    long = {}
    for root in roots:
        for path in (ROOT / root).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            lines = len(path.read_text().splitlines())
            if lines > MAX_LINES:
                long[str(path.relative_to(ROOT))] = lines
    assert long == {}, f"split these along their seams: {long}"
