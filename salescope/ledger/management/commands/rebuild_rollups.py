"""``salescope rebuild_rollups [--month YYYY-MM …]``: re-aggregate every rollup from the lines
(all months, or those named) — the report rollups and the explorer's; for repairs."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from salescope.ledger import rollups


class Command(BaseCommand):
    help = _("Rebuild the sales rollups from the sales lines.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", action="append", default=[], help="YYYY-MM (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            months = [dt.date.fromisoformat(f"{m}-01") for m in options["month"]]
        except ValueError:
            raise CommandError(_("A month is written YYYY-MM.")) from None
        with transaction.atomic():
            written = rollups.rebuild_all(months)
        self.stdout.write(_("%(rows)d rollup rows written.") % {"rows": written})
