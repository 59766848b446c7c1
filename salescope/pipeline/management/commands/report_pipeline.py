"""``salescope report pipeline --group-by stage,owner [--from D] [--to D] [--as USER] --json``

(``salescope report_pipeline`` under its Django name.) Prints, per group, the opportunities
created in the period: count, open, open amount and weighted amount, won and its amount, lost,
win rate, average cycle in days and lost reasons; with ``--json`` also each pipeline's funnel.
Read as ``--as USER`` sees it (default: the first administrator).
"""

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from salescope.core.errors import DomainError
from salescope.pipeline import queries
from salescope.pipeline.cli import acting_user


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        raise CommandError(_("%s is not a date (YYYY-MM-DD).") % raw) from None


class Command(BaseCommand):
    help = _("Pipeline report: funnel, conversion, win rate, cycle and lost reasons by group.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--group-by", default="stage", help=",".join(queries.GROUPS))
        parser.add_argument("--from", dest="date_from", help="YYYY-MM-DD (created on or after)")
        parser.add_argument("--to", dest="date_to", help="YYYY-MM-DD (created on or before)")
        parser.add_argument("--as", dest="username")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        viewer = acting_user(options["username"])
        try:
            report = queries.pipeline_report(
                viewer=viewer,
                group_by=options["group_by"],
                date_from=_date(options["date_from"]),
                date_to=_date(options["date_to"]),
            )
        except DomainError as exc:
            raise CommandError(f"{exc.detail} {exc.fields or ''}".strip()) from None
        data = queries.report_json(report)
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        columns = [*data["group_by"], "count", "open", "open_amount", "won", "lost", "win_rate"]
        columns.append("average_cycle_days")
        self.stdout.write("\t".join(columns))
        for row in data["rows"]:
            self.stdout.write("\t".join("" if row[c] is None else str(row[c]) for c in columns))
