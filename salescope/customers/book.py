"""A salesperson's book: their customers and what other apps hold of theirs with them.

A handover (F2) moves a person's whole book in one step, and the orphan check lists what is
still owned by people who left. The customers are this app's; open orders, open invoices and
unallocated collections are the ledger's (and opportunities will be the pipeline's). Those apps
sit above ``customers``, so each registers its part of the book here when it loads, and the
handover and the orphan check go through every part without importing them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from salescope.org.models import User


@dataclass(frozen=True)
class BookPart:
    """One kind of record in a person's book.

    ``handed_over(person)`` is what a handover of ``person``'s book moves (read as the system;
    the handover checks the actor's rights on the customers). ``orphaned()`` is the part's
    records that must not stay with an inactive owner, not yet narrowed to a viewer (or
    ``None`` when the part has no such check). Both querysets' models have an ``owner``.
    """

    key: str
    handed_over: Callable[[User], QuerySet]
    orphaned: Callable[[], QuerySet] | None = None


_PARTS: dict[str, BookPart] = {}


def register_book_part(part: BookPart) -> None:
    """Adds (or replaces, by key) a part of every person's book."""
    _PARTS[part.key] = part


def book_parts() -> list[BookPart]:
    """The registered parts, in the order they were registered."""
    return list(_PARTS.values())
