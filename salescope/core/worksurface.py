"""The work surface (工作台): the sections of a person's home page, contributed by the apps.

The home page (``org``) shows what a person has to do today: their visits and checklist,
reports to write or read, unread notifications, the team's day for a manager. Those apps sit
above ``org``, so each registers a section here when it loads (``AppConfig.ready``), the way
customer-page panels do (``customers.panels``). A section is a template and a function giving
its context for one viewer, or ``None`` when the viewer has nothing in it (left out).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SectionContext = Callable[[Any], dict[str, Any] | None]


@dataclass(frozen=True)
class Section:
    """One block of the home page: ``template`` rendered with ``context(viewer)`` under the name
    ``section``; ``order`` places it (lower first); ``wide`` sections take the main column."""

    key: str
    template: str
    context: SectionContext
    order: int = 100
    wide: bool = True


_SECTIONS: dict[str, Section] = {}


def register_section(section: Section) -> None:
    """Adds (or replaces, by key) a section of the work surface."""
    _SECTIONS[section.key] = section


def sections_for(viewer: Any) -> list[dict[str, Any]]:
    """The sections ``viewer`` sees, in order, each with its context."""
    shown = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        context = section.context(viewer)
        if context is not None:
            shown.append(
                {
                    "key": section.key,
                    "template": section.template,
                    "context": context,
                    "wide": section.wide,
                }
            )
    return shown
