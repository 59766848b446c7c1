"""The parts of a cell along one axis: which units, people, categories, brands, SKUs, key
customers, quarters or months a step splits it into."""

from __future__ import annotations

from typing import Any

from salescope.core.periods import company_calendar, month_end, months_between
from salescope.plans.choices import Axis, Grain
from salescope.plans.models import Dim, Target
from salescope.plans.services.targets.context import Spec, Step, _Context


def _specs(ctx: _Context, cell: Target, step: Step) -> list[Spec]:
    base: dict[str, Any] = {
        "unit_id": cell.unit_id,
        "person_id": cell.person_id,
        "category_id": cell.category_id,
        "customer_id": cell.customer_id,
        "start": cell.period_start,
        "end": cell.period_end,
        "grain": cell.grain,
        "brand_id": cell.brand_id,
        "product_id": cell.product_id,
    }
    members = set(step.members) if step.members else None
    if step.axis == Axis.ORG:
        if cell.person_id:
            return []
        ctx.load_org()
        units = [u for u in ctx.child_units.get(cell.unit_id or 0, []) if u.pk in ctx.units]
        if units:
            return [
                Spec(**{**base, "unit_id": u.pk}, unit_path=u.path)
                for u in units
                if members is None or u.pk in members
            ]
        team = cell.unit_id or 0
        return [
            Spec(**{**base, "person_id": p.pk}, unit_path=ctx.units[team].path)
            for p in ctx.people_by_unit.get(team, [])
            if members is None or p.pk in members
        ]
    if step.axis == Axis.PRODUCT:
        if cell.product_id:
            return []
        ctx.load_categories()
        unit_id, person_id, customer_id = cell.unit_id, cell.person_id, cell.customer_id
        start, end, grain = cell.period_start, cell.period_end, cell.grain
        categories = ctx.categories.get(cell.category_id, [])
        if cell.brand_id:  # under a brand: the categories it sells in
            paths = {p.category_path for p in ctx.products_in(cell.category_id, cell.brand_id)}
            categories = [c for c in categories if any(p.startswith(c.path) for p in paths)]
        if cell.brand_id:
            return [
                Spec(**{**base, "category_id": c.pk}, category_path=c.path)
                for c in categories
                if members is None or c.pk in members
            ]
        return [  # positional: the leaf level of a big plan makes 300k of these
            Spec(unit_id, person_id, c.pk, customer_id, start, end, grain, "", c.path)
            for c in categories
            if members is None or c.pk in members
        ]
    if step.axis == Axis.BRAND:
        if cell.brand_id or cell.product_id:
            return []
        products = ctx.products_in(cell.category_id, None)
        selling = {p.brand_id for p in products if p.brand_id}
        return [
            Spec(**{**base, "brand_id": b})
            for b in ctx.brands
            if b in selling and (members is None or b in members)
        ]
    if step.axis == Axis.SKU:
        if cell.product_id:
            return []
        return [
            Spec(
                **{
                    **base,
                    "product_id": p.pk,
                    "brand_id": p.brand_id or cell.brand_id,
                    "category_id": cell.category_id or p.category_id,
                }
            )
            for p in ctx.products_in(cell.category_id, cell.brand_id)
            if members is None or p.pk in members
        ]
    if step.axis == Axis.CUSTOMER:
        if cell.customer_id or not members:
            return []
        from salescope.customers.models import Customer

        customers = Customer.objects.unrestricted().filter(pk__in=members).order_by("code")
        specs = [Spec(**{**base, "customer_id": c.pk}) for c in customers]
        return [*specs, Spec(**base)]  # the rest: everyone but the key customers
    if step.axis == Axis.QUARTER and cell.grain == Grain.YEAR:
        calendar = company_calendar()
        year = calendar.year_of(cell.period_start)
        return [
            Spec(
                **{**base, "start": m[0], "end": month_end(m[-1]), "grain": Grain.QUARTER}, months=m
            )
            for m in (calendar.months_of_quarter(year, q) for q in range(1, 5))
            if m[0] >= cell.period_start and m[-1] <= cell.period_end
        ]
    if step.axis == Axis.MONTH and cell.grain != Grain.MONTH:
        return [
            Spec(**{**base, "start": m, "end": month_end(m), "grain": Grain.MONTH}, months=[m])
            for m in months_between(cell.period_start, cell.period_end)
        ]
    return []


def _new_cells(ctx: _Context, cell: Target, step: Step, specs: list[Spec]) -> list[Target]:
    """The parts of ``cell`` that get parts of their own (values set once the whole chain is
    split; the parent's id once it is saved)."""
    customer_axis = step.axis == Axis.CUSTOMER or bool(cell.dims & Dim.CUSTOMER)
    return [
        Target(
            plan_id=cell.plan_id,
            metric=cell.metric,
            parent_id=cell.pk,
            axis=step.axis,
            depth=cell.depth + 1,
            position=i,
            unit_id=s.unit_id,
            person_id=s.person_id,
            category_id=s.category_id,
            brand_id=s.brand_id,
            product_id=s.product_id,
            customer_id=s.customer_id,
            period_start=s.start,
            period_end=s.end,
            grain=s.grain,
            dims=ctx.dims_of(
                s.unit_id,
                s.person_id,
                s.category_id,
                s.customer_id,
                s.grain,
                customer_axis,
                s.brand_id,
                s.product_id,
            ),
            parent_dims=cell.dims,
        )
        for i, s in enumerate(specs)
    ]
