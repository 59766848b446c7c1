"""``salescope createsuperuser`` (the ``salescope`` command maps it here) and
``salescope createadministrator``: Django's ``createsuperuser`` making a Salescope
administrator of the company.

A bare Django superuser would have no unit and the default role, so every command and page
would refuse it. Before there is a company this refuses and points to ``salescope init``;
afterwards the new person is an administrator in the company unit (audited).
"""

from typing import Any

from django.contrib.auth.management.commands import createsuperuser
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models.signals import post_save
from django.utils.translation import gettext as _

from salescope.core.errors import DomainError
from salescope.org import services
from salescope.org.models import User


class Command(createsuperuser.Command):
    help = _(
        "Create a Salescope administrator of the company (on a new installation run "
        "“salescope init” first)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if services.company_unit() is None:
            raise CommandError(
                _(
                    "There is no company yet. Run “salescope init” to create the company and "
                    "its first administrator."
                )
            )
        created: list[User] = []

        def remember(sender: type, instance: User, **kwargs: Any) -> None:
            if kwargs.get("created"):
                created.append(instance)

        with transaction.atomic():
            post_save.connect(remember, sender=User, weak=False, dispatch_uid=__name__)
            try:
                super().handle(*args, **options)
            finally:
                post_save.disconnect(sender=User, dispatch_uid=__name__)
            try:
                for person in created:
                    services.enrol_administrator(actor=None, person=person)
            except DomainError as error:
                raise CommandError(error.detail) from None
