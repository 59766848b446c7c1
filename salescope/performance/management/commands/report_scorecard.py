"""``salescope report scorecard --period 2026-11 [--unit ID] [--as USER] [--json]``

(``salescope report_scorecard`` under its Django name.) The month's scorecards the viewer may
see: person, unit, status, score, rank in the unit, reward and improvement marks, and with
``--json`` each line (value, target, rule, score, weight).
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from salescope.core.errors import DomainError
from salescope.performance import queries
from salescope.pipeline.cli import acting_user


class Command(BaseCommand):
    help = _("Scorecard report: the month's scores, ranks and marks.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="YYYY-MM")
        parser.add_argument("--unit", type=int)
        parser.add_argument("--as", dest="username")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        viewer = acting_user(options["username"])
        try:
            cards = list(
                queries.list_scorecards(
                    viewer=viewer,
                    month=queries.parse_period(options["period"]),
                    unit=queries.unit_ref(viewer=viewer, pk=options["unit"]),
                )
            )
        except DomainError as exc:
            raise CommandError(f"{exc.detail} {exc.fields or ''}".strip()) from None
        rows = [
            {
                "id": c.pk,
                "person": str(c.person),
                "unit": str(c.unit) if c.unit else "",
                "status": c.status,
                "total": str(c.total),
                "rank": c.rank,
                "rank_of": c.rank_of,
                "rewarded": c.rewarded,
                "needs_improvement": c.needs_improvement,
                "lines": c.lines,
            }
            for c in cards
        ]
        if options["json"]:
            self.stdout.write(
                json.dumps({"period": options["period"], "rows": rows}, ensure_ascii=False)
            )
            return
        columns = ["person", "unit", "status", "total", "rank", "rank_of", "rewarded"]
        self.stdout.write("\t".join(columns))
        for row in rows:
            self.stdout.write("\t".join("" if row[c] is None else str(row[c]) for c in columns))
