"""Chained decomposition in one action (A3): a chain of axes with a method per step, preview,
locks kept, "the same for every part", brand and SKU levels, decomposition by forecast."""

import datetime as dt

import pytest
from django.db.models import Sum

from salescope.core.errors import ValidationFailed
from salescope.core.models import AuditEntry
from salescope.plans import forecasts, services
from salescope.plans.choices import Axis, Method, Metric
from salescope.plans.models import Target
from salescope.plans.services import CellEdit, Step

PERSON_MONTH = [Step(Axis.ORG)] * 4 + [Step(Axis.MONTH)]


def _sums_hold(plan, metric=Metric.SALES_AMOUNT):
    cells = Target.objects.unrestricted().filter(plan=plan, metric=metric)
    for parent in cells.filter(is_leaf=False):
        total = cells.filter(parent=parent).aggregate(s=Sum("value"))["s"]
        assert total == parent.value, parent.label
    root = cells.get(parent=None)
    assert cells.filter(is_leaf=True).aggregate(s=Sum("value"))["s"] == root.value


def _leaves(plan):
    return Target.objects.unrestricted().filter(plan=plan, is_leaf=True)


def test_company_year_to_every_person_and_month_in_one_action(plan, personas):
    root = plan.targets.get(parent=None)
    steps = [
        Step(Axis.ORG, Method.CUSTOM, [4, 3, 2, 1]),
        Step(Axis.ORG),
        Step(Axis.ORG),
        Step(Axis.ORG),
        Step(Axis.QUARTER),
        Step(Axis.MONTH),
    ]
    created = services.decompose_target(actor=personas["director"], target=root, steps=steps)
    _sums_hold(plan)
    leaves = _leaves(plan)
    assert created == Target.objects.unrestricted().filter(plan=plan).count() - 1
    assert set(leaves.values_list("grain", flat=True)) == {"month"}
    assert leaves.filter(person=personas["salesperson"]).count() == 12
    regions = plan.targets.filter(depth=1).order_by("position")
    assert [r.value for r in regions] == [480_000_000, 360_000_000, 240_000_000, 120_000_000]
    assert AuditEntry.objects.filter(action="plans.target.decomposed").count() == 1


def test_decomposing_again_keeps_the_typed_cells_and_still_sums_exactly(plan, personas):
    director = personas["director"]
    root = plan.targets.get(parent=None)
    services.decompose_target(actor=director, target=root, steps=PERSON_MONTH)
    mine = plan.targets.get(person=personas["salesperson"], grain="year")
    march = plan.targets.get(parent=mine, period_start=dt.date(2026, 3, 1))
    services.edit_cells(
        actor=director, parent=mine, edits=[CellEdit(march.pk, march.version, value=77_777_77)]
    )
    root.refresh_from_db()
    services.decompose_target(
        actor=director,
        target=root,
        steps=[Step(Axis.ORG, Method.CUSTOM, [1, 1, 1, 5])] + PERSON_MONTH[1:],
    )
    again = plan.targets.get(person=personas["salesperson"], period_start=dt.date(2026, 3, 1))
    assert again.value == 77_777_77
    assert again.locked
    _sums_hold(plan)


def test_the_same_chain_for_every_part_keeps_the_parts(plan, personas):
    director = personas["director"]
    root = plan.targets.get(parent=None)
    services.decompose_target(
        actor=director, target=root, steps=[Step(Axis.ORG, Method.CUSTOM, [5, 3, 1, 1])]
    )
    regions = {r.pk: r.value for r in plan.targets.filter(parent=root)}
    root.refresh_from_db()
    services.decompose_target(actor=director, target=root, steps=PERSON_MONTH[1:], each_child=True)
    assert {r.pk: r.value for r in plan.targets.filter(parent=root)} == regions
    assert _leaves(plan).filter(person=personas["other_region_salesperson"]).count() == 12
    _sums_hold(plan)


def test_the_preview_writes_nothing_and_shows_what_applying_makes(plan, personas):
    director = personas["director"]
    root = plan.targets.get(parent=None)
    before = Target.objects.unrestricted().count(), AuditEntry.objects.count()
    preview = services.preview_decomposition(actor=director, target=root, steps=PERSON_MONTH)
    assert (Target.objects.unrestricted().count(), AuditEntry.objects.count()) == before
    assert [level.axis for level in preview.levels] == ["org"] * 4 + ["month"]
    assert preview.leaves_total == root.value
    assert all(level.total == root.value for level in preview.levels)
    created = services.decompose_target(actor=director, target=root, steps=PERSON_MONTH)
    assert created == preview.cells
    firsts = [p.value for p in preview.parts]
    assert firsts == list(
        plan.targets.filter(parent=root).order_by("position").values_list("value", flat=True)
    )
    assert preview.levels[-1].cells == _leaves(plan).count()


@pytest.fixture
def catalog():
    from salescope.catalog.models import Brand, Category, Product

    frozen = Category.objects.create(code="T-FZ", name="速冻", path="")
    snacks = Category.objects.create(code="T-SN", name="休闲", path="")
    for c in (frozen, snacks):
        c.path = f"{c.pk}/"
        c.save()
    gold = Brand.objects.create(code="T-GOLD", name="金品")
    home = Brand.objects.create(code="T-HOME", name="家乡")
    products = [
        Product.objects.create(sku="T-1", name="水饺", brand=gold, category=frozen),
        Product.objects.create(sku="T-2", name="汤圆", brand=home, category=frozen),
        Product.objects.create(sku="T-3", name="薯片", brand=gold, category=snacks),
    ]
    Product.objects.create(sku="T-9", name="停售", brand=home, category=snacks, active=False)
    return {"frozen": frozen, "snacks": snacks, "gold": gold, "home": home, "products": products}


def test_region_brand_category_sku_quarter_month_in_one_action(plan, personas, catalog):
    root = plan.targets.get(parent=None)
    steps = [
        Step(Axis.ORG),
        Step(Axis.BRAND),
        Step(Axis.PRODUCT),
        Step(Axis.SKU),
        Step(Axis.QUARTER),
        Step(Axis.MONTH),
    ]
    services.decompose_target(actor=personas["director"], target=root, steps=steps)
    _sums_hold(plan)
    region = plan.targets.filter(parent=root).first()
    brands = plan.targets.filter(parent=region)
    assert set(brands.values_list("brand_id", flat=True)) == {
        catalog["gold"].pk,
        catalog["home"].pk,
    }
    gold = brands.get(brand=catalog["gold"])
    assert set(plan.targets.filter(parent=gold).values_list("category_id", flat=True)) == {
        catalog["frozen"].pk,
        catalog["snacks"].pk,
    }
    home = brands.get(brand=catalog["home"])  # sells only frozen among active SKUs
    (frozen_home,) = plan.targets.filter(parent=home)
    (sku,) = plan.targets.filter(parent=frozen_home)
    assert sku.product_id == catalog["products"][1].pk
    assert plan.targets.filter(parent=sku).count() == 4
    months = _leaves(plan).filter(product=sku.product_id, unit=region.unit_id)
    assert months.count() == 12
    assert months.aggregate(s=Sum("value"))["s"] == sku.value


def test_sku_history_splits_a_category_by_last_years_sales_of_each_sku(
    plan, personas, catalog, monkeypatch
):
    """Last year's share at SKU level comes from the ledger's lines by product."""
    from salescope.plans import history

    gold_frozen, home_frozen, _snack = catalog["products"]

    def reader(*, viewer, metric, date_from, date_to, group_by, filters=None):
        assert "product" in group_by
        seller = personas["salesperson"].pk
        rows = {
            (seller, dt.date(2025, 1, 1), catalog["frozen"].pk, gold_frozen.pk): 3_000_00,
            (seller, dt.date(2025, 2, 1), catalog["frozen"].pk, home_frozen.pk): 1_000_00,
        }
        return {k: v for k, v in rows.items() if len(group_by) == 4}

    monkeypatch.setattr(history, "_reader", reader)
    root = plan.targets.get(parent=None)
    services.decompose_target(
        actor=personas["director"],
        target=root,
        steps=[Step(Axis.PRODUCT), Step(Axis.SKU, Method.LAST_YEAR)],
    )
    frozen = plan.targets.get(parent=root, category=catalog["frozen"])
    skus = {t.product_id: t.value for t in plan.targets.filter(parent=frozen)}
    assert skus == {gold_frozen.pk: frozen.value * 3 // 4, home_frozen.pk: frozen.value // 4}


def test_by_forecast_without_forecasts_is_an_error_at_the_method(plan, personas, monkeypatch):
    monkeypatch.setattr(forecasts, "_reader", None)
    root = plan.targets.get(parent=None)
    with pytest.raises(ValidationFailed) as refused:
        services.decompose_target(
            actor=personas["director"], target=root, steps=[Step(Axis.MONTH, Method.FORECAST)]
        )
    assert refused.value.code == "target_no_forecast"
    assert list(refused.value.fields) == ["method"]
    assert not plan.targets.filter(parent=root).exists()


def test_by_forecast_follows_the_forecast_months(plan, personas, monkeypatch):
    seller = personas["salesperson"].pk

    def reader(*, metric, date_from, date_to, group_by, filters=None):
        assert (date_from, date_to) == (dt.date(2026, 1, 1), dt.date(2026, 12, 1))
        return {(seller, dt.date(2026, m, 1), None): 100_00 * m for m in (6, 7)}

    monkeypatch.setattr(forecasts, "_reader", reader)
    root = plan.targets.get(parent=None)
    services.decompose_target(
        actor=personas["director"], target=root, steps=[Step(Axis.MONTH, Method.FORECAST)]
    )
    months = {t.period_start.month: t.value for t in plan.targets.filter(parent=root) if t.value}
    assert set(months) == {6, 7}  # the forecast months, 6 : 7, to the fen
    assert sum(months.values()) == root.value
    assert abs(months[6] * 13 - root.value * 6) < 13
    assert root.__class__.objects.unrestricted().get(pk=root.pk).method == Method.FORECAST


def test_the_chain_form_previews_then_applies_in_one_action(plan, personas, login_client):
    director = login_client(personas["director"])
    root = plan.targets.get(parent=None)
    form = {
        "axis": "org",
        "method": "custom",
        "weights": "4,3,2,1",
        "then_by": "org",
        "method_2": "equal",
        "axis_3": "org",
        "axis_4": "org",
        "axis_5": "month",
        "version": root.version,
    }
    url = f"/plans/targets/{root.pk}/decompose/"
    shown = director.post(url, {**form, "preview": "1"})
    assert shown.status_code == 200
    assert 'data-testid="decompose-preview"' in shown.content.decode()
    assert not plan.targets.filter(parent=root).exists()
    assert director.post(url, form).status_code == 302
    _sums_hold(plan)
    assert _leaves(plan).filter(person=personas["salesperson"], grain="month").count() == 12


def test_the_form_shows_a_forecast_refusal_at_the_method(plan, personas, login_client, monkeypatch):
    monkeypatch.setattr(forecasts, "_reader", None)
    director = login_client(personas["director"])
    root = plan.targets.get(parent=None)
    page = director.post(
        f"/plans/targets/{root.pk}/decompose/",
        {
            "axis": "org",
            "method": "equal",
            "then_by": "month",
            "method_2": "forecast",
            "version": root.version,
            "preview": "1",
        },
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="chain-step-2"' in html
    step_2 = html.split('data-testid="chain-step-2"')[1].split("data-testid=")[0]
    assert "invalid-feedback" in step_2


def test_the_api_previews_and_applies_the_same_for_every_part(plan, personas, api_client):
    client = api_client(personas["director"])
    root = plan.targets.get(parent=None)
    services.decompose_target(actor=personas["director"], target=root, steps=[Step(Axis.ORG)])
    root.refresh_from_db()
    body = {
        "steps": [{"axis": "org"}, {"axis": "org"}, {"axis": "org"}, {"axis": "month"}],
        "each_child": True,
    }
    preview = client.post(
        f"/api/v1/targets/{root.pk}/decompose/preview", body, content_type="application/json"
    )
    assert preview.status_code == 200, preview.content
    data = preview.json()
    assert data["levels"][0]["axis"] == "org"
    applied = client.post(
        f"/api/v1/targets/{root.pk}/decompose",
        {**body, "version": root.version},
        content_type="application/json",
    )
    assert applied.status_code == 200, applied.content
    assert applied.json()["cells_created"] == data["cells"]
    _sums_hold(plan)
