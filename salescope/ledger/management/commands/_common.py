from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from salescope.org.auth import command_user
from salescope.org.models import User


def resolve_user(username: str | None) -> User:
    """The person a command acts as: ``--as USERNAME``, else the first active administrator."""
    user = command_user(username)
    if user is None:
        if username:
            raise CommandError(_("No active user %s.") % username)
        raise CommandError(_("No administrator exists; pass --as USERNAME."))
    return user
