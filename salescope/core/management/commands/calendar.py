"""``salescope calendar load [--year Y …]``: seed the official holidays and make-up working days."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from salescope.core import calendar


class Command(BaseCommand):
    help = _(
        "Load the State Council's public holidays and make-up working days into the work "
        "calendar (idempotent; days already there are kept)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load", "years"])
        parser.add_argument("--year", type=int, action="append", dest="years")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "years":
            known = calendar.official_years()
            self.stdout.write(
                _("Official schedule known for %(first)s–%(last)s.")
                % {"first": known[0], "last": known[-1]}
            )
            return
        result = calendar.load_official(actor=None, years=options["years"])
        for year in result.missing_years:
            self.stderr.write(
                _(
                    "No official schedule for %(year)s in the chinesecalendar package yet; "
                    "add its days by hand on the work calendar page."
                )
                % {"year": year}
            )
        self.stdout.write(
            _("Work calendar: %(created)s days added, %(kept)s already there (%(years)s).")
            % {
                "created": result.created,
                "kept": result.kept,
                "years": ", ".join(str(y) for y in result.years) or "—",
            }
        )
        if options["years"] and not result.years:
            raise CommandError(_("None of the years asked for is known."))
