"""Pace by working days reads the work calendar (法定节假日 and 调休): in the week of 国庆节 a
salesperson is not expected to have sold anything, and a make-up Saturday counts as a day."""

import datetime as dt
from fractions import Fraction

import pytest

from salescope.analytics.targets import target_variance
from salescope.core.models import CalendarDay
from salescope.plans import rules
from salescope.plans.choices import Metric
from tests.plans.conftest import decomposed, plan  # noqa: F401 - shared plan fixtures

AS_OF = dt.date(2026, 10, 8)  # the first working day after the 2026 National Day holiday
OCTOBER = dt.date(2026, 10, 1)


def october_row(the_plan, personas):
    report = target_variance(
        viewer=personas["director"],
        plan=the_plan,
        metric=Metric.SALES_AMOUNT,
        group_by=["salesperson", "month"],
        as_of=AS_OF,
        basis="working_days",
    )
    zhang = personas["salesperson"].pk
    return next(
        r for r in report.rows if r.keys["salesperson"] == zhang and r.keys["month"] == OCTOBER
    )


@pytest.fixture
def national_day():
    for day in range(1, 8):
        CalendarDay.objects.create(date=dt.date(2026, 10, day), kind="holiday", name="国庆节")
    CalendarDay.objects.create(date=dt.date(2026, 10, 10), kind="workday", name="国庆节调休")


def test_without_a_calendar_monday_to_friday_count(decomposed, personas):  # noqa: F811
    row = october_row(decomposed, personas)
    # Oct 1, 2, 5, 6, 7, 8 of October's 22 weekdays.
    assert row.tracking == rules.track_due(row.target, row.actual, row.target * Fraction(6, 22))


def test_holidays_and_make_up_days_move_the_pace(decomposed, personas, national_day):  # noqa: F811
    row = october_row(decomposed, personas)
    # Only Oct 8 has been a working day; October has 22 − 5 holidays + 1 make-up Saturday.
    assert row.tracking == rules.track_due(row.target, row.actual, row.target * Fraction(1, 18))
    assert row.tracking.pace < row.target * 6 // 22


def test_an_edited_calendar_is_read_at_once(decomposed, personas, national_day):  # noqa: F811
    before = october_row(decomposed, personas).tracking.pace
    CalendarDay.objects.unrestricted().filter(
        date=dt.date(2026, 10, 7)
    ).delete()  # Oct 7 becomes a workday
    after = october_row(decomposed, personas)
    assert after.tracking == rules.track_due(
        after.target, after.actual, after.target * Fraction(2, 19)
    )
    assert after.tracking.pace > before
