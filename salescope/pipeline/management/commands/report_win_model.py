"""``salescope report win-model [--json] [--fit]``

(``salescope report_win_model`` under its Django name.) The time-split backtest of the learnt
win probability: learn on the deals that closed first, test on the newest 30%, and report AUC
and Brier score of the model beside the stage-default baseline. ``--fit`` also fits the model
in use from every closed deal (what the nightly task does). Reads the whole company's deals.
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from salescope.core.audit_context import AuditSource, audit_source
from salescope.pipeline import services, winmodel


class Command(BaseCommand):
    help = _("Win-probability model: time-split backtest (AUC, Brier) against the stage defaults.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--fit", action="store_true", help=_("Also fit the model in use."))

    def handle(self, *args: Any, **options: Any) -> None:
        report = winmodel.backtest()
        if options["fit"]:
            with audit_source(AuditSource.SYSTEM):
                row = services.refit_win_model(actor=None)
            report["fitted"] = {"closed_deals": row.closed_deals, "learnt": row.model is not None}
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        if not report["enough_history"]:
            self.stdout.write(
                _("Too little history: %(n)d closed deals, %(min)d needed; stage defaults used.")
                % {"n": report["closed_deals"], "min": report["min_closed_deals"]}
            )
            return
        for name in ("baseline", "model"):
            scores = report.get(name) or {}
            self.stdout.write(
                f"{name:9} AUC {scores.get('auc')}  Brier {scores.get('brier')}"
                f"  ({report['test_examples']} test / {report['train_examples']} train examples)"
            )
