"""Next quarter's forecast against the plan (H5, issue 18: "a director sees next quarter's
forecast against the plan"). The plan is the approved one; before it is approved (December, for
next year's first quarter) the plan being negotiated stands in, labelled with its status. The
per-category plan comes from the plan's first split by product category, wherever in the chain
that split is (directly under the company, or under the regions)."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.utils import translation

from salescope.catalog.models import Category
from salescope.forecasting import queries, views
from salescope.org.models import OrgUnit
from salescope.plans import services
from salescope.plans.choices import Axis, Metric, PlanStatus
from salescope.plans.services import Step

AS_OF = dt.date(2026, 8, 20)  # next quarter: 2026 Q4, inside the fitted horizon


def _plan(personas, steps, *, approve: bool, name: str = "2026年度销售计划"):
    director = personas["director"]
    plan = services.create_plan(
        actor=director,
        name=name,
        fiscal_year=2026,
        scope_unit=OrgUnit.objects.unrestricted().get(code="HQ"),
        deadline=dt.date(2026, 1, 15),
        sections={},
    )
    root = services.set_plan_target(
        actor=director, plan=plan, metric=Metric.SALES_AMOUNT, value=12_000_000_00
    )
    services.decompose_target(actor=director, target=root, steps=steps)
    if approve:
        for action in ("submit", "start_review", "approve"):
            plan.refresh_from_db()
            services.transition_plan(
                actor=director, plan=plan, action=action, expected_version=plan.version
            )
    return plan


def _drink(data, history):
    return next(c for c in data["next"]["categories"] if c["category"] == history["category"].pk)


def test_the_approved_plan_split_by_category_stands_beside_the_forecast(fitted, history, personas):
    _plan(personas, [Step(Axis.PRODUCT), Step(Axis.MONTH)], approve=True)

    data = queries.outlook(viewer=personas["director"], as_of=AS_OF)

    drink = _drink(data, history)
    quarter = Decimal("3000000.00")  # the category holds the whole 12M; a quarter is a fourth
    assert drink["plan"] == quarter
    assert drink["gap"] == drink["forecast"] - quarter
    assert data["next"]["plan"] == quarter
    assert data["next"]["gap"] == data["next"]["forecast"] - quarter
    assert data["next"]["plan_status"] == PlanStatus.APPROVED


def test_a_category_split_under_the_regions_adds_up_to_the_companys_category_plan(
    fitted, history, personas
):
    _plan(personas, [Step(Axis.ORG), Step(Axis.PRODUCT), Step(Axis.MONTH)], approve=True)

    data = queries.outlook(viewer=personas["director"], as_of=AS_OF)

    assert _drink(data, history)["plan"] == Decimal("3000000.00")


def test_before_approval_the_plan_under_negotiation_stands_in_and_says_so(
    fitted, history, personas
):
    _plan(personas, [Step(Axis.PRODUCT), Step(Axis.MONTH)], approve=False)

    data = queries.outlook(viewer=personas["director"], as_of=AS_OF)

    assert _drink(data, history)["plan"] == Decimal("3000000.00")
    assert data["next"]["plan"] == Decimal("3000000.00")
    assert data["next"]["plan_status"] == PlanStatus.DRAFT


def test_an_approved_plan_wins_over_a_newer_draft(fitted, history, personas):
    _plan(personas, [Step(Axis.PRODUCT), Step(Axis.MONTH)], approve=True)
    draft = _plan(personas, [Step(Axis.MONTH)], approve=False, name="2026年度销售计划（修订）")
    services.update_plan(
        actor=personas["director"],
        plan=draft,
        expected_version=draft.version,
        changes={"name": "2026年度销售计划（修订草案）"},
    )

    data = queries.outlook(viewer=personas["director"], as_of=AS_OF)

    assert data["next"]["plan_status"] == PlanStatus.APPROVED
    assert data["next"]["plan"] == Decimal("3000000.00")  # not 6M: one plan, not both


def test_the_page_labels_a_plan_still_in_draft(
    fitted, history, personas, login_client, monkeypatch
):
    _plan(personas, [Step(Axis.PRODUCT), Step(Axis.MONTH)], approve=False)
    monkeypatch.setattr(views, "timezone", SimpleNamespace(localdate=lambda: AS_OF))

    page = login_client(personas["director"]).get("/forecasting/").content.decode()

    with translation.override("zh-hans"):
        draft = str(PlanStatus.DRAFT.label)
    assert f'data-testid="plan-status">{draft}<' in page


def test_forecasts_of_sub_categories_meet_the_plan_at_its_level(fitted, history, personas):
    drink = history["category"]
    beverages = Category.objects.create(code="FC-BEV", name="饮品")
    Category.objects.filter(pk=beverages.pk).update(path=f"{beverages.pk}/")
    Category.objects.filter(pk=drink.pk).update(
        parent=beverages, path=f"{beverages.pk}/{drink.pk}/"
    )
    _plan(personas, [Step(Axis.PRODUCT), Step(Axis.MONTH)], approve=True)

    data = queries.outlook(viewer=personas["director"], as_of=AS_OF)

    (row,) = data["next"]["categories"]
    assert (row["category"], row["name"]) == (beverages.pk, "饮品")
    assert row["plan"] == Decimal("3000000.00")
    assert row["forecast"] == data["next"]["forecast"] > 0
    assert row["wape"] is not None
