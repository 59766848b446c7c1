"""The work calendar: public holidays and make-up working days (调休上班), reads and writes.

Pace "by working days" counts Monday–Friday, minus public holidays, plus the weekend days
worked in exchange (``plans.rules.is_working_day``). This module supplies those two sets:

* :func:`holidays_and_workdays` — the one read the tracking needs (one query, no viewer: the
  calendar is the same for everybody);
* :func:`load_official` — seeds the State Council's schedule from the ``chinesecalendar``
  package (``salescope calendar load [--year Y]``), never overwriting a day already in the
  table, so an administrator's edits survive a reload;
* :func:`create_day`, :func:`update_day`, :func:`delete_day` — the administrator's edits,
  permission ``core.calendar.change``, audited, stale writes refused with 409.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from salescope.core import audit, permissions
from salescope.core.concurrency import update_versioned
from salescope.core.errors import Conflict, StaleVersion, ValidationFailed
from salescope.core.models import CalendarDay, CalendarDayKind
from salescope.core.ownership import VIEW
from salescope.core.permissions import CALENDAR_CHANGE

DAY_FIELDS = ["date", "kind", "name"]

# The package names holidays in English; the calendar shows the official Chinese names.
OFFICIAL_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


# --- reads --------------------------------------------------------------------------------


def holidays_and_workdays(
    start: dt.date, end: dt.date
) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """``(public holidays, make-up working days)`` between ``start`` and ``end`` inclusive.

    One query. Pass them to ``plans.rules.is_working_day`` / ``rules.Period`` / the
    ``holidays=``/``workdays=`` arguments of ``rules.elapsed_share``.
    """
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    rows = (
        CalendarDay.objects.unrestricted()
        .filter(date__gte=start, date__lte=end)
        .values_list("date", "kind")
    )
    for day, kind in rows:
        (holidays if kind == CalendarDayKind.HOLIDAY else workdays).add(day)
    return frozenset(holidays), frozenset(workdays)


def list_days(*, viewer: Any, year: int | None = None) -> QuerySet[CalendarDay]:
    """The calendar days the viewer may see (everyone signed in), of one year if given."""
    days = CalendarDay.objects.visible_to(viewer)
    if year is not None:
        days = days.filter(date__year=year)
    return days.order_by("date")


def get_day(*, viewer: Any, pk: Any, action: str = VIEW) -> CalendarDay:
    return CalendarDay.objects.get_visible(viewer, pk, action)


def years_in_table() -> list[int]:
    """Years that have at least one day in the calendar, newest first."""
    dates = CalendarDay.objects.unrestricted().dates("date", "year", order="DESC")
    return [d.year for d in dates]


def official_years() -> list[int]:
    """Years the installed ``chinesecalendar`` package knows the official schedule of."""
    from chinese_calendar import holidays

    return sorted({day.year for day in holidays})


# --- writes -------------------------------------------------------------------------------


def _clean(*, date: Any, kind: Any, name: Any) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if not isinstance(date, dt.date):
        errors["date"] = [_("Enter a date.")]
    if kind not in CalendarDayKind.values:
        errors["kind"] = [_("Choose a public holiday or a make-up working day.")]
    elif kind == CalendarDayKind.WORKDAY and isinstance(date, dt.date) and date.weekday() < 5:
        errors["kind"] = [_("A make-up working day falls on a Saturday or a Sunday.")]
    name = str(name or "").strip()
    if len(name) > 100:
        errors["name"] = [_("Keep the name within 100 characters.")]
    if errors:
        raise ValidationFailed(fields=errors)
    return {"date": date, "kind": kind, "name": name}


def _date_taken(date: dt.date) -> Conflict:
    return Conflict(
        _("%(date)s is already in the calendar; change that day instead.") % {"date": date},
        fields={"date": [_("This date is already in the calendar.")]},
    )


@transaction.atomic
def create_day(*, actor: Any, date: dt.date, kind: str, name: str = "") -> CalendarDay:
    permissions.require(actor, CALENDAR_CHANGE.code)
    values = _clean(date=date, kind=kind, name=name)
    if CalendarDay.objects.unrestricted().filter(date=values["date"]).exists():
        raise _date_taken(values["date"])
    try:
        with transaction.atomic():
            day = CalendarDay.objects.create(**values)
    except IntegrityError:  # a concurrent insert of the same date
        raise _date_taken(values["date"]) from None
    audit.record(
        actor=actor,
        action="core.calendar_day.created",
        obj=day,
        changes=audit.diff({}, audit.snapshot(day, DAY_FIELDS)),
    )
    return day


@transaction.atomic
def update_day(
    *, actor: Any, day: CalendarDay, expected_version: int, **values: Any
) -> CalendarDay:
    permissions.require(actor, CALENDAR_CHANGE.code)
    unknown = set(values) - set(DAY_FIELDS)
    if unknown:
        raise ValidationFailed(
            fields={name: [_("This field cannot be changed here.")] for name in sorted(unknown)}
        )
    merged = _clean(
        date=values.get("date", day.date),
        kind=values.get("kind", day.kind),
        name=values.get("name", day.name),
    )
    if CalendarDay.objects.unrestricted().filter(date=merged["date"]).exclude(pk=day.pk).exists():
        raise _date_taken(merged["date"])
    before = audit.snapshot(day, DAY_FIELDS)
    update_versioned(day, expected_version=expected_version, changes=merged)
    audit.record(
        actor=actor,
        action="core.calendar_day.changed",
        obj=day,
        changes=audit.diff(before, audit.snapshot(day, DAY_FIELDS)),
    )
    return day


@transaction.atomic
def delete_day(*, actor: Any, day: CalendarDay, expected_version: int) -> None:
    permissions.require(actor, CALENDAR_CHANGE.code)
    before = audit.snapshot(day, DAY_FIELDS)
    pk = day.pk
    deleted, _rows = (
        CalendarDay.objects.unrestricted().filter(pk=pk, version=expected_version).delete()
    )
    if deleted != 1:
        current = (
            CalendarDay.objects.unrestricted()
            .filter(pk=pk)
            .values_list("version", flat=True)
            .first()
        )
        raise StaleVersion(extra={"current_version": current})
    audit.record(
        actor=actor,
        action="core.calendar_day.deleted",
        object_type=CalendarDay._meta.label_lower,
        object_id=pk,
        object_repr=str(day),
        changes=audit.diff(before, {}),
    )


@dataclass
class LoadResult:
    years: list[int]
    created: int = 0
    kept: int = 0
    missing_years: list[int] = field(default_factory=list)


def official_days(years: Iterable[int]) -> list[tuple[dt.date, str, str]]:
    """``(date, kind, Chinese name)`` of the official schedule for ``years``, by date."""
    from chinese_calendar import holidays, workdays

    wanted = set(years)
    days = [
        (day, CalendarDayKind.HOLIDAY.value, OFFICIAL_NAMES.get(name, name))
        for day, name in holidays.items()
        if day.year in wanted
    ]
    days += [
        (day, CalendarDayKind.WORKDAY.value, OFFICIAL_NAMES.get(name, name))
        for day, name in workdays.items()
        if day.year in wanted
    ]
    return sorted(days)


@transaction.atomic
def load_official(*, actor: Any, years: Iterable[int] | None = None) -> LoadResult:
    """Add the State Council's holidays and make-up working days for ``years`` (default: every
    year the package knows). Days already in the table are kept as they are, so a second run
    adds nothing and an administrator's corrections survive. One audit entry per load."""
    permissions.require(actor, CALENDAR_CHANGE.code)
    known = set(official_years())
    asked = sorted(set(years)) if years is not None else sorted(known)
    result = LoadResult(years=[y for y in asked if y in known])
    result.missing_years = [y for y in asked if y not in known]
    days = official_days(result.years)
    existing = set(
        CalendarDay.objects.unrestricted()
        .filter(date__in=[d for d, _k, _n in days])
        .values_list("date", flat=True)
    )
    new = [
        CalendarDay(date=day, kind=kind, name=name)
        for day, kind, name in days
        if day not in existing
    ]
    CalendarDay.objects.bulk_create(new, batch_size=500)
    result.created, result.kept = len(new), len(days) - len(new)
    if new:
        audit.record(
            actor=actor,
            action="core.calendar.loaded",
            object_type=CalendarDay._meta.label_lower,
            object_repr=_("Official holidays %(years)s")
            % {"years": ", ".join(str(y) for y in result.years)},
            changes={
                "years": result.years,
                "created": [f"{d.date.isoformat()} {d.kind} {d.name}" for d in new],
            },
        )
    return result


def day_history(day: CalendarDay) -> QuerySet:
    """The audit entries of one calendar day, newest first."""
    return audit.history(day)


def holidays_between(*, start: dt.date, end: dt.date) -> tuple[list[dt.date], list[dt.date]]:
    """Sorted lists of :func:`holidays_and_workdays`, for the API; at most ten years at once."""
    if end < start:
        raise ValidationFailed(fields={"end": [_("The end comes before the start.")]})
    if (end - start).days > 3700:
        raise ValidationFailed(fields={"end": [_("Ask for at most ten years at once.")]})
    holidays, workdays = holidays_and_workdays(start, end)
    return sorted(holidays), sorted(workdays)
