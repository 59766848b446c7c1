"""Shared bits of the pipeline's commands."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from salescope.org.choices import Role
from salescope.org.models import User


def acting_user(username: str | None) -> User:
    """``--as USERNAME``, else the first active administrator (whose visibility is all)."""
    people = User.objects.unrestricted().filter(is_active=True)
    if username:
        user = people.filter(username=username).first()
        if user is None:
            raise CommandError(_("No active user %s.") % username)
        return user
    user = people.filter(role=Role.ADMINISTRATOR).order_by("pk").first()
    if user is None:
        raise CommandError(_("No administrator exists; pass --as USERNAME."))
    return user
