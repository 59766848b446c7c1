"""`salescope demo` is deterministic and idempotent, and its personas can log in.

One test on purpose: every app adds its demo data, so a demo run takes seconds.
"""

import datetime as dt

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from salescope.analytics.models import Alert
from salescope.core.ownership import all_records
from salescope.core.periods import company_calendar
from salescope.forecasting import queries as forecasting
from salescope.org.demo import DEMO_PASSWORD, PERSONAS
from salescope.org.models import User

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: all_records(model).count()
        for model in apps.get_models()
        if model._meta.app_label not in {"sessions", "axes", "admin"}
    }


def people() -> list[tuple]:
    return sorted(
        User.objects.unrestricted().values_list("username", "full_name", "role", "unit__code")
    )


def test_demo_twice_gives_the_same_rows_and_every_persona_logs_in(capsys):
    call_command("demo")
    first_counts, first_people = row_counts(), people()

    call_command("demo")

    assert row_counts() == first_counts
    assert people() == first_people
    assert first_counts["org.User"] >= 40
    assert first_counts["org.OrgUnit"] == 24
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    for username, (name, _role, _unit) in PERSONAS.items():
        client = Client()
        login = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
        assert login.status_code == 302, username
        home = client.get("/")
        assert home.status_code == 200, username
        assert name in home.content.decode()
    _the_director_sees_the_forecast_against_a_plan_and_a_stock_out()


def _the_director_sees_the_forecast_against_a_plan_and_a_stock_out() -> None:
    """Issue 18's demo: next quarter's forecast against the plan with its accuracy (whatever the
    day: in December next year's draft stands in, split by category) and a product at risk."""
    today = timezone.localdate()
    director = User.objects.unrestricted().get(username="liuyang")
    outlook = forecasting.outlook(viewer=director, as_of=today)
    upcoming = outlook["next"]
    assert upcoming["forecast"] > 0
    assert upcoming["wape"] is not None
    assert upcoming["plan"] is not None
    assert upcoming["plan"] > 0
    if company_calendar().quarter_of(today) == 4:  # next year's draft, split by category
        planned = [c for c in upcoming["categories"] if c["plan"] is not None]
        assert len(planned) >= 2
        assert sum(c["plan"] for c in planned) == pytest.approx(upcoming["plan"], abs=10)
    _the_demand_vs_stock_page_reads_like_a_company_s(today)


def _the_demand_vs_stock_page_reads_like_a_company_s(today) -> None:
    """需求与库存 shows the exceptions a product manager acts on, not a wall of red: no
    warehouse starts oversold (available now ≥ 0 everywhere), one product heads for a
    stock-out, one sits on too much stock, and the rest are covered for the horizon."""
    rows = forecasting._projections(as_of=today, weeks=forecasting.DEFAULT_WEEKS)
    assert rows
    oversold = [(r["product"].sku, r["warehouse"].code, r["available"]) for r in rows]
    assert [row for row in oversold if row[2] < 0] == []
    risks = forecasting.stock_risks(as_of=today)
    short = {r.product.sku for r in risks if r.kind == "stock_out"}
    heavy = {r.product.sku for r in risks if r.kind == "overstock"}
    assert len(short) == 1, short
    assert len(heavy) == 1, heavy
    assert short != heavy
    at_risk = [r for r in risks if r.kind == "stock_out"]
    assert at_risk[0].date is not None
    assert today < at_risk[0].date <= today + dt.timedelta(days=21)  # not yet short, soon
    # and the daily evaluation warns of that one product, not of every row the demo drew
    warned = Alert.objects.unrestricted().filter(kind="stock_out", status="open")
    assert warned.count() == 1
