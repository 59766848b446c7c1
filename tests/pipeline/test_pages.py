import datetime as dt

from django.utils import timezone

from salescope.pipeline.models import Opportunity
from tests.pipeline.world import make_customer, make_opportunity, stage


def test_my_opportunities_page_lists_mine_as_cards(personas, pipeline, login_client):
    zhang = personas["salesperson"]
    mine = make_opportunity(zhang, pipeline, name="联华 夏季铺货")
    make_opportunity(personas["other_region_salesperson"], pipeline, name="华南 商机")

    response = login_client(zhang).get("/pipeline/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "联华 夏季铺货" in body
    assert f"/pipeline/{mine.pk}/" in body
    assert "华南 商机" not in body


def test_board_shows_columns_and_moves_by_form_post(personas, pipeline, login_client):
    zhang = personas["salesperson"]
    opp = make_opportunity(zhang, pipeline, name="看板商机")
    client = login_client(zhang)

    board = client.get(f"/pipeline/board/?pipeline={pipeline.pk}")
    assert board.status_code == 200
    assert "看板商机" in board.content.decode()
    assert "pipeline/board.js" in board.content.decode()

    target = stage(pipeline, "需求确认")
    moved = client.post(
        f"/pipeline/{opp.pk}/move/",
        {"stage": target.pk, "version": opp.version, "next": "/pipeline/board/"},
    )
    assert moved.status_code == 302
    assert moved["Location"] == "/pipeline/board/"
    opp.refresh_from_db()
    assert opp.stage == target


def test_detail_shows_guidance_checklist_and_timeline(personas, pipeline, login_client):
    zhang = personas["salesperson"]
    opp = make_opportunity(zhang, pipeline, customer=make_customer(zhang), amount=100)
    client = login_client(zhang)
    client.post(
        f"/pipeline/{opp.pk}/move/", {"stage": stage(pipeline, "需求确认").pk, "version": 1}
    )
    client.post(f"/pipeline/{opp.pk}/note/", {"text": "客户要求下周报价"})

    body = client.get(f"/pipeline/{opp.pk}/").content.decode()

    assert "找到采购负责人，确认预算和时间。" in body  # guidance of 需求确认
    assert "预算未落实" in body  # its typical risk
    assert "确认采购预算" in body  # its checklist item
    assert "客户要求下周报价" in body  # the note on the timeline

    ticked = client.post(f"/pipeline/{opp.pk}/checklist/", {"version": 2, "done": ["确认采购预算"]})
    assert ticked.status_code == 302
    opp.refresh_from_db()
    assert opp.checklist_done == ["确认采购预算"]


def test_gate_refusal_on_the_page_changes_nothing(personas, pipeline, login_client):
    zhang = personas["salesperson"]
    opp = make_opportunity(zhang, pipeline)
    client = login_client(zhang)
    response = client.post(
        f"/pipeline/{opp.pk}/move/", {"stage": stage(pipeline, "方案报价").pk, "version": 1}
    )
    assert response.status_code == 302
    opp.refresh_from_db()
    assert opp.stage.name == "初步接洽"


def test_create_forecast_reports_and_stuck_pages(personas, pipeline, login_client):
    zhang, lina = personas["salesperson"], personas["team_lead"]
    client = login_client(zhang)
    created = client.post(
        "/pipeline/new/",
        {
            "name": "新商机",
            "pipeline": pipeline.pk,
            "amount": "50000",
            "expected_close": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
        },
    )
    opp = Opportunity.objects.unrestricted().get(name="新商机")
    assert created.status_code == 302
    assert created["Location"] == f"/pipeline/{opp.pk}/"
    assert opp.owner == zhang
    assert opp.amount_fen == 5000000

    manager = login_client(lina)
    forecast = manager.get("/pipeline/forecast/")
    assert forecast.status_code == 200
    assert "50000.00" in forecast.content.decode()
    saved = manager.post(
        "/pipeline/forecast/adjust/",
        {"month": timezone.localdate().replace(day=1).isoformat(), "amount": "42000"},
    )
    assert saved.status_code == 302
    assert "42000.00" in manager.get("/pipeline/forecast/").content.decode()

    report = manager.get("/pipeline/reports/?group_by=stage,owner")
    assert report.status_code == 200
    assert "初步接洽" in report.content.decode()
    assert manager.get("/pipeline/stuck/").status_code == 200


def test_customer_page_shows_opportunities_and_timeline_panels(personas, pipeline, login_client):
    zhang = personas["salesperson"]
    customer = make_customer(zhang)
    make_opportunity(zhang, pipeline, customer=customer, name="客户页商机")

    body = login_client(zhang).get(f"/customers/{customer.pk}/").content.decode()

    assert "客户页商机" in body
    assert 'id="timeline"' in body


def test_director_configures_a_stage_and_a_salesperson_may_not(personas, pipeline, login_client):
    target = stage(pipeline, "需求确认")
    prefix = f"s{target.pk}"
    form = {
        f"{prefix}-version": target.version,
        f"{prefix}-name": "需求确认",
        f"{prefix}-probability": "35",
        f"{prefix}-forecast_category": "pipeline",
        f"{prefix}-required_fields": ["customer", "competitor"],
        f"{prefix}-checklist": "确认采购预算\n确认采购时间\n",
        f"{prefix}-guidance": "新的推进指导",
        f"{prefix}-risks": "",
        f"{prefix}-rotting_days": "10",
    }
    refused = login_client(personas["salesperson"]).post(f"/pipeline/stages/{target.pk}/", form)
    assert refused.status_code == 403

    director = login_client(personas["director"])
    assert "设置" in director.get("/pipeline/board/").content.decode()
    saved = director.post(f"/pipeline/stages/{target.pk}/", form)

    assert saved.status_code == 302
    target.refresh_from_db()
    assert (target.probability, target.rotting_days, target.version) == (35, 10, 2)
    assert target.required_fields == ["customer", "competitor"]
    assert target.checklist == ["确认采购预算", "确认采购时间"]
    assert target.guidance == "新的推进指导"
