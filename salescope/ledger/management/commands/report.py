"""``salescope report sales-summary --group-by DIMS [--from DATE --to DATE] [--as USER] --json``"""

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from salescope.core.errors import DomainError
from salescope.ledger import queries
from salescope.ledger.management.commands._common import resolve_user


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("%s is not a date (YYYY-MM-DD).") % text) from None


class Command(BaseCommand):
    help = _("Reports: sales-summary.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("report", choices=["sales-summary"])
        parser.add_argument("--group-by", required=True, help=",".join(queries.SUMMARY_DIMENSIONS))
        parser.add_argument("--from", dest="date_from")
        parser.add_argument("--to", dest="date_to")
        parser.add_argument("--kind", default="sell_in", choices=["sell_in", "sell_through", "all"])
        parser.add_argument("--as", dest="username")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        viewer = resolve_user(options["username"])
        group_by = [d.strip() for d in options["group_by"].split(",") if d.strip()]
        try:
            rows = queries.summary_for_output(
                viewer=viewer,
                group_by=group_by,
                date_from=_date(options["date_from"]) if options["date_from"] else None,
                date_to=_date(options["date_to"]) if options["date_to"] else None,
                filters={"kind": options["kind"]},
            )
        except DomainError as exc:
            raise CommandError(f"{exc.detail} {exc.fields}") from None
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, default=str))
            return
        from rich.console import Console
        from rich.table import Table

        table = Table()
        columns = list(rows[0]) if rows else [*group_by, "amount", "quantity", "lines"]
        columns = [c for c in columns if not c.endswith(("_id", "_code"))]
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*[str(row.get(c, "")) for c in columns])
        Console(file=self.stdout, width=160).print(table)
