"""Load the demo company: every Salescope app may add its part in ``<app>/demo.py``."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


def demo_modules() -> list:
    """The ``demo`` modules of the installed Salescope apps, in INSTALLED_APPS order."""
    modules = []
    for config in apps.get_app_configs():
        if config.name.startswith("salescope.") and find_spec(f"{config.name}.demo"):
            modules.append(import_module(f"{config.name}.demo"))
    return modules


class Command(BaseCommand):
    help = _("Load the demo company (idempotent: a second run adds nothing).")

    def handle(self, *args: object, **options: object) -> None:
        modules = demo_modules()
        for module in modules:
            module.load(lambda line: self.stdout.write(line))
        # What to tell the person who asked for the demo (the logins), from the apps that know.
        for module in modules:
            if hasattr(module, "summary"):
                module.summary(lambda line: self.stdout.write(self.style.SUCCESS(line)))
