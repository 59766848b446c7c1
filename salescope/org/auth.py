"""Django's model backend, reading people as the system: a session names its person by id
before anyone may see anything (``core.ownership``: the people manager is restricted)."""

from typing import Any

from django.contrib.auth.backends import ModelBackend

from salescope.org.models import User


class PeopleBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User.objects.unrestricted().get(pk=user_id)
        except (User.DoesNotExist, ValueError, TypeError):
            return None
        return user if self.user_can_authenticate(user) else None


def command_user(username: str | None) -> User | None:
    """The person a command acts as: that active user, else the first active administrator."""
    from salescope.core.roles import Role

    people = User.objects.unrestricted().filter(is_active=True).order_by("pk")
    if username:
        return people.filter(username=username).first()
    return (
        people.filter(role=Role.ADMINISTRATOR).first() or people.filter(is_superuser=True).first()
    )
