"""``salescope report commission --period 2026-11 [--compute] [--as USER] --json``

(``salescope report_commission`` is the same command under its Django name.) Prints the
month's current commission statements the acting person may see: base, attainment, rate,
commission, clawback and total as decimal strings, with the difference from the revision a
statement replaces. ``--compute`` first computes the month's statements (as that person).
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from salescope.commissions import queries, services
from salescope.commissions.api import parse_period
from salescope.core.errors import DomainError
from salescope.plans.cli import acting_user


class Command(BaseCommand):
    help = _("Commission statements of a month (提成).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="YYYY-MM")
        parser.add_argument("--compute", action="store_true")
        parser.add_argument("--as", dest="username")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        viewer = acting_user(options["username"])
        try:
            period = parse_period(options["period"])
            if options["compute"]:
                services.compute_statements(actor=viewer, period=period)
            rows = [
                queries.statement_row(s)
                for s in queries.list_statements(viewer=viewer, period=period)
            ]
        except DomainError as exc:
            raise CommandError(f"{exc.detail} {exc.fields or ''}".strip()) from None
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(title=_("Commission statements %s") % options["period"])
        columns = ["person", "plan", "revision", "status", "base", "attainment", "rate"]
        columns += ["commission", "clawback", "total", "difference"]
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*[str(row.get(c) if row.get(c) is not None else "—") for c in columns])
        Console(file=self.stdout, width=200).print(table)
