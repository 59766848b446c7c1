"""``salescope report kpi --period 2026-11 --group-by salesperson|unit --json``

(``salescope report_kpi`` under its Django name.) Every KPI of the library for each person or
unit for one month, with the attainment of each plan metric; read as ``--as USER`` sees it
(default: the first administrator).
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from salescope.core.errors import DomainError
from salescope.performance import queries
from salescope.pipeline.cli import acting_user


class Command(BaseCommand):
    help = _("KPI report: result and activity KPIs by salesperson or unit for a month.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="YYYY-MM")
        parser.add_argument("--group-by", default="salesperson", help=",".join(queries.GROUPS))
        parser.add_argument("--unit", type=int)
        parser.add_argument("--as", dest="username")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        viewer = acting_user(options["username"])
        try:
            report = queries.kpi_report(
                viewer=viewer,
                month=queries.parse_period(options["period"]),
                group_by=options["group_by"],
                unit=queries.unit_ref(viewer=viewer, pk=options["unit"]),
            )
        except DomainError as exc:
            raise CommandError(f"{exc.detail} {exc.fields or ''}".strip()) from None
        data = queries.report_json(report)
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        codes = list(data["formulas"])
        self.stdout.write("\t".join(["label", *codes, *report.metrics]))
        for row in [*data["rows"], data["total"]]:
            cells = [row["kpis"][c] or "" for c in codes]
            cells += [row["attainment"].get(m) or "" for m in report.metrics]
            self.stdout.write("\t".join([row["label"], *cells]))
