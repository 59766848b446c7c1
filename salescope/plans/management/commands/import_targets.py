"""``salescope import targets FILE --plan ID [--as USER] [--json]``

(``salescope import_targets`` under its Django name.) Reads the XLSX format of the plan's
export; prints ``{"accepted", "rejected", "updated", "unchanged", "recomputed", "errors"}``.
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from salescope.core.audit_context import AuditSource, audit_source
from salescope.core.errors import DomainError
from salescope.plans import queries, services, xlsx
from salescope.plans.cli import acting_user


class Command(BaseCommand):
    help = _("Import target values of a plan from the XLSX export format.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--plan", type=int, required=True)
        parser.add_argument("--as", dest="username")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = acting_user(options["username"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %s") % path)
        try:
            plan = queries.get_plan(viewer=actor, pk=options["plan"])
            with path.open("rb") as handle, audit_source(AuditSource.IMPORT):
                result = services.import_targets(
                    actor=actor, plan=plan, rows=xlsx.read_rows(handle)
                )
        except DomainError as exc:
            raise CommandError(f"{exc.detail} {exc.fields or ''}".strip()) from None
        body = result.as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(body, ensure_ascii=False, default=str))
            return
        self.stdout.write(
            _(
                "%(accepted)s accepted (%(updated)s changed), %(rejected)s rejected, "
                "%(recomputed)s totals recomputed."
            )
            % body
        )
        for error in body["errors"]:
            self.stdout.write(f"  line {error['line']} [{error['column']}]: {error['reason']}")
