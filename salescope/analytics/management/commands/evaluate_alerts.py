"""``salescope evaluate_alerts [--as-of DATE]``: raise, refresh and clear early warnings
(run nightly by cron or the worker)."""

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from salescope.analytics.services import evaluate_alerts


class Command(BaseCommand):
    help = _("Check plans, pace and steps and update the early-warning inboxes.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", dest="as_of")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = dt.date.fromisoformat(options["as_of"]) if options["as_of"] else None
        result = evaluate_alerts(actor=None, as_of=as_of)
        self.stdout.write(json.dumps(result.as_dict()))
