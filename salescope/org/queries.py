"""Reads of the organisation used by pages, the API and the CLI. Each takes the viewer."""

from django.db.models import QuerySet

from salescope.core.errors import NotFound
from salescope.org.models import ApiToken, OrgUnit, User


def list_own_tokens(*, viewer: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=viewer)


def get_own_token(*, viewer: User, pk: int) -> ApiToken:
    token = list_own_tokens(viewer=viewer).filter(pk=pk).first()
    if token is None:
        raise NotFound()
    return token


def unit_chain(unit: OrgUnit | None) -> list[OrgUnit]:
    """The unit and its ancestors, from the company down, in one query."""
    if unit is None:
        return []
    step = len(unit.path) // unit.depth
    prefixes = [unit.path[: step * i] for i in range(1, unit.depth + 1)]
    return list(OrgUnit.objects.filter(path__in=prefixes).order_by("path"))


def get_user_by_username(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFound()
    return user


def home_context(*, viewer: User) -> dict:
    """What a person's home page shows about their place: unit path, manager, team."""
    chain = unit_chain(viewer.unit)
    manager = _manager_of(viewer)
    managed = list(OrgUnit.objects.filter(manager=viewer).order_by("path"))
    team: list[User] = []
    if managed:
        subtree = OrgUnit.objects.none()
        for unit in managed:
            subtree = subtree | OrgUnit.objects.filter(path__startswith=unit.path)
        team = list(
            User.objects.filter(unit__in=subtree, is_active=True)
            .exclude(pk=viewer.pk)
            .select_related("unit", "position")
            .order_by("unit__path", "full_name")
        )
    return {"unit_chain": chain, "manager": manager, "managed_units": managed, "team": team}


def _manager_of(person: User) -> User | None:
    """The nearest manager above a person: their unit's manager, or the parent unit's if the
    person manages their own unit."""
    for unit in reversed(unit_chain(person.unit)):
        if unit.manager_id and unit.manager_id != person.pk:
            return unit.manager
    return None
