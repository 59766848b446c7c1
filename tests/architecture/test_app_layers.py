"""Apps form layers (issue 20 item 4): each app imports only the apps below it, so there is no
import cycle between apps, however deep inside a function the import hides.

The layers are declared once, in pyproject.toml's import-linter contract; this test runs that
contract and checks that every app is placed in it (a new app must say where it stands).
"""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    return contract["layers"]


def _apps_in_layers() -> set[str]:
    return {
        name.strip("() ").removeprefix("salescope.")
        for layer in _layers()
        for name in layer.split("|")
    }


def test_every_app_has_a_place_in_the_layers():
    apps = {path.parent.name for path in (ROOT / "salescope").glob("*/apps.py")}
    assert apps - _apps_in_layers() == set(), "add the new app to pyproject's layers contract"


def test_core_is_the_ground_floor_and_analytics_stands_above_the_ledger():
    order = [re.sub(r"[()\s]", "", layer) for layer in _layers()]
    assert order[-1] == "salescope.core"
    assert order.index("salescope.analytics") < order.index("salescope.ledger")


def test_no_app_imports_an_app_above_it():
    linter = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if linter is None:
        pytest.fail("import-linter is missing: pip install -e '.[test]'")
    result = subprocess.run(  # noqa: S603 - our own venv's tool, fixed arguments
        [linter, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:]
