"""The work calendar's routes in the leak and permission matrices (tests/visibility).

The calendar is the same for everybody: every signed-in person reads it, only administrators
write it (``core.calendar.change``)."""

import datetime as dt

from salescope.core.models import CalendarDay
from tests.visibility.registry import Target, register


def _day() -> CalendarDay:
    # A Saturday, so both kinds are valid for it.
    made, _created = CalendarDay.objects.unrestricted().get_or_create(
        date=dt.date(2030, 1, 5), defaults={"kind": "workday", "name": "调休"}
    )
    return made


@register("calendar:day", "/api/v1/calendar/days/{day_id}")
def calendar_day(personas, owner):
    return Target(params={"day_id": _day().pk}, obj=_day(), everyone_sees=True)


@register("calendar:delete")
def calendar_day_delete(personas, owner):
    # POST only: a GET is 405 for any id, a POST by anyone but an administrator 403 for any id.
    made = _day()
    return Target(params={"day_id": made.pk}, obj=made)
