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


def test_scorecard_flow_through_the_api_pages_and_cli(personas, api_client, login_client):
    import datetime as dt

    from salescope.performance import services
    from salescope.performance.models import Scorecard

    services.ensure_default_criteria()
    director, lead, me = personas["director"], personas["team_lead"], personas["salesperson"]
    items = [
        {"kind": "kpi", "code": "sales", "weight": 70, "rule": "capped", "target": "1000"},
        {"kind": "rating", "code": "teamwork", "weight": 30, "rule": "linear"},
    ]
    refused = api_client(me).post(
        "/api/v1/performance/templates",
        {"name": "t", "effective_from": "2099-01-01", "items": items},
        content_type="application/json",
    )
    assert refused.status_code == 403
    made = api_client(director).post(
        "/api/v1/performance/templates",
        {"name": "月度考核", "effective_from": "2099-01-01", "items": items},
        content_type="application/json",
    )
    assert made.status_code == 201
    # Published before the period: a template for a past month is refused (422).
    past = services.create_template(
        actor=director, name="t", role="salesperson", effective_from=NOV, items=items
    )
    bad = api_client(director).post(
        f"/api/v1/performance/templates/{past.pk}/publish",
        {"version": past.version},
        content_type="application/json",
    )
    assert bad.status_code == 422
    template = services.publish_template(
        actor=director, template=past, expected_version=1, today=dt.date(2026, 10, 1)
    )
    rated = api_client(lead).post(
        "/api/v1/performance/ratings",
        {"person_id": me.pk, "criterion": "teamwork", "period": "2026-11", "score": 5},
        content_type="application/json",
    )
    assert rated.status_code == 200
    again = api_client(lead).post(
        "/api/v1/performance/ratings",
        {
            "person_id": me.pk,
            "criterion": "teamwork",
            "period": "2026-11",
            "score": 4,
            "version": 7,
        },
        content_type="application/json",
    )
    assert again.status_code == 409
    services.compute_scorecards(
        actor=director, template=template, month=NOV, today=dt.date(2026, 12, 6)
    )
    card = Scorecard.objects.unrestricted().get(person=me, month=NOV)
    client = login_client(lead)
    page = client.get(f"/performance/scorecards/{card.pk}/")
    assert page.status_code == 200
    assert 'data-testid="rating-form"' in page.content.decode()
    client.post(f"/performance/scorecards/{card.pk}/review/", {"version": card.version})
    card.refresh_from_db()
    stale = client.post(
        f"/performance/scorecards/{card.pk}/publish/", {"version": card.version - 1}
    )
    assert stale.status_code == 409
    client.post(f"/performance/scorecards/{card.pk}/publish/", {"version": card.version})
    card.refresh_from_db()
    assert card.status == "published"
    mine = api_client(me).post(
        f"/api/v1/performance/scorecards/{card.pk}/appeal",
        {"version": card.version, "text": "评分偏低"},
        content_type="application/json",
    )
    assert mine.status_code == 200
    assert mine.json()["status"] == "appealed"
    own_page = login_client(me).get(f"/performance/scorecards/{card.pk}/")
    assert "评分偏低" in own_page.content.decode()
    board = api_client(me).get("/api/v1/performance/leaderboard", {"period": "2026-11"})
    assert [r["me"] for r in board.json()] == [True]
    out = StringIO()
    call_command(
        "report_scorecard", "--period", "2026-11", "--as", me.username, "--json", stdout=out
    )
    rows = json.loads(out.getvalue())["rows"]
    assert [r["person"] for r in rows] == [str(me)]
    assert rows[0]["status"] == "appealed"


def test_a_kpi_the_library_does_not_have_is_a_missing_page_not_an_error(personas, login_client):
    director = login_client(personas["director"])
    response = director.get(f"/performance/kpis/{personas['salesperson'].pk}/no_such_kpi/")
    assert response.status_code == 404
