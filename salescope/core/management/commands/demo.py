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
        for module in demo_modules():
            module.load(lambda line: self.stdout.write(line))
        from salescope.org.demo import DEMO_PASSWORD, PERSONAS

        self.stdout.write(
            self.style.SUCCESS(_("Demo company ready. Logins (password %s):") % DEMO_PASSWORD)
        )
        for username, (name, role, _unit) in PERSONAS.items():
            self.stdout.write(f"  {username:<10} {name}  ({role.label})")
