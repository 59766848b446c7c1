"""The customer's part of the availability answer (H3): the catalogue answers from stock,
reservations, open orders and incoming supply without knowing customers; the ledger, which
knows customers, orders and credit, adds whether this customer's order would be held for credit
(信用冻结) and how much of the open orders are the customer's own. Registered with
``catalog.queries.register_customer_terms`` when the ledger loads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext as _

from salescope.catalog.models import Product
from salescope.core.money import from_fen, grouped
from salescope.customers import queries as customer_queries
from salescope.ledger import rules
from salescope.ledger.choices import OrderStatus
from salescope.ledger.models import OrderLine
from salescope.ledger.queries import credit_position
from salescope.org.models import User


def customer_terms(
    *, viewer: User, product: Product, customer_id: int, quantity: int, as_of: dt.date
) -> dict[str, Any]:
    """Whether an order of ``quantity`` × ``product`` (at list price) for the customer would be
    held for credit, with the reasons in words, and the customer's own open orders of it."""
    customer = customer_queries.get_customer(viewer=viewer, pk=customer_id)
    open_fen, oldest_due = credit_position(customer)
    policy_days = int(getattr(settings, "SALESCOPE_OVERDUE_POLICY_DAYS", 30))
    check = rules.credit_check(
        open_fen=open_fen,
        order_fen=quantity * product.list_price_fen,
        limit_fen=customer.credit_limit_fen,
        oldest_due=oldest_due,
        as_of=as_of,
        overdue_policy_days=policy_days,
    )
    # visibility: the customer was checked above; their orders all count, whoever entered them.
    orders = OrderLine.objects.unrestricted().filter(order__customer=customer, product=product)
    held_orders = orders.filter(order__status=OrderStatus.CREDIT_HOLD).exists()
    own = orders.filter(order__status__in=[OrderStatus.CONFIRMED, OrderStatus.CREDIT_HOLD])
    reasons = []
    if check.over_limit:
        reasons.append(
            _("Open balance with this order %(exposure)s exceeds the credit limit %(limit)s.")
            % {
                "exposure": grouped(from_fen(check.exposure_fen)),
                "limit": grouped(from_fen(check.limit_fen or 0)),
            }
        )
    if check.overdue_beyond_policy:
        reasons.append(
            _("An invoice is %(days)d days overdue (policy: %(policy)d days).")
            % {"days": check.oldest_overdue_days, "policy": policy_days}
        )
    if held_orders:
        reasons.append(_("An order of this product for the customer is on credit hold."))
    return {
        "customer_id": customer.pk,
        "customer_name": customer.name,
        "credit_hold": bool(reasons),
        "reasons": reasons,
        "own_open_orders": own.aggregate(v=Sum("quantity"))["v"] or 0,
    }
