"""The master-data and receivables imports by kind, for the CLI, the page and the worker.

``IMPORTS[kind]`` gives the import function (``actor, path, options, progress, job``), its
fields (field → header names) and labels, so an entry point can offer "what to import" without
knowing the kinds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from salescope.catalog.importing import ProductSpec, import_products
from salescope.core.importing.common import ImportOptions, ImportResult, Spec
from salescope.customers.importing import CustomerSpec, import_customers
from salescope.ledger.importing.collections import CollectionSpec, import_collections
from salescope.ledger.importing.invoices import InvoiceSpec, import_invoices


@dataclass(frozen=True)
class ImportKindInfo:
    kind: str
    run: Callable[..., ImportResult]
    spec: type[Spec]

    @property
    def fields(self) -> dict[str, tuple[str, ...]]:
        return self.spec.fields

    @property
    def labels(self) -> dict[str, Any]:
        return self.spec.labels

    @property
    def required(self) -> tuple[str, ...]:
        return self.spec.required


IMPORTS: dict[str, ImportKindInfo] = {
    "customers": ImportKindInfo("customers", import_customers, CustomerSpec),
    "products": ImportKindInfo("products", import_products, ProductSpec),
    "invoices": ImportKindInfo("invoices", import_invoices, InvoiceSpec),
    "collections": ImportKindInfo("collections", import_collections, CollectionSpec),
}


def options_from(data: dict[str, Any]) -> ImportOptions:
    """Job options (JSON) → :class:`ImportOptions`."""
    return ImportOptions(
        mapping=dict(data.get("mapping") or {}),
        dry_run=bool(data.get("dry_run")),
        date_format=str(data.get("date_format") or "auto"),
        allocate=bool(data.get("allocate", True)),
        complete_mapping=bool(data.get("complete_mapping")),
    )


def guess_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    from salescope.core.importing.common import resolve_mapping

    return resolve_mapping(IMPORTS[kind].spec, headers, {})
