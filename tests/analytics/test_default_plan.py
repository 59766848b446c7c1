"""Which plan the tracking pages open on (目标与实绩, 我的目标), and their plan picker.

A plan approved ahead of time for a later year must not replace the running one: by default
the approved plan whose period holds today, else the one that started last, only then a
future one; both pages offer a picker of the plans the viewer may track.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone

from salescope.analytics import queries
from salescope.org.models import OrgUnit
from salescope.plans import services
from salescope.plans.choices import Axis, Metric
from salescope.plans.models import Plan
from salescope.plans.services import Step

pytestmark = pytest.mark.django_db


def _approve(plan, director):  # noqa: ANN001, ANN202
    for action in ("submit", "start_review", "approve"):
        plan.refresh_from_db()
        services.transition_plan(
            actor=director, plan=plan, action=action, expected_version=plan.version
        )
    plan.refresh_from_db()
    return plan


def _plan(director, year, name, *, quarter=None, decompose=False):  # noqa: ANN001, ANN202
    plan = services.create_plan(
        actor=director,
        name=name,
        fiscal_year=year,
        quarter=quarter,
        scope_unit=OrgUnit.objects.unrestricted().get(code="HQ"),
    )
    root = services.set_plan_target(
        actor=director, plan=plan, metric=Metric.SALES_AMOUNT, value=24_000_000_00
    )
    if decompose:
        services.decompose_target(
            actor=director, target=root, steps=[Step(Axis.ORG)] * 4 + [Step(Axis.MONTH)]
        )
    return plan


@pytest.fixture
def running_and_future(decomposed, personas):
    """The FY2026 plan (the one running on 2026-12-04, the walkthrough's day) and a FY2028
    plan approved after it, both decomposed down to the people: 张伟 has targets in both."""
    director = personas["director"]
    current = _approve(decomposed, director)
    future_year = max(timezone.localdate().year + 2, 2028)
    future = _approve(_plan(director, future_year, "未来年度销售计划", decompose=True), director)
    return current, future


def _status(plan, status):  # noqa: ANN001, ANN202
    Plan.objects.unrestricted().filter(pk=plan.pk).update(status=status)
    return plan


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 12, 4), "2026"),  # the plan whose period holds today
        (dt.date(2026, 1, 1), "2026"),  # first day of the period
        (dt.date(2027, 3, 1), "2026"),  # none running: the one that started last
        (dt.date(2025, 6, 1), "2025"),
        (dt.date(2024, 6, 1), "2025"),  # none started yet: the soonest future one
        (dt.date(2028, 2, 1), "2028"),
    ],
)
def test_the_default_is_the_running_then_latest_started_then_soonest_approved_plan(
    personas, today, expected
):
    director = personas["director"]
    for year in (2028, 2025, 2026):  # created out of order: the rule, not the id, decides
        _status(_plan(director, year, str(year)), "approved")
    _plan(director, 2027, "2027 草稿")  # a draft running on 2027 dates never wins over them
    assert queries.default_plan(viewer=director, today=today).name == expected


def test_a_running_quarter_plan_beats_a_finished_year_plan(personas):
    director = personas["director"]
    _status(_plan(director, 2025, "2025"), "approved")
    _status(_plan(director, 2026, "2026Q4", quarter=4), "approved")
    _status(_plan(director, 2027, "2027"), "approved")
    picked = queries.default_plan(viewer=director, today=dt.date(2026, 11, 30))
    assert picked.name == "2026Q4"


def test_without_an_approved_plan_the_same_rule_picks_among_the_others(personas):
    director = personas["director"]
    _plan(director, 2028, "2028 草稿")
    _plan(director, 2026, "2026 草稿")
    assert queries.default_plan(viewer=director, today=dt.date(2026, 12, 4)).name == "2026 草稿"
    assert queries.default_plan(viewer=personas["salesperson"]) is None


def _selected(html: str) -> str:
    """The option the plan picker has selected."""
    picker = html.split('id="plan-select"')[1].split("</select>")[0]
    return re.search(r"<option value=\"(\d+)\" selected>", picker).group(1)


def test_my_targets_opens_on_the_running_plan_and_offers_a_picker(
    running_and_future, personas, login_client
):
    current, future = running_and_future
    client = login_client(personas["salesperson"])

    page = client.get("/tracking/my/")

    html = page.content.decode()
    assert page.status_code == 200
    assert page.context["plan"] == current
    assert "2026年度销售计划" in html.split('data-testid="plan-picker"')[0]
    picker = html.split('data-testid="plan-picker"')[1].split("</form>")[0]
    assert '<label class="form-label small" for="plan-select">计划</label>' in picker
    assert _selected(html) == str(current.pk)
    assert f'<option value="{future.pk}"' in picker
    assert "已批准" in picker  # the status, in zh
    # choosing the future plan still works, and the picker then selects it
    chosen = client.get("/tracking/my/", {"plan": future.pk})
    assert chosen.context["plan"] == future
    assert _selected(chosen.content.decode()) == str(future.pk)


def test_tracking_opens_on_the_running_plan_with_its_picker(
    running_and_future, personas, login_client
):
    current, future = running_and_future
    page = login_client(personas["director"]).get("/tracking/")

    assert page.status_code == 200
    assert page.context["plan"] == current
    html = page.content.decode()
    assert _selected(html) == str(current.pk)
    assert f'<option value="{future.pk}"' in html
    assert '<label class="form-label small" for="plan-select">计划</label>' in html
