"""Every B2 warning kind read from the ledger, customers and visits: a golden test per kind
on generated data (the evaluator's warnings equal an independent pandas computation over the
same rows), routing to owner and manager through the one inbox, clearing with what changed,
and never clearing because the data could not be seen. Evaluation runs as the system."""

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal
from unittest import mock

import pandas as pd
import pytest
from django.utils import timezone, translation

from salescope.activities.models import CoverageRule, Visit
from salescope.analytics import alert_checks, alerts
from salescope.analytics import services as analytics_services
from salescope.analytics.models import Alert
from salescope.customers.models import Customer
from salescope.ledger import rollups
from salescope.ledger.models import Invoice, Order, SalesLine
from salescope.notifications.models import Notification
from tests.ledger.world import build_world

AS_OF = dt.date(2026, 7, 10)  # June 2026 is the last complete month
N_CUSTOMERS = 36


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(month: dt.date, n: int) -> dt.date:
    i = month.year * 12 + month.month - 1 + n
    return dt.date(i // 12, i % 12 + 1, 1)


@pytest.fixture
def generated(personas):
    """Customers of 张伟 (华东) and 陈静 (华南) with 18 months of random purchase habits,
    invoices, confirmed orders, credit limits, visits by tier and flagged 窜货 lines."""
    world = build_world(personas)
    rng = random.Random(20260710)  # noqa: S311 - seeded test data, not secrets
    owners = [personas["salesperson"], personas["other_region_salesperson"]]
    customers = Customer.objects.bulk_create(
        [
            Customer(
                code=f"G{i:03d}",
                name=f"客户{i}",
                name_normalized=f"客户{i}",
                owner=owners[i % 2],
                kind="dealer" if i % 3 == 0 else "end_customer",
                tier=rng.choice(["A", "B", "C", ""]),
                credit_limit_fen=rng.choice([None, 50_000_00, 200_000_00]),
            )
            for i in range(N_CUSTOMERS)
        ]
    )
    Customer.objects.unrestricted().update(created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    lines, key = [], 0
    for c in customers:
        every = rng.choice([3, 7, 15, 30])  # days between purchases
        stop = AS_OF - dt.timedelta(days=rng.choice([0, 0, 20, 60, 200]))
        size = rng.choice([5_000_00, 20_000_00, 80_000_00])
        slump = rng.random() < 0.3  # June far below its season
        day = dt.date(2025, 1, 3) + dt.timedelta(days=rng.randrange(every))
        while day <= stop:
            amount = size
            if slump and _month(day) == dt.date(2026, 6, 1):
                amount = size // 5
            key += 1
            cross = c.kind == "dealer" and rng.random() < 0.05 and day >= dt.date(2026, 4, 1)
            lines.append(
                SalesLine(
                    line_key=f"L{key}",
                    date=day,
                    month=_month(day),
                    kind="sell_through" if cross else "sell_in",
                    customer_id=c.pk,
                    product=world.cola,
                    salesperson_id=c.owner_id,
                    region_id=c.owner.unit_id,
                    quantity_milli=1000,
                    unit_price_fen=amount,
                    amount_fen=amount,
                    cost_fen=0,
                    gross_profit_fen=amount,
                    cross_territory=cross,
                    sale_location="杭州" if cross else "",
                )
            )
            day += dt.timedelta(days=every)
    SalesLine.objects.bulk_create(lines, batch_size=2000)
    rollups.rebuild_all()
    invoices, orders = [], []
    for n, c in enumerate(customers):
        for k in range(rng.randrange(4)):
            due = AS_OF + dt.timedelta(days=rng.randrange(-90, 30))
            amount = rng.choice([10_000_00, 60_000_00])
            invoices.append(
                Invoice(
                    number=f"INV{n}-{k}",
                    customer=c,
                    owner_id=c.owner_id,
                    issue_date=due - dt.timedelta(days=30),
                    due_date=due,
                    month=_month(due - dt.timedelta(days=30)),
                    amount_fen=amount,
                    paid_fen=rng.choice([0, amount, amount // 2]),
                    status=rng.choice(["open", "open", "paid"]),
                )
            )
        if rng.random() < 0.3:
            orders.append(
                Order(
                    number=f"SO{n}",
                    customer=c,
                    owner_id=c.owner_id,
                    date=AS_OF,
                    status="confirmed",
                    amount_fen=rng.choice([30_000_00, 150_000_00]),
                )
            )
    Invoice.objects.bulk_create(invoices)
    Order.objects.bulk_create(orders)
    CoverageRule.objects.bulk_create(
        [CoverageRule(tier="A", visits=4, period="month"), CoverageRule(tier="B", visits=1)]
    )
    visits = []
    for c in customers:
        if rng.random() < 0.7:
            day = AS_OF - dt.timedelta(days=rng.randrange(0, 70))
            visits.append(Visit(owner_id=c.owner_id, customer=c, planned_date=day, status="done"))
        visits.append(  # a plan is not a visit
            Visit(owner_id=c.owner_id, customer=c, planned_date=AS_OF, status="planned")
        )
    Visit.objects.bulk_create(visits)
    return {"world": world, "customers": customers, "personas": personas}


def _frames():
    return pd.DataFrame(
        SalesLine.objects.unrestricted().values(
            "customer_id",
            "date",
            "month",
            "amount_fen",
            "kind",
            "cross_territory",
            "salesperson_id",
        )
    )


def _subjects(kind: str) -> set[str]:
    return {
        a.facts["subject"] for a in Alert.objects.unrestricted().filter(kind=kind, status="open")
    }


def _expectation(recent: int, year_ago: int, base: int) -> int:
    if base > 0:
        ratio = min(max(Decimal(recent) / Decimal(base), Decimal(1) / 3), Decimal(3))
        return int((year_ago * ratio).to_integral_value(ROUND_HALF_UP))
    if year_ago > 0:
        return year_ago
    return int((Decimal(recent) / 3).to_integral_value(ROUND_HALF_UP))


def _reference_history(lines: pd.DataFrame) -> tuple[set[str], set[str], set[str]]:
    """Lost customers, customers with a sudden drop in June, people with one: from the
    lines, month by month, as a person would compute them in a spreadsheet."""
    limits = alert_checks.thresholds()
    sell_in = lines[(lines.kind == "sell_in") & (lines.date <= AS_OF)].copy()
    sell_in["m"] = pd.to_datetime(sell_in.month).dt.date
    # the months read: the history window (16 months back from July), which holds the
    # four months of last year the June expectation needs
    sell_in = sell_in[sell_in.m >= _add_months(_month(AS_OF), -limits.history_months)]
    june = dt.date(2026, 6, 1)

    def sums(frame: pd.DataFrame) -> tuple[int, int, int, int]:
        by_month = frame.groupby("m").amount_fen.sum().to_dict()
        got = [int(by_month.get(_add_months(june, -k), 0)) for k in range(16)]
        return got[0], sum(got[1:4]), got[12], sum(got[13:16])

    def drops(actual, recent, year_ago, base) -> bool:
        expected = _expectation(recent, year_ago, base)
        return expected >= limits.drop_min_expected_fen and Decimal(actual) < Decimal(expected) * (
            1 - limits.drop_share
        )

    lost, dropped, people = set(), set(), set()
    for customer, frame in sell_in.groupby("customer_id"):
        first, last, n = frame.date.min(), frame.date.max(), frame.date.nunique()
        if n >= limits.lost_min_purchases and last > first:
            usual = Decimal((last - first).days) / (n - 1)
            quiet = (AS_OF - last).days
            if quiet >= limits.lost_min_days and quiet > usual * limits.lost_multiple:
                lost.add(f"c{customer}")
                continue
        if drops(*sums(frame)):
            dropped.add(f"c{customer}")
    for person, frame in sell_in.groupby("salesperson_id"):
        if drops(*sums(frame)):
            people.add(f"p{person}")
    return lost, dropped, people


def test_sales_history_kinds_match_an_independent_computation(generated):
    analytics_services.evaluate_alerts(as_of=AS_OF)
    lost, dropped, people = _reference_history(_frames())
    assert lost, "the generated data must contain lost customers"
    assert dropped, "and customers whose June fell short"
    assert _subjects("customer_lost") == lost
    assert _subjects("sudden_drop") == dropped | people


def test_receivable_and_credit_kinds_match_an_independent_computation(generated):
    analytics_services.evaluate_alerts(as_of=AS_OF)
    invoices = pd.DataFrame(Invoice.objects.unrestricted().values())
    invoices["balance"] = invoices.amount_fen - invoices.paid_fen
    open_ = invoices[invoices.status == "open"]
    late = open_[(open_.due_date < AS_OF) & (open_.balance > 0)]
    overdue = {f"c{c}" for c, b in late.groupby("customer_id").balance.sum().items() if b >= 100}
    orders = pd.DataFrame(Order.objects.unrestricted().filter(status="confirmed").values())
    exposure = (
        open_.groupby("customer_id")
        .balance.sum()
        .add(orders.groupby("customer_id").amount_fen.sum(), fill_value=0)
    )
    limits = dict(
        Customer.objects.unrestricted()
        .exclude(credit_limit_fen=None)
        .values_list("pk", "credit_limit_fen")
    )
    breached = {f"c{c}" for c, limit in limits.items() if exposure.get(c, 0) > limit}
    assert overdue
    assert breached
    assert _subjects("overdue_receivable") == overdue
    assert _subjects("credit_breached") == breached
    one = Alert.objects.unrestricted().filter(kind="overdue_receivable").first()
    pk = int(one.facts["subject"][1:])
    mine = late[late.customer_id == pk]
    assert Decimal(one.facts["balance"]) == Decimal(int(mine.balance.sum())) / 100
    assert one.facts["oldest_due"] == min(mine.due_date).isoformat()


def test_no_visits_and_cross_territory_match_an_independent_computation(generated):
    analytics_services.evaluate_alerts(as_of=AS_OF)
    visits = pd.DataFrame(Visit.objects.unrestricted().filter(status="done").values())
    last = visits.groupby("customer_id").planned_date.max().to_dict()
    interval = {"A": Decimal("7.5"), "B": Decimal(30)}
    expected = set()
    for c in Customer.objects.unrestricted().exclude(tier__in=["", "C", "D"]):
        since = last.get(c.pk, dt.date(2025, 1, 1))
        if Decimal((AS_OF - since).days) > interval[c.tier] * Decimal("1.5"):
            expected.add(f"c{c.pk}")
    assert expected
    assert _subjects("no_visits") == expected
    lines = _frames()
    flagged = lines[lines.cross_territory & (lines.date >= AS_OF - dt.timedelta(days=90))]
    assert len(flagged)
    months = {f"c{c}m{m:%Y%m}" for c, m in flagged.groupby(["customer_id", "month"]).groups}
    assert _subjects("cross_territory") == months


def test_warnings_go_to_owner_and_manager_through_the_inbox_once(generated):
    personas = generated["personas"]
    with translation.override("zh-hans"):
        result = analytics_services.evaluate_alerts(as_of=AS_OF)
    zhangwei = personas["salesperson"]
    mine = Alert.objects.unrestricted().filter(owner=zhangwei, kind="overdue_receivable")
    assert mine
    assert {a.manager.username for a in mine} == {"lina"}
    message = Notification.objects.unrestricted().get(
        recipient=zhangwei, kind="analytics.alerts.raised"
    )
    raised_for_him = Alert.objects.unrestricted().filter(owner=zhangwei).count()
    assert message.title == f"{raised_for_him} 条新预警" or str(raised_for_him) in message.title
    assert message.link == "/tracking/warnings/" or message.link.endswith("/warnings/")
    assert Notification.objects.unrestricted().filter(recipient=personas["team_lead"]).exists()
    assert result.raised == Alert.objects.unrestricted().count()
    again = analytics_services.evaluate_alerts(as_of=AS_OF)
    assert (again.raised, again.cleared) == (0, 0)
    assert again.still_open == Alert.objects.unrestricted().filter(status="open").count()
    assert Notification.objects.unrestricted().filter(kind="analytics.alerts.raised").count() == (
        Notification.objects.unrestricted()
        .filter(kind="analytics.alerts.raised")
        .values("recipient")
        .distinct()
        .count()
    )  # nothing sent twice for the same warnings


def test_a_paid_invoice_clears_the_warning_with_what_changed(generated):
    analytics_services.evaluate_alerts(as_of=AS_OF)
    alert = Alert.objects.unrestricted().filter(kind="overdue_receivable").first()
    pk = int(alert.facts["subject"][1:])
    Invoice.objects.unrestricted().filter(customer_id=pk).update(
        status="paid", paid_fen=models_amount()
    )
    result = analytics_services.evaluate_alerts(as_of=AS_OF)
    alert.refresh_from_db()
    assert alert.status == "resolved"
    assert alert.resolved_by is None
    assert alert.facts["cleared"] == {"why": "paid", "balance": "0.00"}
    with translation.override("zh-hans"):
        assert "逾期" in alerts.resolution_text(alert)
    with translation.override("en"):
        assert alerts.resolution_text(alert).startswith("Nothing is overdue")
    assert result.cleared >= 1


def models_amount():
    from django.db.models import F

    return F("amount_fen")


def test_a_visit_and_a_new_purchase_clear_their_warnings(generated, personas):
    analytics_services.evaluate_alerts(as_of=AS_OF)
    unvisited = Alert.objects.unrestricted().filter(kind="no_visits").first()
    lost = Alert.objects.unrestricted().filter(kind="customer_lost").first()
    visited = int(unvisited.facts["subject"][1:])
    Visit.objects.create(owner=personas["salesperson"], customer_id=visited, planned_date=AS_OF,
                         status="done")  # fmt: skip
    back = int(lost.facts["subject"][1:])
    SalesLine.objects.create(
        line_key="BACK",
        date=AS_OF,
        month=_month(AS_OF),
        kind="sell_in",
        customer_id=back,
        product=generated["world"].cola,
        quantity_milli=1000,
        unit_price_fen=100,
        amount_fen=100,
        cost_fen=0,
        gross_profit_fen=100,
    )
    analytics_services.evaluate_alerts(as_of=AS_OF)
    unvisited.refresh_from_db()
    lost.refresh_from_db()
    assert unvisited.facts["cleared"] == {"why": "visited", "last": AS_OF.isoformat()}
    assert lost.facts["cleared"] == {"why": "bought", "last": AS_OF.isoformat()}
    assert (unvisited.status, lost.status) == ("resolved", "resolved")


def test_warnings_stay_open_when_nothing_is_visible_to_their_owner(generated, personas):
    """The owner leaving, a lost customer's history falling out of the window read, or no
    stock reader: none of these is a reason to clear."""
    analytics_services.evaluate_alerts(as_of=AS_OF)
    opened = set(Alert.objects.unrestricted().filter(status="open").values_list("key", flat=True))
    zhangwei = personas["salesperson"]
    zhangwei.is_active = False
    zhangwei.save()
    again = analytics_services.evaluate_alerts(as_of=AS_OF)
    still = set(Alert.objects.unrestricted().filter(status="open").values_list("key", flat=True))
    assert again.cleared == 0
    assert still == opened
    # Two years later a lost customer's purchases are beyond the history read: still lost.
    later = AS_OF + dt.timedelta(days=800)
    lost = set(
        Alert.objects.unrestricted()
        .filter(kind="customer_lost", status="open")
        .values_list("key", flat=True)
    )
    analytics_services.evaluate_alerts(as_of=later)
    assert lost <= set(
        Alert.objects.unrestricted().filter(status="open").values_list("key", flat=True)
    )


def test_a_resolved_warning_is_not_raised_again_for_the_same_episode(generated, personas):
    analytics_services.evaluate_alerts(as_of=AS_OF)
    alert = Alert.objects.unrestricted().filter(kind="credit_breached").first()
    analytics_services.resolve_alert(
        actor=alert.manager, alert=alert, expected_version=alert.version, resolution="已沟通"
    )
    result = analytics_services.evaluate_alerts(as_of=AS_OF)
    assert result.raised == 0
    assert (
        not Alert.objects.unrestricted()
        .filter(kind="credit_breached", status="open", facts__subject=alert.facts["subject"])
        .exists()
    )


def test_an_import_queues_one_evaluation(personas, tmp_path):
    from django_tasks_db.models import DBTaskResult

    from salescope.analytics.tasks import AFTER_IMPORT, evaluate_alerts
    from salescope.core.importing.signals import import_finished
    from salescope.core.tasks import run_pending

    import_finished.send(sender="sales_lines", actor=personas["admin"])
    import_finished.send(sender="invoices", actor=personas["admin"])
    queued = DBTaskResult.objects.filter(task_path=evaluate_alerts.module_path)
    assert queued.count() == 1
    assert queued.get().status == "READY"
    assert queued.get().run_after > timezone.now() + dt.timedelta(minutes=1)  # after the batch
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + AFTER_IMPORT):
        assert run_pending() == 1
    assert queued.get().status == "SUCCESSFUL"


def test_the_warning_list_filters_by_kind_in_chinese(generated, login_client, personas):
    analytics_services.evaluate_alerts(as_of=AS_OF)
    client = login_client(personas["team_lead"])
    page = client.get("/tracking/warnings/?kind=overdue_receivable", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert page.status_code == 200
    assert "逾期应收" in html
    shown = Alert.objects.unrestricted().filter(kind="overdue_receivable", manager__username="lina")
    assert html.count('class="list-group-item"') == min(shown.count(), 50)
    assert "信用额度" not in html.split('data-testid="alerts"')[1]


def test_a_persons_drop_clears_when_their_month_is_made_up(generated, personas):
    analytics_services.evaluate_alerts(as_of=AS_OF)
    person = personas["salesperson"]
    alert = Alert.objects.unrestricted().get(kind="sudden_drop", facts__subject=f"p{person.pk}")
    assert alert.owner == person
    assert alert.manager.username == "lina"
    expected = Decimal(alert.facts["expected"])
    SalesLine.objects.create(
        line_key="MAKEUP",
        date=dt.date(2026, 6, 30),
        month=dt.date(2026, 6, 1),
        kind="sell_in",
        customer=generated["customers"][0],
        product=generated["world"].cola,
        salesperson=person,
        region_id=person.unit_id,
        quantity_milli=1000,
        unit_price_fen=int(expected * 100),
        amount_fen=int(expected * 100),
        cost_fen=0,
        gross_profit_fen=int(expected * 100),
    )
    rollups.rebuild_all()
    analytics_services.evaluate_alerts(as_of=AS_OF)
    alert.refresh_from_db()
    assert alert.status == "resolved"
    assert alert.facts["cleared"]["why"] == "recovered"
    assert alert.facts["cleared"]["month"] == "2026-06"


def test_warnings_written_in_bulk_read_back_whole_and_each_message_is_audited(generated):
    """The first run writes its warnings in one bulk insert and its messages through
    notify_many: each warning is whole (open, routed, raised and checked at the run's time) and
    each inbox message has its audit entry, as notify would write it."""
    from salescope.core.models import AuditEntry

    result = analytics_services.evaluate_alerts(as_of=AS_OF)
    rows = list(Alert.objects.unrestricted().select_related("owner", "manager"))
    assert len(rows) == result.raised
    assert {(a.status, a.version, a.resolution, a.resolved_at) for a in rows} == {
        ("open", 1, "", None)
    }
    assert len({a.raised_at for a in rows}) == 1
    assert all(a.checked_at == a.raised_at for a in rows)
    assert all(a.manager == analytics_services.manager_of(a.owner) for a in rows)
    sent = Notification.objects.unrestricted().filter(kind="analytics.alerts.raised")
    entries = AuditEntry.objects.filter(action="notifications.notification.sent")
    assert sorted(e.changes["recipients"] for e in entries) == sorted(
        [n.recipient_id] for n in sent
    )
    assert {e.object_repr for e in entries} == {n.title for n in sent}
    again = analytics_services.evaluate_alerts(as_of=AS_OF)
    assert again.raised == 0
    assert {a.checked_at for a in Alert.objects.unrestricted()} != {rows[0].checked_at}
