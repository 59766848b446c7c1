"""G1/G2: every KPI of the library equals an independent pandas computation over generated
facts, to the cent, per person and per unit; figures follow the viewer's visibility."""

from decimal import ROUND_HALF_UP, Decimal

import pytest

from salescope.performance import queries, rules
from tests.performance.world import NOV, OCT

Q = Decimal("0.01")


def _q(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(Q, rounding=ROUND_HALF_UP)


def _div(a, b) -> Decimal | None:
    return None if not b else (Decimal(int(a)) / Decimal(int(b))).quantize(Q, ROUND_HALF_UP)


def expected(facts, ids: set[int], work_days: int) -> dict[str, Decimal | None]:
    """The KPIs of the people ``ids`` together, computed from the raw rows with pandas."""
    lines = facts.lines[facts.lines.person.isin(ids) & (facts.lines.kind == "sell_in")]
    now, before = lines[lines.month == NOV], lines[lines.month == OCT]
    sales = int(now.amount.sum())
    visits = facts.visits[
        facts.visits.person.isin(ids)
        & (facts.visits.month == NOV)
        & (facts.visits.status == "done")
    ]
    timed = visits.dropna(subset=["seconds"])
    orders = facts.orders[
        facts.orders.person.isin(ids)
        & (facts.orders.month == NOV)
        & (facts.orders.status != "cancelled")
    ]
    coll = facts.collections[facts.collections.person.isin(ids) & (facts.collections.month == NOV)]
    pairs_now = set(zip(now.person, now.customer, strict=True))
    pairs_before = set(zip(before.person, before.customer, strict=True))
    new = facts.new_customers[facts.new_customers.person.isin(ids) & facts.new_customers.new]
    n = len(visits)
    return {
        "sales": _q(Decimal(sales) / 100),
        "collections": _q(Decimal(int(coll.amount.sum())) / 100),
        "gross_profit": _q(Decimal(int(now.profit.sum())) / 100),
        "active_customers": Decimal(len(pairs_now)),
        "visits_per_day": _div(n, work_days),
        "minutes_per_visit": _div(int(timed.seconds.sum()), len(timed) * 60),
        "revenue_per_visit": _div(sales, n * 100),
        "cost_per_visit": _div(int(visits.cost.sum()), n * 100),
        "orders_per_visit": _div(len(orders), n),
        "new_customers": Decimal(len(new)),
        "lost_customers": Decimal(len(pairs_before - pairs_now)),
        "expense_ratio": _div(0, sales),
    }


def test_kpis_equal_pandas_per_person_and_unit(facts, personas):
    report = queries.kpi_report(viewer=personas["admin"], month=NOV)
    assert report.work_days == rules.working_days(NOV, frozenset(), frozenset()) == 21
    by_person = {row.key: row for row in report.rows}
    checked = 0
    for person in facts.people.values():
        assert by_person[person.pk].values == expected(facts, {person.pk}, report.work_days)
        checked += 1
    assert checked == 4
    assert all(by_person[p.pk].values["sales"] > 0 for p in facts.people.values())
    assert all(by_person[p.pk].values["cost_per_visit"] for p in facts.people.values())
    assert sum(by_person[p.pk].values["lost_customers"] for p in facts.people.values()) > 0
    units = queries.kpi_report(viewer=personas["admin"], month=NOV, group_by="unit")
    for row in units.rows:
        members = {p.pk for p in facts.people.values() if p.unit_id == row.key}
        if members:
            got = dict(row.values.items())
            want = expected(facts, members, report.work_days)
            # Units also hold people without facts: the figures of the sums are the same.
            assert got == want


def test_a_salesperson_sees_only_his_own_figures(facts, personas):
    me = personas["salesperson"]
    report = queries.kpi_report(viewer=me, month=NOV)
    assert [row.key for row in report.rows] == [me.pk]
    assert report.total.values == expected(facts, {me.pk}, report.work_days)


def test_a_team_lead_sees_her_team_not_another_region(facts, personas):
    lead = personas["team_lead"]
    keys = {row.key for row in queries.kpi_report(viewer=lead, month=NOV).rows}
    assert personas["salesperson"].pk in keys
    assert personas["other_region_salesperson"].pk not in keys


def test_drill_down_lists_the_facts_behind_a_figure(facts, personas):
    me = personas["salesperson"]
    out = queries.drill_json(
        queries.drill(viewer=personas["team_lead"], person=me, month=NOV, kpi="cost_per_visit")
    )
    visits = facts.visits[
        (facts.visits.person == me.pk)
        & (facts.visits.month == NOV)
        & (facts.visits.status == "done")
    ]
    assert len(out["rows"]) == len(visits)
    assert sum(Decimal(r["cost"]) for r in out["rows"]) * 100 == int(visits.cost.sum())
    assert "÷" in out["formula"]


def test_bad_period_and_group_are_refused(personas):
    from salescope.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        queries.parse_period("2026-13")
    with pytest.raises(ValidationFailed):
        queries.kpi_report(viewer=personas["admin"], month=NOV, group_by="region")
