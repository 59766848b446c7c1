"""``salescope activities draft-reports [--kind daily|weekly|monthly] [--day YYYY-MM-DD]``
``salescope activities plan-coverage [--start …] [--end …]``

The system's field-activity jobs for every active salesperson and manager: draft the reports
of the period from the recorded facts (an evening job), and plan the visits the coverage rules
still ask for (a weekly job). Both are idempotent.
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from rich.progress import track

from salescope.activities import rules, services
from salescope.core.audit_context import AuditSource, audit_source


def _date(value: str | None, default: dt.date) -> dt.date:
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("Not a date (YYYY-MM-DD): %s") % value) from None


class Command(BaseCommand):
    help = _("Draft work reports or plan coverage visits for everyone in the field.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="job", required=True)
        draft = sub.add_parser("draft-reports")
        draft.add_argument("--kind", choices=["daily", "weekly", "monthly"], default="daily")
        draft.add_argument("--day")
        plan = sub.add_parser("plan-coverage")
        plan.add_argument("--start")
        plan.add_argument("--end")

    def handle(self, *args: Any, **options: Any) -> None:
        people = services.people_in_the_field()
        today = timezone.localdate()
        with audit_source(AuditSource.CLI):
            if options["job"] == "draft-reports":
                day = _date(options["day"], today)
                batches = [people[i : i + 500] for i in range(0, len(people), 500)]
                for batch in track(batches, description=_("Drafting reports")):
                    services.draft_reports(kind=options["kind"], day=day, people=batch)
                self.stdout.write(
                    _("%(n)d reports drafted or brought up to date.") % {"n": len(people)}
                )
                return
            start = _date(options["start"], rules.week_of(today)[0])
            end = _date(options["end"], start + dt.timedelta(days=6))
            made = 0
            for person in track(people, description=_("Planning visits")):
                made += len(
                    services.apply_coverage_rules(actor=None, owner=person, start=start, end=end)
                )
            self.stdout.write(_("%(n)d visits planned from the coverage rules.") % {"n": made})
