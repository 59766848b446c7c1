"""Compile every .po catalogue (locale/ and each app's locale/) into .mo with polib.

Setup needs no GNU gettext this way; `make messages` (developers) needs xgettext to extract.
"""

from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


def catalogue_dirs() -> list[Path]:
    dirs = [Path(p) for p in settings.LOCALE_PATHS]
    for config in apps.get_app_configs():
        if config.name.startswith("salescope."):
            dirs.append(Path(config.path) / "locale")
    return [d for d in dirs if d.is_dir()]


class Command(BaseCommand):
    help = "Compile the translation catalogues (.po → .mo)."

    def handle(self, *args: object, **options: object) -> None:
        count = 0
        for locale_dir in catalogue_dirs():
            for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
                polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
                count += 1
        self.stdout.write(f"compiled {count} catalogues")
