"""STYLE.md: handlers (API, pages, commands) stay thin. They fetch through ``queries`` and
write through ``services``; API and page handlers never touch a model manager (``.objects``)
nor call ``.save(``. Commands may save files (catalogues), so for them only managers count."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "salescope"
PAGE_AND_API_FILES = sorted(
    [*PACKAGE.rglob("api.py"), *PACKAGE.rglob("views.py"), *PACKAGE.rglob("views/*.py")]
)
COMMAND_FILES = sorted(PACKAGE.rglob("management/commands/*.py"))
HANDLER_FILES = PAGE_AND_API_FILES + COMMAND_FILES


def violations(source: str, *, saves: bool = True) -> list[str]:
    """Lines that use a model manager, or (``saves``) call ``.save(``, in source order."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in {"objects", "_default_manager"}:
            found.append((node.lineno, f"line {node.lineno}: .{node.attr}"))
        if (
            saves
            and isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "save"
        ):
            found.append((node.lineno, f"line {node.lineno}: .save("))
    return [message for _line, message in sorted(found)]


def test_the_scan_sees_handlers_of_every_kind():
    names = {path.relative_to(PACKAGE).as_posix() for path in HANDLER_FILES}
    assert {"api.py", "core/api.py", "core/views.py", "org/api.py"} <= names
    assert "org/management/commands/token.py" in names


def test_the_scan_catches_manager_use_and_saves():
    source = (
        "def view(request):\n"
        "    thing = Thing.objects.get(pk=1)\n"
        "    thing.name = 'x'\n"
        "    thing.save()\n"
        "    Thing._default_manager.all()\n"
    )
    assert violations(source) == ["line 2: .objects", "line 4: .save(", "line 5: ._default_manager"]
    assert violations(source, saves=False) == ["line 2: .objects", "line 5: ._default_manager"]


@pytest.mark.parametrize(
    "path", HANDLER_FILES, ids=[p.relative_to(PACKAGE).as_posix() for p in HANDLER_FILES]
)
def test_handler_neither_queries_models_nor_saves_them(path):
    source = path.read_text(encoding="utf-8")
    assert violations(source, saves=path not in COMMAND_FILES) == []
