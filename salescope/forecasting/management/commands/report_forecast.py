"""``salescope report forecast [--level category|product] [--from YYYY-MM] [--to YYYY-MM]
[--risks] [--weeks N] [--demand forecast|targets] [--as USER] [--json]``

(``salescope report_forecast`` under its Django name.) Prints the newest forecast run's series
as ``--as USER`` may see them (default: the first administrator): what is forecast, region,
chosen model, backtest WAPE / MAPE / bias beside seasonal-naive's WAPE, and the forecast summed
over the months asked. ``--risks`` prints the products at risk of stock-out or overstock
instead (demand vs stock over ``--weeks`` weeks).
"""

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.forecasting import queries
from salescope.forecasting.choices import DemandSource, SeriesLevel
from salescope.pipeline.cli import acting_user


def _month(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(f"{raw}-01" if len(raw or "") == 7 else raw) if raw else None
    except ValueError:
        raise CommandError(_("%s is not a month (YYYY-MM).") % raw) from None


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


class Command(BaseCommand):
    help = _("Forecast report: each series' forecast, model and backtest accuracy.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--level", default="category", choices=list(SeriesLevel.values))
        parser.add_argument("--from", dest="date_from", help="YYYY-MM")
        parser.add_argument("--to", dest="date_to", help="YYYY-MM")
        parser.add_argument("--risks", action="store_true")
        parser.add_argument("--weeks", type=int, default=queries.DEFAULT_WEEKS)
        parser.add_argument("--demand", choices=DemandSource.values, default=DemandSource.FORECAST)
        parser.add_argument("--as", dest="username")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        viewer = acting_user(options["username"])
        if options["risks"]:
            if not 1 <= options["weeks"] <= 52:
                raise CommandError(_("--weeks must be between 1 and 52."))
            data = queries.demand_vs_stock(
                viewer=viewer,
                as_of=timezone.localdate(),
                weeks=options["weeks"],
                demand=options["demand"],
            )
            rows = [
                {
                    "sku": r.product.sku,
                    "product": r.product.name,
                    "warehouse": r.warehouse.code,
                    "kind": r.kind,
                    "date": r.date.isoformat() if r.date else "",
                    "gap": r.gap,
                    "weeks_of_cover": r.weeks_of_cover,
                    "available": r.available,
                }
                for r in data["risks"]
            ]
        else:
            rows = [
                {
                    "name": r["name"],
                    "region": r["region_name"],
                    "model": r["model"],
                    "wape": r["wape"],
                    "mape": r["mape"],
                    "bias": r["bias"],
                    "baseline_wape": r["baseline_wape"],
                    "amount": str(r["amount"]),
                    "quantity": str(r["quantity"]),
                }
                for r in queries.series_rows(
                    viewer=viewer,
                    level=options["level"],
                    date_from=_month(options["date_from"]),
                    date_to=_month(options["date_to"]),
                )
            ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        if not rows:
            self.stdout.write(_("Nothing to report."))
            return
        columns = list(rows[0])
        self.stdout.write("\t".join(columns))
        for row in rows:
            cells = []
            for c in columns:
                value = row[c]
                if c in {"wape", "mape", "bias", "baseline_wape"}:
                    value = _pct(value)
                cells.append("" if value is None else str(value))
            self.stdout.write("\t".join(cells))
