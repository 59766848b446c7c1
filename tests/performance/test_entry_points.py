"""The KPI page, API and CLI show the same figures, with formulas, to whom they may."""

import json
from io import StringIO

from django.core.management import call_command

from salescope.cli import _two_word_command
from tests.performance.world import NOV


def test_cli_report_kpi_json(facts, personas):
    assert (
        _two_word_command(["salescope", "report", "kpi", "--period", "2026-11"])[1] == "report_kpi"
    )
    out = StringIO()
    call_command(
        "report_kpi", "--period", "2026-11", "--group-by", "salesperson", "--json", stdout=out
    )
    data = json.loads(out.getvalue())
    assert data["period"] == "2026-11"
    rows = {r["key"]: r for r in data["rows"]}
    me = personas["salesperson"]
    assert rows[me.pk]["kpis"]["sales"] is not None
    assert set(data["formulas"]) >= {"visits_per_day", "expense_ratio", "lost_customers"}


def test_api_follows_visibility(facts, personas, api_client):
    me = personas["salesperson"]
    response = api_client(me).get("/api/v1/performance/kpis", {"period": "2026-11"})
    assert response.status_code == 200
    assert [r["key"] for r in response.json()["rows"]] == [me.pk]
    other = personas["other_region_salesperson"]
    refused = api_client(me).get(
        f"/api/v1/performance/kpis/{other.pk}/sales", {"period": "2026-11"}
    )
    assert refused.status_code == 404
    own = api_client(me).get(f"/api/v1/performance/kpis/{me.pk}/sales", {"period": "2026-11"})
    assert own.status_code == 200
    assert own.json()["rows"]


def test_page_shows_formulas_and_drills_down(facts, personas, login_client):
    client = login_client(personas["team_lead"])
    page = client.get("/performance/", {"period": NOV.strftime("%Y-%m")})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="kpi-formulas"' in html
    assert personas["salesperson"].username
    drill = client.get(
        f"/performance/kpis/{personas['salesperson'].pk}/cost_per_visit/", {"period": "2026-11"}
    )
    assert drill.status_code == 200
    assert 'data-testid="drill-visits"' in drill.content.decode()
    hidden = client.get(f"/performance/kpis/{personas['other_region_salesperson'].pk}/sales/")
    assert hidden.status_code == 404
