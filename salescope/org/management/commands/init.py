"""``salescope init``: set up an empty installation for your company.

    salescope init                                   # asks for what it needs
    SALESCOPE_ADMIN_PASSWORD=… salescope init --no-input --company-name 华远食品有限公司 \
        --company-code HQ --username admin [--full-name 系统管理员] [--language zh-hans]

Creates the database schema (``migrate``), the company unit and the first Salescope
administrator. Running it again with the same company code and user name changes nothing;
on an installation that already has a company or an administrator it refuses and says so.
"""

import getpass
import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from salescope.core.errors import DomainError
from salescope.org import services

PASSWORD_VARIABLE = "SALESCOPE_ADMIN_PASSWORD"  # noqa: S105 - the variable's name, not a secret


class Command(BaseCommand):
    help = _("Set up Salescope for your company: the company unit and its first administrator.")

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--company-name", default="", help=_("The company's name."))
        parser.add_argument("--company-code", default="", help=_("A short code, e.g. HQ."))
        parser.add_argument("--username", default="", help=_("The administrator's user name."))
        parser.add_argument("--full-name", default="", help=_("The administrator's name."))
        parser.add_argument("--email", default="", help=_("The administrator's email."))
        parser.add_argument(
            "--language",
            default="",
            choices=["", *(code for code, _label in settings.LANGUAGES)],
            help=_("The administrator's language (default: the installation's)."),
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help=_("Ask nothing; the password comes from %s.") % PASSWORD_VARIABLE,
        )
        parser.add_argument(
            "--skip-migrate",
            action="store_true",
            help=_("Do not create or upgrade the database schema first."),
        )

    def handle(self, *args: object, **options: object) -> None:
        interactive = bool(options["interactive"]) and sys.stdin.isatty()
        if not options["skip_migrate"]:
            call_command("migrate", verbosity=0, interactive=False)
        values = {
            "company_name": str(options["company_name"]),
            "company_code": str(options["company_code"]),
            "username": str(options["username"]),
            "full_name": str(options["full_name"]),
            "email": str(options["email"]),
            "language": str(options["language"]),
        }
        if interactive:
            self._ask(values)
        password = os.environ.get(PASSWORD_VARIABLE, "")
        if not password and interactive:
            password = self._ask_password()
        missing = [
            flag
            for flag, key in (
                ("--company-name", "company_name"),
                ("--company-code", "company_code"),
                ("--username", "username"),
            )
            if not values[key].strip()
        ]
        if missing:
            raise CommandError(_("Missing: %s.") % ", ".join(missing))
        if not password:
            raise CommandError(
                _("No password: set %s or run the command in a terminal.") % PASSWORD_VARIABLE
            )
        try:
            done = services.initialise_company(actor=None, password=password, **values)
        except DomainError as error:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.fields.items())
            raise CommandError(f"{error.detail} {details}".strip()) from None
        if not done.created:
            self.stdout.write(
                _("Already initialised: company %(company)s, administrator %(admin)s.")
                % {"company": done.company.name, "admin": done.administrator.username}
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("Created the company %(company)s (%(code)s) and its administrator %(admin)s.")
                % {
                    "company": done.company.name,
                    "code": done.company.code,
                    "admin": done.administrator.username,
                }
            )
        )
        self.stdout.write(
            _(
                "Next: “salescope serve” and sign in, or bring in your people with "
                "“salescope import org FILE”."
            )
        )

    def _ask(self, values: dict[str, str]) -> None:
        prompts = {
            "company_name": _("Company name"),
            "company_code": _("Company code (e.g. HQ)"),
            "username": _("Administrator's user name"),
            "full_name": _("Administrator's name"),
        }
        for key, prompt in prompts.items():
            while not values[key].strip():
                values[key] = input(f"{prompt}: ").strip()
                if key == "full_name":
                    break

    def _ask_password(self) -> str:
        while True:
            first = getpass.getpass(_("Password: "))
            second = getpass.getpass(_("Password (again): "))
            if first and first == second:
                return first
            self.stderr.write(_("The passwords differ or are empty; try again."))
