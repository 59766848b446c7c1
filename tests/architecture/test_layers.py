"""STYLE.md's layer table: what each module of an app may import.

rules.py is pure (no ORM, no app modules but core); models.py knows no services, queries or
handlers; queries.py reads only (no services); services.py knows no handlers. A violation
names the module and the import, so the fix is obvious.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "salescope"
HANDLER_LAYERS = ("api", "views", "forms", "schemas", "urls", "admin")

# module name → (banned: a ".layer" is a module name anywhere in the import path, anything else
# a prefix; allowed: prefixes exempt from the ban)
RULES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "rules": (("django.db", "salescope."), ("salescope.core.",)),
    "models": (tuple(f".{layer}" for layer in ("services", "queries", *HANDLER_LAYERS)), ()),
    "queries": (tuple(f".{layer}" for layer in ("services", *HANDLER_LAYERS)), ()),
    "services": (tuple(f".{layer}" for layer in HANDLER_LAYERS), ()),
}


def imported_names(source: str) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return sorted(set(names))


def forbidden_imports(module: str, source: str) -> list[str]:
    banned, allowed = RULES[module]
    found = []
    for name in imported_names(source):
        if name.startswith(allowed):
            continue
        parts = name.split(".")
        for ban in banned:
            is_layer = ban.startswith(".")
            own_layer = is_layer and parts[0] == "salescope" and ban[1:] in parts[1:]
            if own_layer or (not is_layer and name.startswith(ban)):
                found.append(name)
                break
    return found


LAYER_FILES = sorted(path for module in RULES for path in PACKAGE.glob(f"*/{module}.py"))


def test_the_rules_catch_what_they_should():
    assert forbidden_imports("rules", "from django.db import models\nimport decimal") == [
        "django.db",
        "django.db.models",
    ]
    assert forbidden_imports("rules", "from salescope.core.money import to_fen") == []
    assert forbidden_imports("models", "from salescope.plans.services import approve") == [
        "salescope.plans.services",
        "salescope.plans.services.approve",
    ]
    assert forbidden_imports("queries", "from salescope.org import services") == [
        "salescope.org.services"
    ]
    assert forbidden_imports("services", "from salescope.org.schemas import MeOut") == [
        "salescope.org.schemas",
        "salescope.org.schemas.MeOut",
    ]
    assert forbidden_imports("services", "from salescope.org.queries import get_unit") == []
    assert forbidden_imports("models", "from django.urls import reverse") == []


@pytest.mark.parametrize(
    "path", LAYER_FILES, ids=[p.relative_to(PACKAGE).as_posix() for p in LAYER_FILES]
)
def test_module_imports_only_what_its_layer_may(path):
    assert forbidden_imports(path.stem, path.read_text(encoding="utf-8")) == []
