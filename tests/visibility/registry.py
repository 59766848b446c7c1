"""How the leak matrix (R1) and the permission matrix (R5) get an object for a route.

Every page route with a path parameter and every API path with a path parameter must be
registered here, or the suite fails. An app registers its routes in ``tests/<app>/leaks.py``
(imported automatically)::

    from tests.visibility.registry import Target, register

    @register("customers:detail", "/api/v1/customers/{customer_id}")
    def customer(personas, owner):
        customer = make_customer(owner=owner)
        return Target(params={"customer_id": customer.pk}, obj=customer)

``owner`` is the persona whose object to build: the leak matrix builds one for 陈静 (华南) and
requests it as 张伟 (华东), who must get the same 404 as for a missing id; the permission matrix
builds one for the acting persona. Keys are URL names for pages and OpenAPI path templates
(as in ``/api/v1/openapi.json``) for the API. A route whose objects every signed-in person may
see (the org chart, positions) returns ``Target(..., everyone_sees=True)``; then only writes
are checked (refused, nothing changed). A route that is not about one record can be exempted
with :func:`exempt` and a reason.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models


@dataclass
class Target:
    params: dict[str, Any]
    obj: models.Model | None = None
    everyone_sees: bool = False
    # Optional request bodies by method ("PATCH": {...}); otherwise one is made from the schema.
    bodies: dict[str, Any] = field(default_factory=dict)


Factory = Callable[[dict, Any], Target]

FACTORIES: dict[str, Factory] = {}
EXEMPT: dict[str, str] = {}


def register(*keys: str) -> Callable[[Factory], Factory]:
    def decorate(factory: Factory) -> Factory:
        for key in keys:
            if key in FACTORIES and FACTORIES[key] is not factory:
                raise ValueError(f"{key} registered twice")
            FACTORIES[key] = factory
        return factory

    return decorate


def exempt(key: str, reason: str) -> None:
    EXEMPT[key] = reason


_loaded = False


def load_all() -> None:
    """Import every ``tests/<app>/leaks.py`` so their registrations run."""
    global _loaded  # noqa: PLW0603 - a load-once flag
    if _loaded:
        return
    tests_dir = Path(__file__).resolve().parents[1]
    for module in pkgutil.iter_modules([str(tests_dir)]):
        if module.ispkg and (tests_dir / module.name / "leaks.py").exists():
            importlib.import_module(f"tests.{module.name}.leaks")
    _loaded = True
