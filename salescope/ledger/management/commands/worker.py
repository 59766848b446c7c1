"""``salescope worker [--once]``: run background jobs (imports) from the database queue."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from salescope.core.audit_context import AuditSource, audit_source
from salescope.ledger import jobs


class Command(BaseCommand):
    help = _("Run background jobs (imports) until stopped.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help=_("Stop when the queue is empty."))
        parser.add_argument("--sleep", type=float, default=1.0)

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_source(AuditSource.IMPORT):
            count = jobs.work(once=options["once"], sleep=options["sleep"])
        self.stdout.write(_("%d job(s) run.") % count)
