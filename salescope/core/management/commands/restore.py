from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from salescope.core import backup
from salescope.core.errors import DomainError


class Command(BaseCommand):
    help = _("Replace the database with the backup in FILE (made by `salescope backup`).")

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help=_("Do not ask for confirmation."))

    def handle(self, *args: object, file: Path, yes: bool, **options: object) -> None:
        if not yes and options.get("interactive", True):
            answer = input(_("This replaces all current data. Type 'yes' to continue: "))
            if answer.strip().lower() != "yes":
                raise CommandError(_("Restore cancelled."))
        try:
            backup.restore(file)
        except DomainError as error:
            raise CommandError(error.detail) from None
        self.stdout.write(self.style.SUCCESS(_("Database restored from %s") % file))
