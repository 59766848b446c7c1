"""``salescope report target-variance --plan ID --metric M --group-by DIMS [--as USER] --json``

(``salescope report_target_variance`` is the same command under its Django name.) Prints rows
with the dimensions by name plus ``target``, ``actual``, ``variance`` (actual − target),
``attainment`` (%), ``pace``, ``pace_gap`` and ``projection`` as decimal strings.
"""

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from salescope.analytics.targets import DIMENSIONS, target_variance
from salescope.core.errors import DomainError
from salescope.plans import queries
from salescope.plans.choices import Metric, PaceBasis
from salescope.plans.cli import acting_user


class Command(BaseCommand):
    help = _("Target vs actual of a plan, grouped by any dimensions.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", type=int, required=True)
        parser.add_argument("--metric", default=Metric.SALES_AMOUNT, choices=Metric.values)
        parser.add_argument("--group-by", default="salesperson,month", help=",".join(DIMENSIONS))
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--basis", choices=PaceBasis.values)
        parser.add_argument("--as", dest="username")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        viewer = acting_user(options["username"])
        try:
            as_of = dt.date.fromisoformat(options["as_of"]) if options["as_of"] else None
            plan = queries.get_plan(viewer=viewer, pk=options["plan"])
            report = target_variance(
                viewer=viewer,
                plan=plan,
                metric=options["metric"],
                group_by=options["group_by"],
                as_of=as_of,
                basis=options["basis"],
            )
        except ValueError:
            raise CommandError(_("--as-of is not a date (YYYY-MM-DD).")) from None
        except DomainError as exc:
            raise CommandError(f"{exc.detail} {exc.fields or ''}".strip()) from None
        rows = report.dicts()
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"{plan.name} · {Metric(report.metric).label} · {report.as_of}")
        columns = list(rows[0]) if rows else [*report.group_by, "target", "actual"]
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*[str(row.get(c) if row.get(c) is not None else "—") for c in columns])
        Console(file=self.stdout, width=200).print(table)
