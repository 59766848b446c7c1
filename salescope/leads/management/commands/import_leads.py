"""``salescope import leads FILE [--dry-run] [--as USERNAME] [--json]``: leads from a CSV
(UTF-8 or GBK) or XLSX file; refused rows by line, column and reason."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from salescope.core.errors import DomainError
from salescope.leads import services
from salescope.ledger.management.commands._common import resolve_user


class Command(BaseCommand):
    help = _("Import leads from a CSV or XLSX file.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--as", dest="username", default=None)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = resolve_user(options["username"])
        try:
            result = services.import_leads(
                actor=actor, path=options["file"], dry_run=options["dry_run"]
            )
        except DomainError as error:
            raise CommandError(error.detail) from None
        if options["json"]:
            body = {
                "created": result.created,
                "unchanged": result.unchanged,
                "errors": result.errors,
                "dry_run": result.dry_run,
            }
            self.stdout.write(json.dumps(body, ensure_ascii=False))
            return
        self.stdout.write(
            _("%(c)s leads added, %(u)s already there, %(e)s rows refused.")
            % {"c": result.created, "u": result.unchanged, "e": len(result.errors)}
        )
        for error in result.errors:
            self.stdout.write(f"  {error['line']}  {error['column']}: {error['reason']}")
