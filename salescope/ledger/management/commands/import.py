"""``salescope import sales-lines FILE --map "源列=field" … [--create-missing] [--dry-run]
[--json]``: the command is named ``import`` as the issue's interface says."""  # noqa: N999

import json
from collections.abc import Iterable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from salescope.core.errors import DomainError
from salescope.ledger.importing.fields import parse_map_options
from salescope.ledger.importing.sales_lines import ImportOptions, import_sales_lines
from salescope.ledger.management.commands._common import resolve_user


class Command(BaseCommand):
    help = _("Import sales lines from a CSV or XLSX file.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["sales-lines"])
        parser.add_argument("file")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="SOURCE=FIELD",
            help=_(
                "Map a column of the file (its header as written) to a field; SOURCE= ignores "
                "the column; repeatable."
            ),
        )
        parser.add_argument(
            "--errors-file",
            default=None,
            metavar="CSV",
            help=_("Write every refused line (line, column, reason) to this CSV file."),
        )
        parser.add_argument("--create-missing", action="store_true")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument(
            "--date-format",
            default="auto",
            help=_("auto, mdy, dmy or a strptime pattern such as %%d/%%m/%%Y"),
        )
        parser.add_argument("--as", dest="username", default=None)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            mapping = parse_map_options(options["map"])
        except ValueError as exc:
            raise CommandError(
                _("Bad --map %s: use SOURCE=FIELD with a known field, or SOURCE= to ignore it.")
                % exc
            ) from None
        actor = resolve_user(options["username"])
        import_options = ImportOptions(
            mapping=mapping,
            create_missing=options["create_missing"],
            dry_run=options["dry_run"],
            date_format=options["date_format"],
        )
        try:
            if options["json"]:
                result = import_sales_lines(
                    actor=actor, path=options["file"], options=import_options
                )
            else:
                result = self._with_progress(actor, options["file"], import_options)
        except DomainError as exc:
            if options["json"]:
                self.stdout.write(json.dumps(exc.as_dict(), ensure_ascii=False))
            raise CommandError(exc.detail) from None
        # --json shows every refused line, as --errors-file writes them.
        data = result.as_dict(every_error=options["json"])
        if options["errors_file"]:
            _write_errors(options["errors_file"], result.every_error())
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        self._summary(data)

    def _with_progress(self, actor: Any, path: str, import_options: ImportOptions) -> Any:
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

            return import_sales_lines(
                actor=actor, path=path, options=import_options, progress=progress
            )

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
        created = {k: data.get(k, 0) for k in ("created_customers", "created_products")}
        created["created_regions"] = data.get("created_regions", 0)
        if any(created.values()):
            self.stdout.write(
                _(
                    "created %(created_customers)s customers, %(created_products)s products, "
                    "%(created_regions)s regions"
                )
                % created
            )
        # Each distinct problem once, with how many lines it refused and the first of them.
        for problem in data["problems"]:
            value = f" 「{problem['value']}」" if problem["value"] is not None else ""
            first = ", ".join(str(n) for n in problem["first_lines"])
            self.stdout.write(
                "  "
                + _("[%(column)s] %(reason)s%(value)s: %(lines)s lines (first: %(first)s)")
                % {
                    "column": problem["column"],
                    "reason": problem["reason"],
                    "value": value,
                    "lines": problem["lines"],
                    "first": first,
                }
            )
        if data["errors"]:
            self.stdout.write(_("  Every refused line: --errors-file FILE.csv (or --json)."))


def _write_errors(path: str, errors: Iterable[dict]) -> None:
    import csv

    from salescope.ledger.export import safe_cell

    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([_("Line"), _("Column"), _("Reason")])
        for error in errors:
            writer.writerow([error["line"], safe_cell(error["column"]), safe_cell(error["reason"])])
