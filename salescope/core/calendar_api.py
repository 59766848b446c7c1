"""The work calendar over JSON: list by year, one day, add, change (409 when stale), delete."""

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from salescope.core import calendar
from salescope.core.api import ErrorOut, InputSchema
from salescope.core.bounds import Id, Version, Year
from salescope.core.models import CalendarDay, CalendarDayKind
from salescope.core.permissions import CALENDAR_CHANGE, api_permission

router = Router(tags=["calendar"])
NOT_FOUND = {404: ErrorOut}
WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class CalendarDayOut(Schema):
    id: int
    date: dt.date
    kind: CalendarDayKind
    name: str
    version: Version


class CalendarDayIn(InputSchema):
    date: dt.date
    kind: CalendarDayKind
    name: str = Field("", max_length=100)


class CalendarDayPatch(InputSchema):
    version: Version
    date: dt.date | None = None
    kind: CalendarDayKind | None = None
    name: str | None = Field(None, max_length=100)


class WorkingDaysOut(Schema):
    start: dt.date
    end: dt.date
    holidays: list[dt.date]
    workdays: list[dt.date]


@router.get(
    "/calendar/days",
    response=list[CalendarDayOut],
    summary="Public holidays and make-up working days of a year",
)
def list_days(request: HttpRequest, year: Year | None = None) -> list[CalendarDay]:
    year = year or timezone.localdate().year
    return list(calendar.list_days(viewer=request.user, year=year))


@router.get(
    "/calendar/working-days",
    response={200: WorkingDaysOut, 422: ErrorOut},
    summary="Holidays and make-up working days between two dates (for pace by working days)",
)
def working_days(request: HttpRequest, start: dt.date, end: dt.date) -> dict:
    holidays, workdays = calendar.holidays_between(start=start, end=end)
    return {"start": start, "end": end, "holidays": holidays, "workdays": workdays}


@router.get(
    "/calendar/days/{day_id}",
    response={200: CalendarDayOut, **NOT_FOUND},
    summary="One calendar day",
)
def get_day(request: HttpRequest, day_id: Id) -> CalendarDay:
    return calendar.get_day(viewer=request.user, pk=day_id)


@router.post(
    "/calendar/days",
    response={201: CalendarDayOut, **WRITE},
    summary="Add a public holiday or a make-up working day",
    openapi_extra=api_permission(CALENDAR_CHANGE.code),
)
def create_day(request: HttpRequest, payload: CalendarDayIn) -> Status:
    made = calendar.create_day(
        actor=request.user, date=payload.date, kind=payload.kind, name=payload.name
    )
    return Status(201, made)


@router.patch(
    "/calendar/days/{day_id}",
    response={200: CalendarDayOut, **WRITE},
    summary="Change a calendar day (409 if someone changed it since you loaded it)",
    openapi_extra=api_permission(CALENDAR_CHANGE.code),
)
def update_day(request: HttpRequest, day_id: Id, payload: CalendarDayPatch) -> CalendarDay:
    found = calendar.get_day(viewer=request.user, pk=day_id)
    changes = payload.dict(include={"date", "kind", "name"}, exclude_none=True)
    return calendar.update_day(
        actor=request.user, day=found, expected_version=payload.version, **changes
    )


@router.delete(
    "/calendar/days/{day_id}",
    response={204: None, **WRITE},
    summary="Delete a calendar day (409 if someone changed it since you loaded it)",
    openapi_extra=api_permission(CALENDAR_CHANGE.code),
)
def delete_day(request: HttpRequest, day_id: Id, version: Version) -> Status:
    found = calendar.get_day(viewer=request.user, pk=day_id)
    calendar.delete_day(actor=request.user, day=found, expected_version=version)
    return Status(204, None)
