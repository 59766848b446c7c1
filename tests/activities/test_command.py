"""The command line: draft everyone's reports and plan coverage visits, both idempotent."""

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from salescope.activities.models import Visit, WorkReport
from salescope.core.models import AuditEntry
from tests.activities.conftest import make_customer


def test_draft_reports_for_everyone_in_the_field_once(personas, shop, capsys):
    day = timezone.localdate()
    call_command("activities", "draft-reports", "--day", day.isoformat())
    call_command("activities", "draft-reports", "--day", day.isoformat())
    reports = WorkReport.objects.unrestricted().filter(period_start=day, kind="daily")
    authors = set(reports.values_list("author__username", flat=True))
    assert {"zhangwei", "lina", "chenjing"} <= authors
    assert "liuyang" not in authors  # the sales director is not in the field
    assert reports.count() == len(authors)
    entry = AuditEntry.objects.filter(action="activities.report.drafted").first()
    assert (entry.source, entry.actor) == ("cli", None)


def test_plan_coverage_for_everyone(personas, coverage):
    zhang = personas["salesperson"]
    make_customer(zhang, tier="A")
    make_customer(personas["other_region_salesperson"], tier="A")
    monday = dt.date(2026, 12, 7)
    args = ["activities", "plan-coverage", "--start", monday.isoformat()]
    call_command(*args)
    call_command(*args)
    owners = sorted(Visit.objects.unrestricted().values_list("owner__username", flat=True))
    assert owners == ["chenjing", "zhangwei"]
