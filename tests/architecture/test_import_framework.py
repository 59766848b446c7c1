"""One import framework (issue 20 item 4): the shared machinery lives in ``core.importing`` and
imports no app; the customer and product importers live in their own apps and never reach up
into ``ledger``."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "salescope"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n for n in names if n.startswith("salescope.")}


@pytest.mark.parametrize("app", ["customers", "catalog"])
def test_customer_and_product_apps_do_not_import_the_ledger(app):
    assert (PACKAGE / app / "importing.py").exists()
    # The app's other modules' ties to the ledger are the app-cycle work's (issue 20 item 4).
    assert sorted(n for n in _imports(PACKAGE / app / "importing.py") if "ledger" in n) == []


def test_the_shared_import_machinery_imports_no_app():
    found = {
        path.name: sorted(n for n in _imports(path) if not n.startswith("salescope.core"))
        for path in (PACKAGE / "core" / "importing").glob("*.py")
    }
    assert {k: v for k, v in found.items() if v} == {}
    assert not (PACKAGE / "ledger" / "importing" / "customers.py").exists()
    assert not (PACKAGE / "ledger" / "importing" / "products.py").exists()
