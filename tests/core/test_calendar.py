"""The work calendar: official holidays and make-up working days, edited by administrators,
read by pace "by working days" through one query."""

import datetime as dt
import io

import chinese_calendar
import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescope.core import calendar
from salescope.core.errors import (
    Conflict,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)
from salescope.core.models import AuditEntry, CalendarDay
from salescope.plans.rules import is_working_day

pytestmark = pytest.mark.django_db

SPRING_2026 = [dt.date(2026, 2, d) for d in range(15, 24)]


def _calendar_audit() -> int:
    return AuditEntry.objects.filter(action__startswith="core.calendar").count()


@pytest.fixture
def year_2026(db):  # noqa: ANN001
    calendar.load_official(actor=None, years=[2026])


# --- the official schedule -----------------------------------------------------------------


def test_loading_2026_adds_the_state_councils_holidays_and_make_up_days(year_2026):
    holidays, workdays = calendar.holidays_and_workdays(dt.date(2026, 1, 1), dt.date(2026, 12, 31))

    assert set(SPRING_2026) <= holidays
    assert dt.date(2026, 10, 1) in holidays
    assert workdays == {
        dt.date(2026, 1, 4),
        dt.date(2026, 2, 14),
        dt.date(2026, 2, 28),
        dt.date(2026, 5, 9),
        dt.date(2026, 9, 20),
        dt.date(2026, 10, 10),
    }
    assert CalendarDay.objects.unrestricted().get(date=dt.date(2026, 2, 17)).name == "春节"
    assert CalendarDay.objects.unrestricted().get(date=dt.date(2026, 2, 14)).kind == "workday"
    assert CalendarDay.objects.unrestricted().get(date=dt.date(2026, 10, 1)).name == "国庆节"


def test_a_second_load_adds_nothing_and_keeps_an_administrators_correction(personas, year_2026):
    day = CalendarDay.objects.unrestricted().get(date=dt.date(2026, 2, 23))
    calendar.update_day(actor=personas["admin"], day=day, expected_version=1, name="春节(公司)")
    rows, audits = CalendarDay.objects.unrestricted().count(), _calendar_audit()

    result = calendar.load_official(actor=None, years=[2026])

    assert (result.created, result.kept) == (0, rows)
    assert CalendarDay.objects.unrestricted().count() == rows
    assert CalendarDay.objects.unrestricted().get(date=dt.date(2026, 2, 23)).name == "春节(公司)"
    assert _calendar_audit() == audits  # nothing written, nothing recorded


def test_one_load_writes_one_audit_entry_listing_the_days(db):  # noqa: ANN001
    result = calendar.load_official(actor=None, years=[2025, 2026])

    entry = AuditEntry.objects.get(action="core.calendar.loaded")
    assert entry.changes["years"] == [2025, 2026]
    assert (
        len(entry.changes["created"])
        == result.created
        == CalendarDay.objects.unrestricted().count()
    )


def test_the_package_covers_2004_to_2026_and_a_missing_year_is_reported(db):  # noqa: ANN001
    assert calendar.official_years()[0] == 2004
    assert 2026 in calendar.official_years()

    result = calendar.load_official(actor=None, years=[2027])

    if 2027 in calendar.official_years():  # a newer package release
        assert result.created > 0
    else:
        assert (result.years, result.missing_years, result.created) == ([], [2027], 0)


def test_a_salesperson_may_not_load_the_schedule(personas):
    with pytest.raises(PermissionDenied):
        calendar.load_official(actor=personas["salesperson"], years=[2026])
    assert CalendarDay.objects.unrestricted().count() == 0


def test_the_command_loads_a_year_and_names_a_year_it_does_not_know(db):  # noqa: ANN001
    out = io.StringIO()
    call_command("calendar", "load", "--year", "2026", stdout=out)
    assert CalendarDay.objects.unrestricted().filter(date__year=2026).count() > 30
    assert AuditEntry.objects.filter(action="core.calendar.loaded").count() == 1

    if 2030 not in calendar.official_years():
        err = io.StringIO()
        with pytest.raises(CommandError):
            call_command("calendar", "load", "--year", "2030", stdout=out, stderr=err)
        assert "2030" in err.getvalue()


def test_the_demo_loads_last_this_and_next_year(db):  # noqa: ANN001
    from django.utils import timezone

    from salescope.core import demo

    demo.load(lambda _line: None)

    year = timezone.localdate().year
    expected = {y for y in (year - 1, year, year + 1) if y in calendar.official_years()}
    assert expected
    assert {d.year for d in CalendarDay.objects.unrestricted().dates("date", "year")} == expected


# --- the one read ------------------------------------------------------------------------


def test_holidays_and_workdays_is_one_query_and_inclusive(year_2026, django_assert_num_queries):
    with django_assert_num_queries(1):
        holidays, workdays = calendar.holidays_and_workdays(
            dt.date(2026, 2, 14), dt.date(2026, 2, 15)
        )
    assert holidays == frozenset({dt.date(2026, 2, 15)})
    assert workdays == frozenset({dt.date(2026, 2, 14)})
    assert isinstance(holidays, frozenset)


def test_february_2026_has_16_working_days(year_2026):
    start, end = dt.date(2026, 2, 1), dt.date(2026, 2, 28)
    holidays, workdays = calendar.holidays_and_workdays(start, end)
    days = [start + dt.timedelta(n) for n in range((end - start).days + 1)]

    # 20 weekdays, minus 16–20 and 23 February (春节), plus Saturdays 14 and 28 (调休).
    assert sum(is_working_day(d, holidays, workdays) for d in days) == 16


@pytest.fixture
def loaded_years(db):  # noqa: ANN001
    """2019–2026, loaded once per test function (hypothesis reuses it for every example)."""
    calendar.load_official(actor=None, years=range(2019, 2027))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.dates(dt.date(2019, 1, 1), dt.date(2026, 12, 31)),
    length=st.integers(0, 120),
)
def test_working_days_match_the_package_on_any_range(loaded_years, start, length):
    end = min(start + dt.timedelta(days=length), dt.date(2026, 12, 31))
    holidays, workdays = calendar.holidays_and_workdays(start, end)
    days = [start + dt.timedelta(n) for n in range((end - start).days + 1)]

    ours = [d for d in days if is_working_day(d, holidays, workdays)]

    assert ours == [d for d in days if chinese_calendar.is_workday(d)]


# --- the administrator's edits ---------------------------------------------------------------


def test_admin_adds_a_company_holiday_audited(personas):
    day = calendar.create_day(
        actor=personas["admin"], date=dt.date(2026, 12, 31), kind="holiday", name="年终盘点"
    )

    entry = AuditEntry.objects.get(action="core.calendar_day.created")
    assert entry.object_id == str(day.pk)
    assert entry.changes["name"] == [None, "年终盘点"]
    assert entry.actor == personas["admin"]


@pytest.mark.parametrize("who", ["salesperson", "director", "finance"])
def test_only_administrators_change_the_calendar(personas, who):
    with pytest.raises(PermissionDenied):
        calendar.create_day(actor=personas[who], date=dt.date(2026, 12, 31), kind="holiday")
    assert CalendarDay.objects.unrestricted().count() == 0
    assert _calendar_audit() == 0


def test_a_make_up_working_day_must_be_a_weekend_day(personas):
    with pytest.raises(ValidationFailed) as error:
        calendar.create_day(actor=personas["admin"], date=dt.date(2026, 12, 30), kind="workday")
    assert "kind" in error.value.fields
    assert CalendarDay.objects.unrestricted().count() == 0


def test_a_date_already_listed_is_a_conflict(personas, year_2026):
    with pytest.raises(Conflict) as error:
        calendar.create_day(actor=personas["admin"], date=dt.date(2026, 10, 1), kind="holiday")
    assert error.value.status == 409
    assert "date" in error.value.fields


def test_a_stale_change_is_refused_and_changes_nothing(personas, year_2026):
    day = CalendarDay.objects.unrestricted().get(date=dt.date(2026, 10, 7))
    admin = personas["admin"]
    calendar.update_day(actor=admin, day=day, expected_version=1, name="国庆节(延)")
    audits = _calendar_audit()

    stale = CalendarDay.objects.unrestricted().get(pk=day.pk)
    with pytest.raises(StaleVersion) as error:
        calendar.update_day(actor=admin, day=stale, expected_version=1, name="覆盖")
    assert error.value.extra == {"current_version": 2}
    with pytest.raises(StaleVersion):
        calendar.delete_day(actor=admin, day=stale, expected_version=1)
    assert CalendarDay.objects.unrestricted().get(pk=day.pk).name == "国庆节(延)"
    assert _calendar_audit() == audits


def test_delete_is_audited_and_removes_the_day(personas, year_2026):
    day = CalendarDay.objects.unrestricted().get(date=dt.date(2026, 10, 7))

    calendar.delete_day(actor=personas["admin"], day=day, expected_version=1)

    assert not CalendarDay.objects.unrestricted().filter(date=dt.date(2026, 10, 7)).exists()
    entry = AuditEntry.objects.get(action="core.calendar_day.deleted")
    assert entry.changes["date"] == ["2026-10-07", None]
    only_that_day = calendar.holidays_and_workdays(dt.date(2026, 10, 7), dt.date(2026, 10, 7))
    assert only_that_day == (frozenset(), frozenset())


# --- API ----------------------------------------------------------------------------------


def test_api_lists_a_year_and_everyone_may_read(personas, api_client, year_2026):
    response = api_client(personas["salesperson"]).get("/api/v1/calendar/days?year=2026")

    assert response.status_code == 200
    rows = response.json()
    assert {"date": "2026-02-14", "kind": "workday", "name": "春节"} in [
        {k: r[k] for k in ("date", "kind", "name")} for r in rows
    ]
    assert all(r["date"].startswith("2026-") for r in rows)


def test_api_working_days_between_two_dates(personas, api_client, year_2026):
    response = api_client(personas["salesperson"]).get(
        "/api/v1/calendar/working-days?start=2026-02-01&end=2026-02-28"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["workdays"] == ["2026-02-14", "2026-02-28"]
    assert body["holidays"][0] == "2026-02-15"


def test_api_create_update_delete_with_409_on_a_stale_version(personas, api_client):
    client = api_client(personas["admin"])

    created = client.post(
        "/api/v1/calendar/days",
        {"date": "2027-02-06", "kind": "workday", "name": "春节"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    day_id = created.json()["id"]
    url = f"/api/v1/calendar/days/{day_id}"

    changed = client.patch(url, {"version": 1, "name": "春节调休"}, content_type="application/json")
    assert changed.status_code == 200
    assert changed.json()["version"] == 2

    stale = client.patch(url, {"version": 1, "name": "旧"}, content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert stale.json()["current_version"] == 2

    assert client.delete(f"{url}?version=1").status_code == 409
    assert client.delete(f"{url}?version=2").status_code == 204
    assert not CalendarDay.objects.unrestricted().filter(pk=day_id).exists()
    actions = list(
        AuditEntry.objects.filter(object_id=str(day_id), action__startswith="core.calendar_day")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "core.calendar_day.created",
        "core.calendar_day.changed",
        "core.calendar_day.deleted",
    ]


def test_api_refuses_a_salesperson_with_403_and_a_bad_day_with_422(personas, api_client):
    body = {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}
    refused = api_client(personas["salesperson"]).post(
        "/api/v1/calendar/days", body, content_type="application/json"
    )
    assert refused.status_code == 403
    bad = api_client(personas["admin"]).post(
        "/api/v1/calendar/days",
        {"date": "2027-01-05", "kind": "workday"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert set(bad.json()) >= {"code", "detail", "fields"}
    assert CalendarDay.objects.unrestricted().count() == 0


# --- pages --------------------------------------------------------------------------------


def test_page_lists_the_year_in_chinese_and_shows_the_form_to_admins(
    personas, login_client, year_2026
):
    html = login_client(personas["admin"]).get("/calendar/?year=2026").content.decode()

    assert "工作日历" in html
    assert "春节" in html
    assert "2026-02-14" in html
    assert 'data-testid="calendar-create-form"' in html

    seen = login_client(personas["salesperson"]).get("/calendar/?year=2026")
    assert seen.status_code == 200
    assert 'data-testid="calendar-create-form"' not in seen.content.decode()


def test_page_add_edit_delete(personas, login_client):
    client = login_client(personas["admin"])

    added = client.post(
        "/calendar/?year=2027", {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}
    )
    assert added.status_code == 302
    day = CalendarDay.objects.unrestricted().get(date=dt.date(2027, 1, 1))

    edited = client.post(
        f"/calendar/{day.pk}/",
        {"version": 1, "date": "2027-01-01", "kind": "holiday", "name": "元旦假期"},
    )
    assert edited.status_code == 302
    stale = client.post(
        f"/calendar/{day.pk}/",
        {"version": 1, "date": "2027-01-01", "kind": "holiday", "name": "旧"},
    )
    assert stale.status_code == 409
    assert CalendarDay.objects.unrestricted().get(pk=day.pk).name == "元旦假期"

    assert client.post(f"/calendar/{day.pk}/delete/", {"version": 2}).status_code == 302
    assert not CalendarDay.objects.unrestricted().filter(pk=day.pk).exists()


def test_page_refuses_a_salesperson_and_writes_nothing(personas, login_client):
    client = login_client(personas["salesperson"])
    response = client.post("/calendar/", {"date": "2027-01-01", "kind": "holiday"})
    assert response.status_code == 403
    assert CalendarDay.objects.unrestricted().count() == 0
