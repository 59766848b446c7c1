"""The warnings read from the ledger, customers and field activity (B2): sudden drop, no
visits, overdue receivable, credit limit breached, customer lost, cross-territory sale and
stock-out risk. Part of :func:`salescope.analytics.services.evaluate_alerts`.

Each check reads set-based (one aggregate per kind over the whole company, never a query per
# visibility: the system evaluates warnings over every record (B2)
customer), as the system (``.unrestricted()``: a warning never clears because someone could
not see its data), asks the pure rule in :mod:`salescope.analytics.alert_rules`, and hands
what it found to the raiser. Then it settles its open warnings not found again: cleared with
facts of what changed (paid, visited, bought again…), or kept open when the check cannot tell
(a customer's history out of the window read).

Warnings about a customer go to the customer's owner and their manager; keys are
``kind:subject:episode`` — the subject (``c12`` a customer, ``p7`` a person) keeps one open
warning per subject and kind, refreshed each day; the episode (a month, a due date, the last
purchase) decides whether a warning a person resolved comes back.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from decimal import Decimal
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connections
from django.db.models import Count, DateField, F, Func, Max, Min, Q, Sum
from django.urls import reverse
from django.utils import timezone

from salescope.activities.choices import VisitStatus
from salescope.activities.models import CoverageRule, Visit
from salescope.analytics import alert_rules as rules
from salescope.analytics.choices import AlertKind
from salescope.analytics.models import Alert
from salescope.core.money import from_fen
from salescope.core.roles import Role
from salescope.customers.models import Customer
from salescope.ledger.choices import InvoiceStatus, LineKind, OrderStatus
from salescope.ledger.models import Invoice, Order, PersonRollup, SalesLine
from salescope.org.models import User

if TYPE_CHECKING:
    from salescope.analytics.services import _Raiser

CHUNK = 5_000  # ids per IN (…) list

# Readers of stock-out risks: the forecasting app's demand vs stock (H4), registered by
# ``AnalyticsConfig.ready`` through :func:`forecast_stock_risks`; tests may register their own.
_STOCK_RISKS: list[Callable[..., Iterable[Any]]] = []


def register_stock_risks(reader: Callable[..., Iterable[Any]]) -> None:
    """Offer ``reader(as_of=date)`` → rows with ``product_id``, ``product``, ``stock_out``
    (date or None), ``gap`` (units short), ``owner_id`` (who answers for it)."""
    if reader not in _STOCK_RISKS:
        _STOCK_RISKS.append(reader)


def forecast_stock_risks(*, as_of: dt.date) -> list[SimpleNamespace]:
    """The stock-outs forecasting projects (demand vs stock, H4), one per product: the warehouse
    that runs out first. They go to the product manager (marketing, who keeps the catalogue),
    or to the sales director where the company has none."""
    from salescope.forecasting.queries import first_stock_outs

    owner_id = _product_manager_id()
    link = reverse("forecasting:stock")
    return [
        SimpleNamespace(
            product_id=risk.product.pk,
            product=f"{risk.product} · {risk.warehouse}",
            stock_out=risk.date,
            gap=risk.gap,
            owner_id=owner_id,
            link=link,
        )
        for risk in first_stock_outs(as_of=as_of)
        if risk.date is not None
    ]


def _product_manager_id() -> int | None:
    # visibility: the system evaluates warnings over every record (B2)
    people = User.objects.unrestricted().filter(is_active=True)
    for role in (Role.MARKETING, Role.SALES_DIRECTOR, Role.ADMINISTRATOR):
        pk = people.filter(role=role).order_by("pk").values_list("pk", flat=True).first()
        if pk is not None:
            return pk
    return None


def thresholds() -> rules.Thresholds:
    """The thresholds in force: defaults with ``settings.SALESCOPE_ALERT_THRESHOLDS`` over them."""
    return rules.Thresholds.from_overrides(getattr(settings, "SALESCOPE_ALERT_THRESHOLDS", None))


def _yuan(fen: int | None) -> str:
    return str(from_fen(fen or 0))


def chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _customer_subject(alert: Alert) -> int | None:
    subject = str((alert.facts or {}).get("subject", ""))
    digits = subject[1:].split("m", 1)[0]
    return int(digits) if subject.startswith("c") and digits.isdigit() else None


class Customers:
    """The customers a check needs (owner, name, state), read in chunks, once per run."""

    def __init__(self) -> None:
        self.rows: dict[int, dict[str, Any]] = {}

    def load(self, ids: Iterable[int | None]) -> None:
        wanted = sorted({i for i in ids if i is not None and i not in self.rows})
        for chunk in chunks(wanted):
            for row in (
                # visibility: the system evaluates warnings over every record (B2)
                Customer.objects.unrestricted()
                .filter(pk__in=chunk)
                .values(
                    "pk",
                    "code",
                    "name",
                    "owner_id",
                    "status",
                    "deleted_at",
                    "merged_into_id",
                    "tier",
                    "credit_limit_fen",
                )
            ):
                self.rows[row["pk"]] = row

    def gone(self, pk: int | None) -> bool:
        """Archived, deleted or merged away: nothing more to warn of."""
        row = self.rows.get(pk or 0)
        return row is None or bool(
            row["deleted_at"] or row["merged_into_id"] or row["status"] != "active"
        )

    def label(self, pk: int) -> str:
        row = self.rows.get(pk)
        return Customer.label(row["name"], row["code"]) if row else str(pk)


_PLACEHOLDER = 987654321


@functools.cache
def _path(name: str) -> str:
    """A URL pattern's path with a placeholder id, resolved once (not once per warning)."""
    return reverse(name, args=[_PLACEHOLDER])


def _link(pk: int, name: str = "customers:detail") -> str:
    return _path(name).replace(str(_PLACEHOLDER), str(pk))


def _open_of(raiser: _Raiser, kind: str) -> list[Alert]:
    return [a for a in raiser.open.values() if a.kind == kind]


def _settle_customers(
    raiser: _Raiser,
    kind: str,
    customers: Customers,
    verdict: Callable[[Alert, int], dict[str, Any] | None],
) -> None:
    """Open warnings of ``kind`` about customers not found again: a customer gone clears it
    (archived, merged), else ``verdict`` says what changed (or None: keep it open)."""
    stale = [
        a
        for a in _open_of(raiser, kind)
        if a.key not in raiser.result.seen and _customer_subject(a) is not None
    ]  # warnings about people (a person's sudden drop) are settled by their own check
    customers.load(_customer_subject(a) for a in stale)
    for alert in stale:
        pk = _customer_subject(alert) or 0
        if customers.gone(pk):
            raiser.clear(alert, {"why": "customer_gone"})
        else:
            cleared = verdict(alert, pk)
            if cleared is None:
                raiser.keep(alert)
            else:
                raiser.clear(alert, cleared)


def _raise_for_customer(  # noqa: PLR0913 - one warning's whole context
    raiser: _Raiser,
    customers: Customers,
    *,
    kind: str,
    pk: int,
    episode: str,
    facts: dict[str, Any],
    fallback_owner: int | None = None,
    subject: str | None = None,
    link: str | None = None,
) -> None:
    row = customers.rows.get(pk)
    subject = subject or f"c{pk}"
    owner_id = (row or {}).get("owner_id") or fallback_owner
    raiser.raise_(
        key=f"{kind}:{subject}:{episode}",
        kind=kind,
        owner=raiser.person(owner_id),
        plan=None,
        link=link or _link(pk),
        subject=subject,
        facts={**facts, "subject": subject, "customer": customers.label(pk)},
    )


# --- sudden drop and customer lost (one read of the sales history) --------------------------


def _months(as_of: dt.date) -> dict[str, Any]:
    month = rules.last_complete_month(as_of)
    return {
        "month": month,
        "recent": (rules.add_months(month, -3), rules.add_months(month, -1)),
        "year_ago": rules.add_months(month, -12),
        "base": (rules.add_months(month, -15), rules.add_months(month, -13)),
    }


def _season_sums(m: dict[str, Any]) -> dict[str, Any]:
    return {
        "actual": Sum("amount_fen", filter=Q(month=m["month"])),
        "recent": Sum("amount_fen", filter=Q(month__range=m["recent"])),
        "year_ago": Sum("amount_fen", filter=Q(month=m["year_ago"])),
        "base": Sum("amount_fen", filter=Q(month__range=m["base"])),
    }


def customer_history(as_of: dt.date, limits: rules.Thresholds) -> list[dict[str, Any]]:
    """Per customer (``cid``) with sell-in in the window: first and last purchase, distinct
    purchase days, and the four sums the seasonal expectation of the last complete month
    needs."""
    return list(customer_history_query(as_of, limits))


def customer_history_query(as_of: dt.date, limits: rules.Thresholds) -> Any:
    m = _months(as_of)
    start = min(rules.add_months(as_of.replace(day=1), -limits.history_months), m["base"][0])
    lines = SalesLine.objects.unrestricted()  # visibility: the system evaluates warnings (B2)
    until: Any = F("date")
    if connections[lines.db].vendor == "sqlite":
        # "+date" (a no-op) keeps SQLite off the date index: "date ≤ as_of" holds for nearly
        # every line, and walking that index fetches each line at random (2.5 times the CPU
        # of reading the months asked in order through the month index).
        until = Func(F("date"), template="+%(expressions)s", output_field=DateField())
    return (
        lines.alias(until=until)
        .filter(kind=LineKind.SELL_IN, month__gte=start, until__lte=as_of)
        # Grouped by an expression, not the column: SQLite would otherwise walk the customer
        # index and fetch every line at random (at 10M lines, most of the time); this way it
        # scans the months read in order and sorts the groups. PostgreSQL hashes either way.
        .values(cid=F("customer") + 0)
        .annotate(
            first=Min("date"),
            last=Max("date"),
            days=Count("date", distinct=True),
            **_season_sums(m),
        )
        .order_by()
    )


def _drop_facts(month: dt.date, drop: rules.Drop, limits: rules.Thresholds) -> dict[str, Any]:
    return {
        "month": month.strftime("%Y-%m"),
        "actual": _yuan(drop.actual_fen),
        "expected": _yuan(drop.expected_fen),
        "shortfall": str((drop.shortfall * 100).quantize(Decimal("0.1"))),
        "threshold": str((limits.drop_share * 100).quantize(Decimal("0.1"))),
    }


def _drop_of(row: dict[str, Any], limits: rules.Thresholds) -> tuple[int, int, rules.Drop | None]:
    expected = rules.seasonal_expectation(
        recent_fen=row["recent"] or 0,
        year_ago_fen=row["year_ago"] or 0,
        year_ago_base_fen=row["base"] or 0,
    )
    actual = row["actual"] or 0
    return (
        actual,
        expected,
        rules.sudden_drop(actual_fen=actual, expected_fen=expected, limits=limits),
    )


def check_sales_history(
    raiser: _Raiser, customers: Customers, as_of: dt.date, limits: rules.Thresholds
) -> None:
    """Sudden drops of customers and of people, and customers lost."""
    history = customer_history(as_of, limits)
    month = rules.last_complete_month(as_of)
    found_lost: dict[int, rules.Lapse] = {}
    found_drop: dict[int, rules.Drop] = {}
    state: dict[int, dict[str, Any]] = {}
    for row in history:
        pk = row["cid"]
        state[pk] = row
        lapse = rules.customer_lost(
            first=row["first"],
            last=row["last"],
            purchase_days=row["days"],
            as_of=as_of,
            limits=limits,
        )
        if lapse is not None:
            found_lost[pk] = lapse
            continue  # a lost customer is one warning, not a drop every month as well
        drop = _drop_of(row, limits)[2]
        if drop is not None:
            found_drop[pk] = drop
    customers.load([*found_lost, *found_drop])
    for pk, lapse in found_lost.items():
        if customers.gone(pk):
            continue
        last = state[pk]["last"]
        _raise_for_customer(
            raiser,
            customers,
            kind=AlertKind.CUSTOMER_LOST,
            pk=pk,
            episode=last.isoformat(),
            facts={
                "last": last.isoformat(),
                "usual": str(lapse.usual),
                "multiple": str(limits.lost_multiple),
            },
        )
    for pk, drop in found_drop.items():
        if customers.gone(pk):
            continue
        _raise_for_customer(
            raiser,
            customers,
            kind=AlertKind.SUDDEN_DROP,
            pk=pk,
            episode=month.strftime("%Y-%m"),
            facts=_drop_facts(month, drop, limits),
        )

    def lost_verdict(alert: Alert, pk: int) -> dict[str, Any] | None:
        row = state.get(pk)
        if row is None:
            return None  # no purchase in the window read: still lost, as far as we know
        if row["last"].isoformat() != alert.facts.get("last"):
            return {"why": "bought", "last": row["last"].isoformat()}
        return None

    def drop_verdict(alert: Alert, pk: int) -> dict[str, Any] | None:
        if pk in found_lost:
            return {"why": "now_lost"}
        row = state.get(pk, {"recent": 0, "year_ago": 0, "base": 0, "actual": 0})
        actual, expected, _drop = _drop_of(row, limits)
        return {"why": "recovered", "month": month.strftime("%Y-%m"), "actual": _yuan(actual),
                "expected": _yuan(expected)}  # fmt: skip

    _settle_customers(raiser, AlertKind.CUSTOMER_LOST, customers, lost_verdict)
    _settle_customers(raiser, AlertKind.SUDDEN_DROP, customers, drop_verdict)
    _check_people_drops(raiser, as_of, limits)


def _check_people_drops(raiser: _Raiser, as_of: dt.date, limits: rules.Thresholds) -> None:
    """A salesperson's month below their own seasonal expectation (from the month rollup)."""
    m = _months(as_of)
    month = m["month"]
    rows = list(
        # visibility: the system evaluates warnings over every record (B2)
        PersonRollup.objects.unrestricted()
        .filter(kind=LineKind.SELL_IN, month__gte=m["base"][0], month__lte=month)
        .exclude(salesperson=None)
        .values("salesperson_id")
        .annotate(**_season_sums(m))
        .order_by()
    )
    state = {row["salesperson_id"]: row for row in rows}
    link_month = month.strftime("%Y-%m")
    for pk, row in state.items():
        drop = _drop_of(row, limits)[2]
        person = raiser.person(pk)
        if drop is None or person is None:
            continue
        subject = f"p{pk}"
        raiser.raise_(
            key=f"{AlertKind.SUDDEN_DROP}:{subject}:{link_month}",
            kind=AlertKind.SUDDEN_DROP,
            owner=person,
            plan=None,
            link=reverse("analytics:drill") + f"?person={pk}&month={link_month}",
            subject=subject,
            facts={
                **_drop_facts(month, drop, limits),
                "subject": subject,
                "person": person.display_name,
            },  # fmt: skip
        )
    for alert in _open_of(raiser, AlertKind.SUDDEN_DROP):
        subject = str(alert.facts.get("subject", ""))
        if alert.key in raiser.result.seen or not subject.startswith("p"):
            continue
        row = state.get(int(subject[1:]), {"recent": 0, "year_ago": 0, "base": 0, "actual": 0})
        actual, expected, _drop = _drop_of(row, limits)
        raiser.clear(alert, {"why": "recovered", "month": link_month, "actual": _yuan(actual),
                             "expected": _yuan(expected)})  # fmt: skip


# --- no visits ------------------------------------------------------------------------------


def _visited(q: Q) -> Q:
    return q & (Q(status=VisitStatus.DONE) | Q(checked_in_at__isnull=False))


def check_visits(
    raiser: _Raiser, customers: Customers, as_of: dt.date, limits: rules.Thresholds
) -> None:
    """Customers of a tier with a coverage rule not visited within its interval × grace."""
    coverage: dict[str, Decimal] = {}
    # visibility: the system evaluates warnings over every record (B2)
    for rule in CoverageRule.objects.unrestricted():
        interval = rules.coverage_interval_days(rule.visits, rule.period)
        if interval is not None:
            coverage[rule.tier] = interval
    last_visit = dict(
        # visibility: the system evaluates warnings over every record (B2)
        Visit.objects.unrestricted()
        .filter(_visited(Q(planned_date__lte=as_of)))
        .values_list("customer_id")
        .annotate(last=Max("planned_date"))
        .order_by()
    )
    zone = timezone.get_current_timezone()
    candidates = (
        # visibility: the system evaluates warnings over every record (B2)
        Customer.objects.unrestricted()
        .filter(tier__in=list(coverage), status="active", deleted_at=None, merged_into=None)
        .values_list("pk", "tier", "created_at")
        .iterator(chunk_size=CHUNK)
    )
    found: dict[int, dict[str, Any]] = {}
    for pk, tier, created in candidates:
        last = last_visit.get(pk)
        days = rules.days_unvisited(
            last_visit=last,
            known_since=created.astimezone(zone).date(),
            as_of=as_of,
            interval_days=coverage[tier],
            limits=limits,
        )
        if days is not None:
            found[pk] = {
                "last": last.isoformat() if last else None,
                "tier": tier,
                "interval": str(coverage[tier].quantize(Decimal("0.1"))),
                "grace": str(limits.visit_grace),
            }
    customers.load(found)
    for pk, facts in found.items():
        _raise_for_customer(
            raiser,
            customers,
            kind=AlertKind.NO_VISITS,
            pk=pk,
            episode=facts["last"] or "never",
            facts=facts,
        )

    def verdict(alert: Alert, pk: int) -> dict[str, Any] | None:
        last = last_visit.get(pk)
        if last is not None and last.isoformat() != alert.facts.get("last"):
            return {"why": "visited", "last": last.isoformat()}
        tier = customers.rows[pk]["tier"]
        if tier not in coverage:
            return {"why": "no_rule", "tier": tier}
        return {"why": "within", "last": last.isoformat() if last else None}

    _settle_customers(raiser, AlertKind.NO_VISITS, customers, verdict)


# --- receivables and credit -----------------------------------------------------------------


def _balance() -> Any:
    return Sum(F("amount_fen") - F("paid_fen"))


def check_receivables(
    raiser: _Raiser, customers: Customers, as_of: dt.date, limits: rules.Thresholds
) -> None:
    """Customers with an open balance past due by ``overdue_days`` or more."""
    overdue = (
        # visibility: the system evaluates warnings over every record (B2)
        Invoice.objects.unrestricted()
        .filter(
            status=InvoiceStatus.OPEN,
            due_date__lte=rules.overdue_cutoff(as_of, limits),
            issue_date__lte=as_of,
            amount_fen__gt=F("paid_fen"),
        )
        .values("customer_id")
        .annotate(balance=_balance(), count=Count("id"), oldest=Min("due_date"), owner=Max("owner"))
        .order_by()
    )
    found = {}
    for row in overdue:
        days = rules.receivable_overdue(
            balance_fen=row["balance"], oldest_due=row["oldest"], as_of=as_of, limits=limits
        )
        if days is not None:
            found[row["customer_id"]] = row
    customers.load(found)
    for pk, row in found.items():
        _raise_for_customer(
            raiser,
            customers,
            kind=AlertKind.OVERDUE_RECEIVABLE,
            pk=pk,
            episode=row["oldest"].isoformat(),
            fallback_owner=row["owner"],
            facts={
                "balance": _yuan(row["balance"]),
                "count": row["count"],
                "oldest_due": row["oldest"].isoformat(),
            },
        )
    stale = [
        _customer_subject(a)
        for a in _open_of(raiser, AlertKind.OVERDUE_RECEIVABLE)
        if a.key not in raiser.result.seen
    ]
    now_overdue: dict[int, int] = {}
    for chunk in chunks(sorted({pk for pk in stale if pk is not None})):
        now_overdue.update(
            # visibility: the system evaluates warnings over every record (B2)
            Invoice.objects.unrestricted()
            .filter(
                customer_id__in=chunk,
                status=InvoiceStatus.OPEN,
                due_date__lt=as_of,
                amount_fen__gt=F("paid_fen"),
            )
            .values_list("customer_id")
            .annotate(balance=_balance())
            .order_by()
        )

    def verdict(alert: Alert, pk: int) -> dict[str, Any]:
        return {"why": "paid", "balance": _yuan(now_overdue.get(pk, 0))}

    _settle_customers(raiser, AlertKind.OVERDUE_RECEIVABLE, customers, verdict)


def exposures(pks: list[int] | None = None) -> dict[int, int]:
    """Open invoice balance plus confirmed uninvoiced orders of each customer with a credit
    limit (fen): what ``ledger.queries.credit_position`` weighs, for all of them at once."""
    scope = Q(customer__credit_limit_fen__isnull=False) if pks is None else Q(customer_id__in=pks)
    owed: dict[int, int] = dict(
        # visibility: the system evaluates warnings over every record (B2)
        Invoice.objects.unrestricted()
        .filter(scope, status=InvoiceStatus.OPEN)
        .values_list("customer_id")
        .annotate(v=_balance())
        .order_by()
    )
    for pk, amount in (
        # visibility: the system evaluates warnings over every record (B2)
        Order.objects.unrestricted()
        .filter(scope, status=OrderStatus.CONFIRMED)
        .values_list("customer_id")
        .annotate(v=Sum("amount_fen"))
        .order_by()
    ):
        owed[pk] = owed.get(pk, 0) + (amount or 0)
    return owed


def check_credit(
    raiser: _Raiser, customers: Customers, as_of: dt.date, limits: rules.Thresholds
) -> None:
    """Customers whose exposure is above their credit limit (beyond the tolerance)."""
    owed = exposures()
    limited = dict(
        # visibility: the system evaluates warnings over every record (B2)
        Customer.objects.unrestricted()
        .filter(credit_limit_fen__isnull=False, status="active", deleted_at=None)
        .values_list("pk", "credit_limit_fen")
    )
    found = {
        pk: (owed.get(pk, 0), limit)
        for pk, limit in limited.items()
        if rules.credit_breached(exposure_fen=owed.get(pk, 0), limit_fen=limit, limits=limits)
    }
    customers.load(found)
    for pk, (exposure, limit) in found.items():
        _raise_for_customer(
            raiser,
            customers,
            kind=AlertKind.CREDIT_BREACHED,
            pk=pk,
            episode=as_of.strftime("%Y-%m"),
            facts={"exposure": _yuan(exposure), "limit": _yuan(limit)},
            link=_link(pk, "customers:credit-terms"),
        )

    def verdict(alert: Alert, pk: int) -> dict[str, Any]:
        limit = customers.rows[pk]["credit_limit_fen"]
        if limit is None:
            return {"why": "no_limit"}
        return {"why": "within", "exposure": _yuan(owed.get(pk, 0)), "limit": _yuan(limit)}

    _settle_customers(raiser, AlertKind.CREDIT_BREACHED, customers, verdict)


# --- cross-territory sale (窜货) -------------------------------------------------------------


def check_cross_territory(
    raiser: _Raiser, customers: Customers, as_of: dt.date, limits: rules.Thresholds
) -> None:
    """Sell-through lines reported outside the dealer's sales area (the import flags them,
    ``SalesLine.cross_territory``) in the last ``cross_days`` days: one warning per dealer and
    month. A month's warning clears only if its lines are no longer flagged (data corrected);
    older months stay until a person resolves them."""
    since = as_of - dt.timedelta(days=limits.cross_days)
    rows = list(
        # visibility: the system evaluates warnings over every record (B2)
        SalesLine.objects.unrestricted()
        .filter(cross_territory=True, date__gte=since, date__lte=as_of)
        .values("customer_id", "month")
        .annotate(
            lines=Count("id"),
            amount=Sum("amount_fen"),
            place=Max("sale_location"),
            last=Max("date"),
            person=Max("salesperson"),
        )
        .order_by()
    )
    customers.load(row["customer_id"] for row in rows)
    seen_months: set[tuple[int, str]] = set()
    link = reverse("ledger:cross-territory")
    for row in rows:
        pk, month = row["customer_id"], row["month"].strftime("%Y-%m")
        seen_months.add((pk, month))
        if customers.gone(pk):
            continue
        subject = f"c{pk}m{month.replace('-', '')}"
        _raise_for_customer(
            raiser,
            customers,
            kind=AlertKind.CROSS_TERRITORY,
            pk=pk,
            episode=month,
            subject=subject,
            fallback_owner=row["person"],
            link=link,
            facts={
                "month": month,
                "lines": row["lines"],
                "amount": _yuan(row["amount"]),
                "place": row["place"],
                "last": row["last"].isoformat(),
            },
        )

    def verdict(alert: Alert, pk: int) -> dict[str, Any] | None:
        month = str(alert.facts.get("month", ""))
        if month < since.strftime("%Y-%m"):
            return None  # before the window read: a person resolves it
        return {"why": "unflagged", "month": month}

    _settle_customers(raiser, AlertKind.CROSS_TERRITORY, customers, verdict)


# --- stock-out risk -------------------------------------------------------------------------


def check_stock(raiser: _Raiser, as_of: dt.date, limits: rules.Thresholds) -> bool:
    """Products projected to run out within ``stock_weeks``, from the registered reader (the
    forecasting app); without one nothing is evaluated and nothing clears."""
    if not _STOCK_RISKS:
        return False
    found: dict[int, Any] = {}
    for reader in _STOCK_RISKS:
        for risk in reader(as_of=as_of):
            stock_out = getattr(risk, "stock_out", None)
            if rules.stock_out_soon(stock_out_date=stock_out, as_of=as_of, limits=limits):
                found[risk.product_id] = risk
    for pk, risk in found.items():
        subject = f"sku{pk}"
        raiser.raise_(
            key=f"{AlertKind.STOCK_OUT}:{subject}:{risk.stock_out:%Y-%m}",
            kind=AlertKind.STOCK_OUT,
            owner=raiser.person(getattr(risk, "owner_id", None)),
            plan=None,
            link=str(getattr(risk, "link", "") or "/"),
            subject=subject,
            facts={
                "subject": subject,
                "product": str(getattr(risk, "product", pk)),
                "stock_out": risk.stock_out.isoformat(),
                "gap": str(getattr(risk, "gap", "")),
            },
        )
    for alert in _open_of(raiser, AlertKind.STOCK_OUT):
        if alert.key not in raiser.result.seen:
            raiser.clear(alert, {"why": "stocked"})
    return True


def people_of(ids: Iterable[int | None]) -> dict[int, User]:
    wanted = sorted({i for i in ids if i})
    found: dict[int, User] = {}
    for chunk in chunks(wanted):
        # visibility: the system evaluates warnings over every record (B2)
        found.update({u.pk: u for u in User.objects.unrestricted().filter(pk__in=chunk)})
    return found
