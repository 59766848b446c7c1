"""The demo's expense claims: a few months for each region's salespeople, 华东 over its
budget, the others within it; loading twice adds nothing."""

from django.utils import timezone

from salescope.core.periods import add_months
from salescope.expenses import demo as expenses_demo
from salescope.expenses import queries
from salescope.expenses.models import Claim
from salescope.org import demo as org_demo
from salescope.org.models import OrgUnit, User
from salescope.plans import demo as plans_demo


def _quiet(_line: str) -> None:
    pass


def test_demo_claims_some_regions_over_budget_and_loading_twice_adds_nothing(db):
    org_demo.load(_quiet)
    plans_demo.load(_quiet)
    expenses_demo.load(_quiet)
    claims = Claim.objects.unrestricted().count()
    statuses = set(Claim.objects.unrestricted().values_list("status", flat=True))
    assert claims >= 12
    assert {"paid", "approved", "submitted", "rejected", "draft"} <= statuses
    lines = []
    expenses_demo.load(lines.append)
    assert Claim.objects.unrestricted().count() == claims
    assert lines == ["expenses: demo claims already there"]

    director = User.objects.unrestricted().get(username="liuyang")
    last_month = add_months(timezone.localdate().replace(day=1), -1)
    report = queries.budget_vs_spend(
        viewer=director, date_from=last_month, date_to=last_month, by="unit"
    )
    over = {row.label for row in report.rows if row.over}
    east = OrgUnit.objects.unrestricted().get(code="EAST")
    north = OrgUnit.objects.unrestricted().get(code="NORTH")
    assert east.name in over
    assert north.name not in over
    assert all(row.spend > 0 for row in report.rows if row.label in {east.name, north.name})
