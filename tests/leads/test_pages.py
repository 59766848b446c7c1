"""The leads pages as marketing (孙丽), a salesperson (张伟) and a team lead (李娜) use them."""

import re

from salescope.core.models import AuditEntry
from salescope.leads import services
from salescope.leads.choices import LeadStatus
from salescope.leads.models import Lead
from tests.leads.conftest import lead_data


def test_marketing_records_a_lead_scores_it_and_it_lands_with_the_salesperson(
    personas, world, login_client
):
    sunli = login_client(personas["marketing"])
    response = sunli.post(
        "/leads/new/",
        {**lead_data(province="上海", source="exhibition"), "campaign": world["campaign"].pk},
    )
    assert response.status_code == 302
    lead = Lead.objects.unrestricted().get()
    detail = sunli.get(f"/leads/{lead.pk}/").content.decode()
    assert 'data-testid="evaluate-form"' in detail

    answers = {f"c{k}": v for k, v in world["hot"]().items()}
    response = sunli.post(f"/leads/{lead.pk}/evaluate/", {"version": lead.version, **answers})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.owner == personas["salesperson"]
    page = sunli.get(f"/leads/{lead.pk}/").content.decode()
    assert re.search(r'data-testid="lead-score">100\.0<', page)
    assert "需求紧迫度" in page
    assert "华东" in page  # the rule that chose the owner, and why

    zhangwei = login_client(personas["salesperson"])
    mine = zhangwei.get("/leads/").content.decode()
    assert "某公司" in mine
    response = zhangwei.post(
        f"/leads/{lead.pk}/contact/", {"version": lead.version, "note": "已电话"}
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.WORKING


def test_a_salesperson_sees_only_their_own_leads_and_claims_from_the_pool(
    personas, world, login_client
):
    marketing = personas["marketing"]
    services.create_lead(
        actor=marketing, data=lead_data(company="华南客户", province="广东"), answers=world["hot"]()
    )
    pooled = services.create_lead(
        actor=marketing, data=lead_data(company="无主客户", province="西藏"), answers=world["hot"]()
    )
    zhangwei = login_client(personas["salesperson"])
    assert "华南客户" not in zhangwei.get("/leads/").content.decode()
    pool = zhangwei.get("/leads/pool/").content.decode()
    assert "无主客户" in pool

    response = zhangwei.post(f"/leads/{pooled.pk}/claim/")
    assert response.status_code == 302
    pooled.refresh_from_db()
    assert pooled.owner == personas["salesperson"]
    assert "无主客户" in zhangwei.get("/leads/").content.decode()


def test_a_stale_reassign_shows_the_error_and_changes_nothing(personas, world, login_client):
    lead = services.create_lead(
        actor=personas["marketing"], data=lead_data(province="上海"), answers=world["hot"]()
    )
    lead.refresh_from_db()
    lina = login_client(personas["team_lead"])
    writes = AuditEntry.objects.count()
    response = lina.post(
        f"/leads/{lead.pk}/reassign/",
        {
            "version": lead.version - 1,
            "owner": personas["other_region_salesperson"].pk,
            "reason": "客户搬迁",
        },
    )
    assert response.status_code == 409
    assert "其他人已修改了它" in response.content.decode()
    lead.refresh_from_db()
    assert lead.owner == personas["salesperson"]
    assert AuditEntry.objects.count() == writes


def test_campaigns_report_and_settings_pages(personas, world, login_client):
    services.create_lead(
        actor=personas["marketing"],
        data=lead_data(province="上海", campaign=world["campaign"]),
        answers=world["hot"](),
    )
    sunli = login_client(personas["marketing"])
    assert "食品展" in sunli.get("/leads/campaigns/").content.decode()
    report = sunli.get("/leads/report/").content.decode()
    row = re.search(r'data-testid="report-row"><td>食品展 \(EXPO\)</td>(.*?)</tr>', report).group(1)
    cells = re.findall(r'<td class="text-end">([^<]*)</td>', row)
    # leads, qualified, opportunities, pipeline, won, cost, cost per lead, per won, return
    assert cells == ["1", "1", "0", "0.00", "0.00", "8000.00", "8000.00", "—", "0.00"]
    settings_page = sunli.get("/leads/settings/").content.decode()
    assert "通用评估模型" in settings_page
    assert "华东" in settings_page
    response = sunli.post(
        f"/leads/campaigns/{world['campaign'].pk}/",
        {"version": world["campaign"].version, "actual_cost": "9000"},
    )
    assert response.status_code == 302
    world["campaign"].refresh_from_db()
    assert world["campaign"].actual_cost_fen == 900_000


def test_marketing_defines_a_model_and_a_rule_in_the_browser(personas, login_client):
    sunli = login_client(personas["marketing"])
    response = sunli.post(
        "/leads/settings/models/",
        {
            "name": "餐饮行业评估",
            "threshold": "50",
            "industry": "餐饮",
            "criteria": "需求紧迫度 | 3 | 急需=10, 一般=6, 不急=2\n采购预算 | 2 | 0-200000",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    model = services.model_for(Lead(industry="餐饮"))
    assert model.name == "餐饮行业评估"
    criteria = list(model.criteria.order_by("position"))
    assert [(c.name, c.kind, c.weight) for c in criteria] == [
        ("需求紧迫度", "options", 3),
        ("采购预算", "scale", 2),
    ]
    assert [o.points for o in criteria[0].options.order_by("position")] == [10, 6, 2]

    bad = sunli.post(
        "/leads/settings/models/",
        {"name": "坏模型", "threshold": "50", "criteria": "需求紧迫度 | 3 | 急需"},
    )
    assert bad.status_code == 422
    assert "label=points" in bad.content.decode() or "选项" in bad.content.decode()

    response = sunli.post(
        "/leads/settings/rules/",
        {
            "name": "华东：上海",
            "priority": "10",
            "provinces": "上海",
            "strategy": "workload",
            "members": [personas["salesperson"].pk],
        },
    )
    assert response.status_code == 302
    assert "华东：上海" in sunli.get("/leads/settings/").content.decode()


def test_a_salesperson_may_not_define_rules(personas, login_client):
    zhangwei = login_client(personas["salesperson"])
    response = zhangwei.post(
        "/leads/settings/rules/",
        {
            "name": "我的",
            "priority": "1",
            "strategy": "workload",
            "members": [personas["salesperson"].pk],
        },
    )
    assert response.status_code == 403
    assert 'data-testid="rule-form"' not in zhangwei.get("/leads/settings/").content.decode()
