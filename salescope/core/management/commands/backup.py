from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from salescope.core import backup
from salescope.core.errors import DomainError


class Command(BaseCommand):
    help = _("Back up the whole database to FILE, safely while the app is running.")

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("file", type=Path)

    def handle(self, *args: object, file: Path, **options: object) -> None:
        try:
            path = backup.backup(file)
        except DomainError as error:
            raise CommandError(error.detail) from None
        self.stdout.write(self.style.SUCCESS(_("Backup written to %s") % path))
