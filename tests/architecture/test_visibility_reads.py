"""Visibility cannot be skipped (issue 20 item 3, DESIGN.md "Visibility is enforced in one place,
and by default").

At run time, an owned model's default manager refuses to read until the query says whose read
it is (``core.ownership``). Here, statically, where each of the two answers may be given:

* ``.visible_to(viewer, action)`` anywhere;
* ``.unrestricted()`` — the system reads — freely in the system's own modules (services,
  tasks, imports, the demo loader, commands, the admin, and ``org``'s rule itself); elsewhere
  only on a model every signed-in person may view (the org chart, the catalogue), or with a
  ``# visibility:`` comment saying why on the line or just above it; never in a page or API
  handler;
* ``_default_manager``, ``_base_manager``, ``all_records(…)`` (ways around the manager) and
  ``viewer=SYSTEM`` (a read for which the rule narrows nothing) only in the system's modules.
"""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps

from salescope.core.ownership import VIEW, ownership_of

PACKAGE = Path(__file__).resolve().parents[2] / "salescope"

# Where the system itself reads: every record, on nobody's behalf.
SYSTEM = (
    re.compile(r"(^|/)services(\.py|/)"),
    re.compile(r"(^|/)tasks\.py$"),
    re.compile(r"(^|/)demo\.py$"),
    re.compile(r"(^|/)(importing/|importing\.py$|imports\.py$|jobs\.py$|rollups\.py$|cli\.py$)"),
    re.compile(r"(^|/)management/commands/"),
    re.compile(r"(^|/)admin\.py$"),
    re.compile(r"^org/(visibility|auth)\.py$"),
    re.compile(r"^core/(ownership|concurrency)\.py$"),
    re.compile(r"^org/models\.py$"),  # signing in looks a person up before anyone is signed in
)
HANDLERS = re.compile(r"(^|/)(api|views|schemas|urls|web)\.py$|_(api|views)\.py$|/templatetags/")
BYPASSES = {"_default_manager", "_base_manager", "all_records"}


def _everyone_sees() -> set[str]:
    """Names of the owned models every signed-in person may view."""
    return {
        model.__name__
        for model in apps.get_models()
        if (own := ownership_of(model)) is not None and VIEW in own.everyone
    }


def _receiver_model(node: ast.Call) -> str | None:
    """``Category`` in ``Category.objects.unrestricted()`` (or ``.live``), else None."""
    manager = node.func.value if isinstance(node.func, ast.Attribute) else None
    if isinstance(manager, ast.Attribute) and isinstance(manager.value, ast.Name):
        return manager.value.id
    return None


def findings(relative: str, source: str, everyone: set[str]) -> list[str]:
    """What in ``source`` (a module at ``relative`` under salescope/) reads around the rule."""
    if any(rule.search(relative) for rule in SYSTEM):
        return []
    lines = source.splitlines()
    handler = bool(HANDLERS.search(relative))
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in BYPASSES - {"all_records"}:
            found.append(f"line {node.lineno}: .{node.attr}")
        if (
            isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Load)
            and node.id in {"all_records", "SYSTEM"}
        ):
            found.append(f"line {node.lineno}: {node.id}")
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "unrestricted"
        ):
            continue
        if _receiver_model(node) in everyone:
            continue
        nearby = " ".join(lines[max(0, node.lineno - 3) : node.lineno])
        if handler or "visibility:" not in nearby:
            found.append(f"line {node.lineno}: .unrestricted()")
    return sorted(found, key=lambda text: int(text.split()[1].rstrip(":")))


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def test_the_scan_catches_reads_around_the_rule():
    everyone = {"Category"}
    source = (
        "def f(viewer):\n"
        "    Customer.objects.unrestricted()\n"
        "    # visibility: labels of rows the viewer may read\n"
        "    Customer.objects.unrestricted()\n"
        "    Category.objects.unrestricted()\n"
        "    Customer._default_manager.all()\n"
        "    all_records(Customer)\n"
        "    Customer.objects.visible_to(viewer)\n"
        "    Customer.objects.visible_to(SYSTEM)\n"
    )
    assert findings("customers/queries.py", source, everyone) == [
        "line 2: .unrestricted()",
        "line 6: ._default_manager",
        "line 7: all_records",
        "line 9: SYSTEM",
    ]
    assert findings("customers/views.py", source, everyone) == [
        "line 2: .unrestricted()",
        "line 4: .unrestricted()",
        "line 6: ._default_manager",
        "line 7: all_records",
        "line 9: SYSTEM",
    ]
    assert findings("customers/services.py", source, everyone) == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", MODULES, ids=[p.relative_to(PACKAGE).as_posix() for p in MODULES])
def test_reads_go_through_the_rule(path):
    relative = path.relative_to(PACKAGE).as_posix()
    assert findings(relative, path.read_text(encoding="utf-8"), _everyone_sees()) == []
