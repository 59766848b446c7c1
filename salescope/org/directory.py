"""The company's directory: what everyone signed in may pick from in a form.

The org chart, positions and territories are everyone's to read (their ``Ownership`` grants
``view`` to everyone). People are different: a person's record (contact details, history) is
seen by themselves, their managers and the company-wide roles; but choosing a manager, a
responsible person or a colleague to share a record with needs the names of all active
people, as a company's phone list would. These lists are lazy querysets, evaluated when a
form is shown.
"""

from django.db.models import QuerySet

from salescope.org.models import OrgUnit, Position, Territory, User


def units() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.unrestricted().order_by("path")  # everyone may view units


def active_people() -> QuerySet[User]:
    # visibility: names of active colleagues, to choose one (the directory, see above)
    return User.objects.unrestricted().filter(is_active=True).order_by("full_name", "username")


def positions() -> QuerySet[Position]:
    return Position.objects.unrestricted().order_by("name")  # everyone may view positions


def territories() -> QuerySet[Territory]:
    return Territory.objects.unrestricted().order_by("code")  # everyone may view territories
