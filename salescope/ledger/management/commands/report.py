"""``salescope report sales-summary --group-by DIMS [--columns DIMS] [--category-level N]
[--from DATE --to DATE] [--as USER] [--json]``

With ``--columns``, ``--category-level`` or a dimension only the explorer has (quarter, year,
team, branch), the report is the explorer's pivot (``ledger.explorer``): rows × columns with
totals, as the page and ``GET /api/v1/sales/pivot`` give it."""

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from salescope.core.errors import DomainError
from salescope.ledger import explorer, queries
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
        parser.add_argument("--group-by", required=True, help=",".join(explorer.DIMENSIONS))
        parser.add_argument("--columns", default="", help=_("dimensions on the columns (pivot)"))
        parser.add_argument(
            "--category-level", type=int, help=_("roll categories up to this level (1 = top)")
        )
        parser.add_argument("--measure", default="amount", choices=explorer.MEASURES)
        parser.add_argument("--from", dest="date_from")
        parser.add_argument("--to", dest="date_to")
        parser.add_argument("--kind", default="sell_in", choices=["sell_in", "sell_through", "all"])
        parser.add_argument("--as", dest="username")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        viewer = resolve_user(options["username"])
        group_by = [d.strip() for d in options["group_by"].split(",") if d.strip()]
        if (
            options["columns"]
            or options["category_level"]
            or set(group_by) - set(queries.SUMMARY_DIMENSIONS)
        ):
            self._pivot(viewer, options)
            return
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

    def _pivot(self, viewer: Any, options: dict[str, Any]) -> None:
        params = {
            "rows": options["group_by"],
            "columns": options["columns"],
            "measure": options["measure"],
            "from": options["date_from"],
            "to": options["date_to"],
            "kind": options["kind"],
            "category_level": options["category_level"],
        }
        try:
            spec = explorer.spec_from_params(params, limit=5000)
            result = explorer.pivot(viewer=viewer, spec=spec)
        except DomainError as exc:
            raise CommandError(f"{exc.detail} {exc.fields}") from None
        if options["json"]:
            self.stdout.write(json.dumps(explorer.for_json(result), ensure_ascii=False))
            return
        from rich.console import Console
        from rich.table import Table

        table = Table()
        for dim in spec.rows:
            table.add_column(dim)
        for column in result["columns"]:
            table.add_column(" / ".join(column["label"]) or options["measure"], justify="right")
        if spec.columns:
            table.add_column(_("Total"), justify="right")
        values = explorer.grid(result)
        for r, row in enumerate(result["rows"]):
            totals = [str(result["row_totals"][r])] if spec.columns else []
            cells = ["" if v is None else str(v) for v in values[r]]
            table.add_row(*row["label"], *cells, *totals)
        footer = [_("Total"), *[""] * (len(spec.rows) - 1)]
        if spec.columns:
            footer += [str(v) for v in result["column_totals"]]
        table.add_row(*footer, str(result["total"]))
        Console(file=self.stdout, width=200).print(table)
