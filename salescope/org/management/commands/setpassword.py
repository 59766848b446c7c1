"""``salescope changepassword USERNAME`` (the ``salescope`` command maps it here) and
``salescope setpassword USERNAME``: set a person's password, e.g. after ``import org``.

Asks twice in a terminal; otherwise reads it from ``SALESCOPE_PASSWORD``. Acts as the first
administrator (or ``--as USERNAME``), audited, through the password policy.
"""

import getpass
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from salescope.core.errors import DomainError, NotFound
from salescope.org import queries, services
from salescope.org.auth import command_user

PASSWORD_VARIABLE = "SALESCOPE_PASSWORD"  # noqa: S105 - the variable's name, not a secret


class Command(BaseCommand):
    help = _("Set a person's password (asks twice, or reads %s).") % PASSWORD_VARIABLE

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("username")
        parser.add_argument("--as", dest="actor", default=None)

    def handle(self, *args: Any, username: str, actor: str | None, **options: Any) -> None:
        acting = command_user(actor)
        if acting is None:
            raise CommandError(_("No administrator exists: run “salescope init” first."))
        password = os.environ.get(PASSWORD_VARIABLE, "")
        if not password and sys.stdin.isatty():
            password = getpass.getpass(_("Password: "))
            if getpass.getpass(_("Password (again): ")) != password:
                raise CommandError(_("The passwords differ or are empty; try again."))
        if not password:
            raise CommandError(
                _("No password: set %s or run the command in a terminal.") % PASSWORD_VARIABLE
            )
        try:
            person = queries.get_user_by_username(username)
        except NotFound:
            raise CommandError(_("No person with the user name %s.") % username) from None
        try:
            services.set_person_password(actor=acting, person=person, new_password=password)
        except DomainError as error:
            details = " ".join(" ".join(v) for v in error.fields.values())
            raise CommandError(f"{error.detail} {details}".strip()) from None
        self.stdout.write(self.style.SUCCESS(_("Password set for %s.") % person.username))
