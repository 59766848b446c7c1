"""The people and units a report places figures in, read once as plain tuples: a report of
thousands of rows must not load a model object per person or unit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from salescope.org.choices import UnitKind
from salescope.org.models import OrgUnit, User


class _Org:
    """The people and org units a report needs, as ids, names and paths (no model objects).

    The whole unit tree is read only when a report places people in regions or units, names
    units, or meets a unit no person loaded so far belongs to; one person's report reads that
    person with their unit's path and nothing more."""

    def __init__(self, units: dict[int, _Unit] | None = None) -> None:
        self._units = units
        self.person_unit: dict[int, int | None] = {}
        self.names: dict[int, str] = {}  # person id → display name
        self._paths: dict[int, str | None] = {}  # unit id → path, of the loaded people's units
        # person id → (from, until, unit id): the units they were in (org.Membership)
        self._spans: dict[int, list[tuple[dt.date, dt.date | None, int]]] = {}

    @classmethod
    def load(cls, person_ids: Iterable[int], units: dict[int, _Unit] | None = None) -> _Org:
        org = cls(units)
        org.add(person_ids)
        return org

    @property
    def units(self) -> dict[int, _Unit]:
        if self._units is None:
            self._units = _units()
        return self._units

    def add(self, person_ids: Iterable[int]) -> None:
        """Load the people not loaded yet: ids, units (with their paths) and display names."""
        missing = set(person_ids) - set(self.person_unit)
        missing.discard(None)  # type: ignore[arg-type]
        if not missing:
            return
        # visibility: the unit and name of people behind rows the viewer may read
        people = (
            User.objects.unrestricted()
            .filter(pk__in=missing)
            .values_list(
                "id", "unit_id", "unit__path", "full_name", "first_name", "last_name", "username"
            )
        )
        for pk, unit_id, path, full_name, first, last, username in people:
            self.person_unit[pk] = unit_id
            if unit_id is not None:
                self._paths[unit_id] = path
            # ``User.display_name``: the full name, else first + last, else the username.
            self.names[pk] = full_name or f"{first} {last}".strip() or username

    def add_history(self, person_ids: Iterable[int], start: dt.date, end: dt.date) -> None:
        """Load the units the people were in between ``start`` and ``end`` (one query)."""
        from salescope.org.models import Membership

        spans = (
            Membership.objects.filter(person_id__in=set(person_ids), started_on__lte=end)
            .exclude(ended_on__lte=start)
            .values_list("person_id", "unit_id", "unit__path", "started_on", "ended_on")
        )
        for pk, unit_id, path, started, ended in spans:
            self._spans.setdefault(pk, []).append((started, ended, unit_id))
            self._paths[unit_id] = path

    def unit_in(self, person_id: int | None, month: dt.date) -> int | None:
        """The unit the person was in on the month's first day (their membership history,
        when loaded), else their unit now."""
        for started, ended, unit_id in self._spans.get(person_id or 0, ()):
            if started <= month and (ended is None or month < ended):
                return unit_id
        return self.person_unit.get(person_id)  # type: ignore[arg-type]

    def path_of(self, unit_id: int | None) -> str | None:
        """A unit's materialised path (None for no or an unknown unit)."""
        if self._units is None and unit_id in self._paths:
            return self._paths[unit_id]
        unit = self.units.get(unit_id or 0)
        return unit.path if unit else None

    def region_of(self, unit_id: int | None) -> int | None:
        unit = self.units.get(unit_id or 0)
        while unit is not None:
            if unit.kind == UnitKind.REGION:
                return unit.pk
            unit = self.units.get(unit.parent_id or 0)
        return None

    def nearest(self, unit_id: int | None, candidates: set[int]) -> int | None:
        unit = self.units.get(unit_id or 0)
        while unit is not None:
            if unit.pk in candidates:
                return unit.pk
            unit = self.units.get(unit.parent_id or 0)
        return None


class _Unit(NamedTuple):
    """What the report needs of an org unit (a tuple: no model object per unit)."""

    pk: int
    name: str
    kind: str
    parent_id: int | None
    path: str


def _units() -> dict[int, _Unit]:
    rows = (
        OrgUnit.objects.unrestricted()
        .values_list("id", "name", "kind", "parent_id", "path")
        .order_by()
    )
    return {row[0]: _Unit(*row) for row in rows}
