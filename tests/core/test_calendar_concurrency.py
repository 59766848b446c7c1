"""R7 for the work calendar: two administrators change the same day version at once; exactly
one wins, every round, and only the winner is audited."""

import datetime as dt

import pytest

from salescope.core import calendar
from salescope.core.models import AuditEntry, CalendarDay
from tests.analytics.test_manual_concurrency import _race


@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_of_one_calendar_day_let_exactly_one_win(personas):
    admin = personas["admin"]
    day = calendar.create_day(actor=admin, date=dt.date(2027, 1, 1), kind="holiday", name="元旦")
    for _round in range(4):
        version = CalendarDay.objects.unrestricted().get(pk=day.pk).version

        def write(tag: str, version: int = version) -> None:
            fresh = CalendarDay.objects.unrestricted().get(pk=day.pk)
            calendar.update_day(actor=admin, day=fresh, expected_version=version, name=f"元旦{tag}")

        assert _race(write) == ["stale", "won"]
        assert CalendarDay.objects.unrestricted().get(pk=day.pk).version == version + 1
    assert AuditEntry.objects.filter(action="core.calendar_day.changed").count() == 4
