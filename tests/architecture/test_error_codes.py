"""One error-code convention across apps (issue 20 item 8, STYLE.md "Names").

Services raise ``core.errors`` classes; the stable ``code`` in ``{"code", "detail", "fields"}``
is a member of a ``StrEnum`` named ``<App>ErrorCode`` (core's own is ``core.errors.ErrorCode``).
So an app neither passes a bare string as ``code=`` nor sets a string ``default_code``, nor
declares its codes some other way (``TextChoices``), nor subclasses the core errors."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "salescope"
SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)
CORE_ERRORS = {
    "DomainError",
    "BadRequest",
    "NotAuthenticated",
    "PermissionDenied",
    "NotFound",
    "Conflict",
    "StaleVersion",
    "ValidationFailed",
    "RateLimited",
    "DuplicateKey",
    "MethodNotAllowed",
    "ServerError",
}
CORE_FILES = {"core/errors.py", "core/middleware.py"}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def violations(source: str, *, in_core: bool = False) -> list[str]:
    """Every place ``source`` reports an error code other than through an ``…ErrorCode`` enum."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _name(node.func) in CORE_ERRORS:
            for keyword in node.keywords:
                if keyword.arg == "code" and isinstance(
                    keyword.value, (ast.Constant, ast.JoinedStr)
                ):
                    found.append((node.lineno, f"line {node.lineno}: code= a bare string"))
        if isinstance(node, ast.ClassDef):
            bases = [_name(b) for b in node.bases]
            if node.name.endswith("ErrorCode") and bases != ["StrEnum"]:
                found.append((node.lineno, f"line {node.lineno}: {node.name} is not a StrEnum"))
            if not in_core and CORE_ERRORS & set(bases):
                found.append((node.lineno, f"line {node.lineno}: {node.name} subclasses an error"))
            for item in node.body:
                if (
                    isinstance(item, (ast.Assign, ast.AnnAssign))
                    and "default_code"
                    in {_name(t) for t in getattr(item, "targets", [])}
                    | {_name(getattr(item, "target", ast.Name("")))}
                    and isinstance(item.value, ast.Constant)
                ):
                    found.append((item.lineno, f"line {item.lineno}: default_code a bare string"))
    return [message for _line, message in sorted(found)]


def test_the_scan_catches_every_other_form():
    source = (
        "from enum import StrEnum\n"
        "class ThingErrorCode(models.TextChoices):\n"
        "    GONE = 'thing_gone', _('Gone')\n"
        "class ThingGone(Conflict):\n"
        "    default_code = 'thing_gone'\n"
        "def act():\n"
        "    raise Conflict(_('Gone.'), code='thing_gone')\n"
        "def act_too():\n"
        "    raise errors.ValidationFailed(fields={}, code=f'thing_{1}')\n"
    )
    assert violations(source) == [
        "line 2: ThingErrorCode is not a StrEnum",
        "line 4: ThingGone subclasses an error",
        "line 5: default_code a bare string",
        "line 7: code= a bare string",
        "line 9: code= a bare string",
    ]


def test_the_scan_accepts_the_convention():
    source = (
        "class ThingErrorCode(StrEnum):\n"
        "    GONE = 'thing_gone'\n"
        "def act():\n"
        "    raise Conflict(_('Gone.'), code=ThingErrorCode.GONE)\n"
    )
    assert violations(source) == []


def test_the_scan_sees_every_app():
    names = {p.relative_to(PACKAGE).as_posix() for p in SOURCES}
    assert {"core/errors.py", "leads/services.py", "plans/services/common.py"} <= names


def test_error_codes_come_from_an_error_code_enum():
    found = {}
    for path in SOURCES:
        relative = path.relative_to(PACKAGE).as_posix()
        problems = violations(path.read_text(encoding="utf-8"), in_core=relative in CORE_FILES)
        if problems:
            found[relative] = problems
    assert found == {}
