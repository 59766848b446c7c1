"""``salescope worker [--once]``: run background tasks (imports, daily alert evaluation) with
django-tasks' database worker (``core.tasks``)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from salescope.core.tasks import run_worker


class Command(BaseCommand):
    help = _("Run background tasks (imports, daily alert evaluation) until stopped.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help=_("Stop when no task is ready to run.")
        )
        parser.add_argument(
            "--sleep", type=float, default=1.0, help=_("Seconds to wait when no task is ready.")
        )
        parser.add_argument("--worker-id", default=None, help=_("This worker's unique name."))
        parser.add_argument(
            "--no-schedule",
            action="store_true",
            help=_("Do not enqueue the daily tasks (another worker does)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = run_worker(
            batch=options["once"],
            interval=options["sleep"],
            worker_id=options["worker_id"],
            scheduled=not options["no_schedule"],
            signals=True,
        )
        self.stdout.write(_("%d task(s) run.") % count)
