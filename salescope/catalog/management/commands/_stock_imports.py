"""The shared body of ``salescope import stock|supply FILE``: ``--map "源列=field"``
(repeatable), ``--dry-run``, ``--date-format``, ``--as USERNAME``, ``--json`` (one JSON
object), else a summary with every rejected cell and its line."""

import json
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from salescope.catalog.importing import StockSpec, SupplySpec, import_stock, import_supply
from salescope.core.errors import DomainError
from salescope.core.importing.common import ImportOptions, ImportResult, Spec, parse_map_options
from salescope.org.auth import command_user

KINDS: dict[str, tuple[type[Spec], Callable[..., ImportResult]]] = {
    "stock": (StockSpec, import_stock),
    "supply": (SupplySpec, import_supply),
}


class StockImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser: CommandParser) -> None:
        spec, _run = KINDS[self.kind]
        parser.add_argument("file")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="SOURCE=FIELD",
            help=_("Map a column of the file (its header as written) to a field; repeatable.")
            + " "
            + _("Fields: %s") % ", ".join(spec.fields),
        )
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument(
            "--date-format",
            default="auto",
            help=_("auto, mdy, dmy or a strptime pattern such as %%d/%%m/%%Y"),
        )
        parser.add_argument("--as", dest="username", default=None)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        spec, run = KINDS[self.kind]
        try:
            mapping = parse_map_options(options["map"], spec.fields)
        except ValueError as exc:
            raise CommandError(
                _("Bad --map %s: use SOURCE=FIELD with a known field.") % exc
            ) from None
        actor = command_user(options["username"])
        if actor is None:
            if options["username"]:
                raise CommandError(_("No active user %s.") % options["username"])
            raise CommandError(_("No administrator exists; pass --as USERNAME."))
        import_options = ImportOptions(
            mapping=mapping, dry_run=options["dry_run"], date_format=options["date_format"]
        )
        try:
            result = run(actor=actor, path=options["file"], options=import_options)
        except DomainError as exc:
            if options["json"]:
                self.stdout.write(json.dumps(exc.as_dict(), ensure_ascii=False))
            details = "; ".join(f"{k}: {', '.join(v)}" for k, v in (exc.fields or {}).items())
            raise CommandError(f"{exc.detail} {details}".strip()) from None
        data = result.as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, default=str))
            return
        prefix = _("Dry run — nothing stored. ") if data["dry_run"] else ""
        self.stdout.write(
            prefix
            + _(
                "accepted %(accepted)s, rejected %(rejected)s; created %(created)s, updated "
                "%(updated)s, unchanged %(unchanged)s; rounded %(rounded)s"
            )
            % data
        )
        for error in data["errors"]:
            self.stdout.write(
                f"  {_('line')} {error['line']} [{error['column']}]: {error['reason']}"
            )
