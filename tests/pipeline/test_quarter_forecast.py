"""H5: the current quarter's weighted pipeline (amount × probability of open deals expected to
close in the quarter, plus what was won in it), narrowed by visibility."""

import datetime as dt

from django.test import override_settings
from django.utils import timezone

from salescope.pipeline import queries, rules, services, winmodel
from tests.pipeline.world import closed_history, make_customer, make_opportunity, stage

AS_OF = dt.date(2026, 11, 15)  # calendar-year quarters: 2026Q4 is October to December


@override_settings(SALESCOPE_FISCAL_YEAR_START_MONTH=1)
def test_weighted_pipeline_of_the_quarter(personas, pipeline):
    zhang, lina = personas["salesperson"], personas["team_lead"]
    customer = make_customer(zhang)
    make_opportunity(zhang, pipeline, amount=10000, expected_close=dt.date(2026, 10, 1))  # 10 %
    quoting = make_opportunity(zhang, pipeline, amount=20000, expected_close=dt.date(2026, 12, 31))
    services.move_opportunity_to_stage(
        actor=lina,
        opportunity=quoting,
        stage=stage(pipeline, "方案报价"),
        expected_version=quoting.version,
        override_reason="测试",
    )  # 60 %
    make_opportunity(zhang, pipeline, amount=99999, expected_close=dt.date(2027, 1, 1))  # next Q
    make_opportunity(zhang, pipeline, amount=99999)  # no expected close
    won = make_opportunity(zhang, pipeline, amount=5000, customer=customer)
    services.move_opportunity_to_stage(
        actor=lina,
        opportunity=won,
        stage=stage(pipeline, "赢单"),
        expected_version=won.version,
        override_reason="测试",
        at=dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC),
    )

    mine = queries.quarter_forecast(zhang, as_of=AS_OF)

    assert mine["quarter"] == "2026Q4"
    assert (mine["start"], mine["end"]) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert (mine["open_count"], mine["open_amount_fen"]) == (2, 3_000_000)
    assert mine["weighted_fen"] == 1_000_000 * 10 // 100 + 2_000_000 * 60 // 100
    assert (mine["won_count"], mine["won_fen"]) == (1, 500_000)
    assert mine["expected_fen"] == mine["weighted_fen"] + 500_000
    assert queries.quarter_forecast(lina, as_of=AS_OF) == mine  # the team lead sees zhang's
    stranger = queries.quarter_forecast(personas["other_region_salesperson"], as_of=AS_OF)
    assert (stranger["open_count"], stranger["expected_fen"]) == (0, 0)
    next_quarter = queries.quarter_forecast(zhang, as_of=dt.date(2027, 2, 1))
    assert (next_quarter["open_count"], next_quarter["won_count"]) == (1, 0)


def test_the_quarter_is_also_weighted_by_the_learnt_probability(personas, pipeline):
    """With a win-probability model in use, each open deal of the quarter also counts at the
    probability learnt from the company's closed deals (the figure its page shows beside the
    stage default); without one, there is no learnt figure."""
    zhang = personas["salesperson"]
    today = timezone.localdate()
    early = make_opportunity(zhang, pipeline, amount=10000, source="展会", expected_close=today)
    late = make_opportunity(
        zhang,
        pipeline,
        amount=20000,
        source="官网",
        expected_close=today,
        stage=stage(pipeline, "谈判签约"),
    )
    before = queries.quarter_forecast(zhang)
    assert (before["learnt_weighted_fen"], before["learnt_expected_fen"]) == (None, None)

    closed_history(personas, pipeline, 40)
    services.refit_win_model()
    forecast = queries.quarter_forecast(zhang)

    shown = {o.pk: winmodel.win_probability(o).learnt for o in (early, late)}
    assert None not in shown.values()
    expected = rules.weighted_fen(1_000_000, shown[early.pk]) + rules.weighted_fen(
        2_000_000, shown[late.pk]
    )
    assert forecast["learnt_weighted_fen"] == expected
    assert forecast["learnt_expected_fen"] == forecast["won_fen"] + expected
    assert forecast["weighted_fen"] == 1_000_000 * 10 // 100 + 2_000_000 * 80 // 100
    stranger = queries.quarter_forecast(personas["other_region_salesperson"])
    assert stranger["learnt_weighted_fen"] == 0
