"""``salescope import org FILE [--dry-run] [--as USERNAME] [--json]``: units, positions, people,
unit managers and territories from a CSV (UTF-8 or GBK) or XLSX file, as the administrator's
import page does (``org.imports``)."""

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from salescope.core.errors import DomainError
from salescope.org.auth import command_user
from salescope.org.imports import import_org

COUNTS = (
    "units_created",
    "units_updated",
    "positions_created",
    "positions_updated",
    "people_created",
    "people_updated",
    "territories_created",
    "territories_updated",
    "unchanged",
)


class Command(BaseCommand):
    help = _("Import the organisation (units, positions, people, managers, territories).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--as", dest="username", default=None)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = command_user(options["username"])
        if actor is None:
            if options["username"]:
                raise CommandError(_("No active user %s.") % options["username"])
            raise CommandError(_("No administrator exists; pass --as USERNAME."))
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(str(exc)) from None
        try:
            result = import_org(
                actor=actor, name=path.name, content=content, dry_run=options["dry_run"]
            )
        except DomainError as exc:
            if options["json"]:
                self.stdout.write(json.dumps(exc.as_dict(), ensure_ascii=False))
            details = "; ".join(m for msgs in exc.fields.values() for m in msgs)
            raise CommandError(f"{exc.detail} {details}".strip()) from None
        data = asdict(result)
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        prefix = _("Dry run — nothing stored. ") if result.dry_run else ""
        self.stdout.write(
            prefix
            + _(
                "units: %(units_created)s new, %(units_updated)s changed; positions: "
                "%(positions_created)s new, %(positions_updated)s changed; people: "
                "%(people_created)s new, %(people_updated)s changed; territories: "
                "%(territories_created)s new, %(territories_updated)s changed; "
                "%(unchanged)s unchanged"
            )
            % {k: data[k] for k in COUNTS}
        )
        for error in result.errors:
            sheet = f"{error.sheet} " if error.sheet else ""
            self.stdout.write(f"  {sheet}{_('line')} {error.line} [{error.column}]: {error.reason}")
