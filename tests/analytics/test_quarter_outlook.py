"""H5 on tracking: the current quarter's run rate beside the pipeline. For sales, 目标与实绩
shows the quarter's target, the actual so far, the actual carried to the quarter's end at the
current run rate, and what the opportunities promise (won in the quarter + open deals closing
in it × their probability), narrowed to the person or unit the page is drilled to and to what
the viewer may see."""

import datetime as dt
import re
from fractions import Fraction

import pytest
from django.test import override_settings

from salescope.catalog.models import Product
from salescope.customers.models import Customer
from salescope.ledger import rollups
from salescope.ledger.models import SalesLine
from salescope.pipeline import services as pipeline_services
from salescope.pipeline.queries import quarter_forecast
from salescope.plans import services
from salescope.plans.models import Target
from tests.pipeline.world import closed_history, make_opportunity, make_pipeline, stage
from tests.plans.conftest import decomposed, plan  # noqa: F401 - shared plan fixtures

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar_quarters")]

AS_OF = dt.date(2026, 3, 15)  # 2026Q1 (January–March): 74 of its 90 days gone


@pytest.fixture
def calendar_quarters():
    with override_settings(SALESCOPE_FISCAL_YEAR_START_MONTH=1):
        yield


@pytest.fixture
def world(decomposed, personas):  # noqa: F811
    """张伟 sold 10,000 on 10 January and 5,000 on 10 March (6,000 on 20 March is after the
    date asked); his deals: 20,000 at 方案报价 (60 %) closing 31 March, 5,000 won on 2 February,
    30,000 closing in April (next quarter). 陈静 (华南) has a deal of 90,000 closing in March."""
    the_plan = decomposed
    for action in ("submit", "approve"):
        the_plan.refresh_from_db()
        services.transition_plan(
            actor=personas["director"],
            plan=the_plan,
            action=action,
            expected_version=the_plan.version,
        )
    customer = Customer.objects.create(code="C-H5", name="季度客户")
    product = Product.objects.create(sku="P-H5", name="季度产品")
    sales = [(dt.date(2026, 1, 10), 10_000_00), (dt.date(2026, 3, 10), 5_000_00)]
    sales.append((dt.date(2026, 3, 20), 6_000_00))
    SalesLine.objects.bulk_create(
        SalesLine(
            line_key=f"H5-{n}",
            document=f"SO-H5-{n}",
            date=day,
            month=day.replace(day=1),
            kind="sell_in",
            customer=customer,
            product=product,
            salesperson=personas["salesperson"],
            quantity_milli=1000,
            unit_price_fen=fen,
            amount_fen=fen,
            cost_fen=0,
            gross_profit_fen=fen,
        )
        for n, (day, fen) in enumerate(sales)
    )
    rollups.rebuild_months({day.replace(day=1) for day, _fen in sales})

    zhang, lina = personas["salesperson"], personas["team_lead"]
    pipeline = make_pipeline(personas["admin"])
    quoting = make_opportunity(zhang, pipeline, amount=20000, expected_close=dt.date(2026, 3, 31))
    won = make_opportunity(zhang, pipeline, amount=5000, customer=customer)
    for deal, name, at in (
        (quoting, "方案报价", None),
        (won, "赢单", dt.datetime(2026, 2, 2, 10, tzinfo=dt.UTC)),
    ):
        pipeline_services.move_opportunity_to_stage(
            actor=lina,
            opportunity=deal,
            stage=stage(pipeline, name),
            expected_version=deal.version,
            override_reason="测试",
            **({"at": at} if at else {}),
        )
    make_opportunity(zhang, pipeline, amount=30000, expected_close=dt.date(2026, 4, 20))
    chen = personas["other_region_salesperson"]
    make_opportunity(chen, pipeline, amount=90000, expected_close=dt.date(2026, 3, 30))
    the_plan.refresh_from_db()
    return the_plan


def _money(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"


def _outlook(client, the_plan, **narrow) -> dict[str, str]:
    page = client.get(
        "/tracking/",
        {"plan": the_plan.pk, "group_by": "month", "as_of": AS_OF.isoformat(), **narrow},
    ).content.decode()
    if 'data-testid="quarter-outlook"' not in page:
        return {}
    block = page.split('data-testid="quarter-outlook"')[1].split("</section>")[0]
    return dict(re.findall(r'data-figure="(\w+)"[^>]*>([-\d,.]+)<', block))


def test_a_persons_quarter_run_rate_beside_his_pipeline(world, personas, login_client):
    client = login_client(personas["team_lead"])
    figures = _outlook(client, world, person=personas["salesperson"].pk)
    assert figures["actual"] == "15,000.00"
    assert figures["won"] == "5,000.00"
    assert figures["weighted"] == "12,000.00"
    assert figures["expected"] == "17,000.00"
    months = Target.objects.unrestricted().filter(
        plan=world,
        person=personas["salesperson"],
        metric="sales_amount",
        period_start__gte=dt.date(2026, 1, 1),
        period_end__lte=dt.date(2026, 3, 31),
    )
    by_month = {t.period_start.month: t.value for t in months}
    assert sorted(by_month) == [1, 2, 3]
    quarter = sum(by_month.values())
    assert figures["target"] == _money(quarter)
    # the run rate as tracking defines it: the actual ÷ the share of the target that was due
    # by 15 March (January and February whole, 15 of March's 31 days), half-up to the fen
    due = by_month[1] + by_month[2] + Fraction(by_month[3] * 15, 31)
    run_rate = Fraction(1_500_000 * quarter) / due
    assert figures["run_rate"] == _money(int(run_rate + Fraction(1, 2)))


def test_the_pipeline_is_what_the_viewer_may_see(world, personas, login_client):
    director = _outlook(login_client(personas["director"]), world)
    assert director["expected"] == "26,000.00"  # 张伟's 17,000 + 陈静's 90,000 × 10 %
    chen = personas["other_region_salesperson"]
    own = _outlook(login_client(chen), world, person=chen.pk)
    assert own["expected"] == "9,000.00"
    peeking = _outlook(login_client(chen), world, person=personas["salesperson"].pk)
    assert peeking.get("expected", "0.00") == "0.00"  # 张伟's deals stay his region's


def test_no_outlook_for_a_metric_the_pipeline_does_not_forecast(world, personas, login_client):
    page = login_client(personas["director"]).get(
        "/tracking/", {"plan": world.pk, "metric": "collections", "as_of": AS_OF.isoformat()}
    )
    assert 'data-testid="quarter-outlook"' not in page.content.decode()


def test_the_learnt_probability_shows_once_a_model_is_in_use(world, personas, login_client):
    client = login_client(personas["team_lead"])
    zhang = personas["salesperson"]
    assert "learnt_expected" not in _outlook(client, world, person=zhang.pk)
    closed_history(personas, make_pipeline(personas["admin"], name="第二产品线"), 40)
    pipeline_services.refit_win_model()

    figures = _outlook(client, world, person=zhang.pk)

    forecast = quarter_forecast(personas["team_lead"], as_of=AS_OF, owner=zhang.pk)
    assert forecast["learnt_expected_fen"] is not None
    assert figures["learnt_expected"] == _money(forecast["learnt_expected_fen"])
