"""The win probability learnt from closed deals: too little history says so and keeps the stage
default; with enough, a learnt figure beside it (page and API), refit by the daily task, and a
time-split backtest with AUC and Brier against the stage defaults (CLI)."""

import json
from io import StringIO

from django.core.management import call_command

from salescope.core.audit import AuditEntry
from salescope.pipeline import services, tasks, winmodel
from salescope.pipeline.models import WinModel
from tests.pipeline.world import closed_history, make_opportunity, stage


def test_too_little_history_says_so_and_keeps_the_stage_default(
    personas, pipeline, api_client, login_client
):
    closed_history(personas, pipeline, 8)
    row = tasks.refit_win_model.call()
    assert row == 8
    assert WinModel.objects.unrestricted().get().model is None
    zhang = personas["salesperson"]
    opp = make_opportunity(zhang, pipeline)

    body = api_client(zhang).get(f"/api/v1/pipeline/opportunities/{opp.pk}/win-probability")
    assert body.status_code == 200
    assert {k: body.json()[k] for k in ("stage_default", "learnt", "used", "enough_history")} == {
        "stage_default": 10,
        "learnt": None,
        "used": 10,
        "enough_history": False,
    }
    page = login_client(zhang).get(f"/pipeline/{opp.pk}/").content.decode()
    block = page.split('data-testid="win-probability"', 1)[1].split("</div>\n", 1)[0]
    assert "10%" in block
    assert " 8 " in block
    assert "30" in block
    assert winmodel.backtest()["enough_history"] is False


def test_learnt_from_enough_history_and_backtested(personas, pipeline, api_client):
    closed_history(personas, pipeline, 40)
    row = services.refit_win_model()
    assert (row.closed_deals, row.model is not None) == (40, True)
    assert AuditEntry.objects.filter(action="pipeline.win_model.fitted").exists()
    zhang = personas["salesperson"]
    early = make_opportunity(zhang, pipeline, amount=5000, source="展会")
    late = make_opportunity(
        zhang, pipeline, amount=5000, source="展会", stage=stage(pipeline, "谈判签约")
    )
    client = api_client(zhang)
    learnt = [
        client.get(f"/api/v1/pipeline/opportunities/{o.pk}/win-probability").json()
        for o in (early, late)
    ]
    assert all(x["enough_history"] and x["learnt"] is not None for x in learnt)
    assert learnt[0]["learnt"] < learnt[1]["learnt"]  # further along, likelier to be won
    assert learnt[1]["used"] == learnt[1]["learnt"]

    stranger = api_client(personas["other_region_salesperson"])
    assert (
        stranger.get(f"/api/v1/pipeline/opportunities/{late.pk}/win-probability").status_code == 404
    )

    out = StringIO()
    call_command("report_win_model", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["closed_deals"] == 40
    assert report["enough_history"]
    assert report["train_examples"] > 0
    assert report["test_examples"] > 0
    for side in ("model", "baseline"):
        assert 0 <= report[side]["auc"] <= 1
        assert 0 <= report[side]["brier"] <= 1
    assert report["model"]["auc"] > 0.5  # it learnt the trend of the history


def test_a_refit_replaces_the_model_in_use(personas, pipeline):
    closed_history(personas, pipeline, 4)
    first = services.refit_win_model()
    second = services.refit_win_model()
    assert list(WinModel.objects.unrestricted().values_list("pk", flat=True)) == [second.pk]
    assert first.pk != second.pk
