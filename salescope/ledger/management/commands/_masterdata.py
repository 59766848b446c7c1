"""The shared body of ``salescope import customers|products|invoices|collections FILE``:
``--map "源列=field"`` (repeatable), ``--dry-run``, ``--date-format``, ``--as USERNAME``,
``--json`` (one JSON object), else a rich progress bar and a summary."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from salescope.core.errors import DomainError
from salescope.core.importing.common import ImportOptions, parse_map_options
from salescope.ledger.importing.masterdata import IMPORTS, ImportKindInfo
from salescope.ledger.management.commands._common import resolve_user


class MasterDataImportCommand(BaseCommand):
    kind = ""

    def import_info(self) -> ImportKindInfo:
        """The kind's import; an app above the ledger returns its own (``import leads``)."""
        return IMPORTS[self.kind]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="SOURCE=FIELD",
            help=_("Map a column of the file (its header as written) to a field; repeatable.")
            + " "
            + _("Fields: %s") % ", ".join(self.import_info().fields),
        )
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument(
            "--date-format",
            default="auto",
            help=_("auto, mdy, dmy or a strptime pattern such as %%d/%%m/%%Y"),
        )
        if self.kind == "collections":
            parser.add_argument(
                "--no-allocate",
                action="store_true",
                help=_("Leave collections that name no invoice unallocated."),
            )
        parser.add_argument("--as", dest="username", default=None)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        info = self.import_info()
        try:
            mapping = parse_map_options(options["map"], info.fields)
        except ValueError as exc:
            raise CommandError(
                _("Bad --map %s: use SOURCE=FIELD with a known field.") % exc
            ) from None
        actor = resolve_user(options["username"])
        import_options = ImportOptions(
            mapping=mapping,
            dry_run=options["dry_run"],
            date_format=options["date_format"],
            allocate=not options.get("no_allocate", False),
        )
        try:
            if options["json"]:
                result = info.run(actor=actor, path=options["file"], options=import_options)
            else:
                result = self._with_progress(info.run, actor, options["file"], import_options)
        except DomainError as exc:
            if options["json"]:
                self.stdout.write(json.dumps(exc.as_dict(), ensure_ascii=False))
            raise CommandError(_describe(exc)) from None
        data = result.as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        self._summary(data)

    def _with_progress(self, run: Any, actor: Any, path: str, options: ImportOptions) -> Any:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            transient=True,
        ) as bar:
            task = bar.add_task(_("Importing"), total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            return run(actor=actor, path=path, options=options, progress=progress)

    def _summary(self, data: dict) -> None:
        prefix = _("Dry run — nothing stored. ") if data["dry_run"] else ""
        self.stdout.write(
            prefix
            + _(
                "accepted %(accepted)s, rejected %(rejected)s; created %(created)s, updated "
                "%(updated)s, unchanged %(unchanged)s; rounded %(rounded)s"
            )
            % data
        )
        for error in data["errors"][:50]:
            self.stdout.write(
                f"  {_('line')} {error['line']} [{error['column']}]: {error['reason']}"
            )
        if len(data["errors"]) > 50:
            self.stdout.write(
                _("  … and %d more (use --json for all)") % (len(data["errors"]) - 50)
            )
        findings = data.get("findings") or []
        if findings:
            self.stdout.write(_("Data-quality findings (rows kept): %d") % len(findings))
        for finding in findings[:50]:
            self.stdout.write(
                f"  {_('line')} {finding['line']} [{finding['column']}] "
                f"「{finding['value']}」: {finding['note']}"
            )


def _describe(exc: DomainError) -> str:
    details = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in (exc.fields or {}).items())
    return f"{exc.detail} {details}".strip()
