"""The plan pages, end to end through the real forms, in zh-Hans."""

import re

from salescope.core.models import AuditEntry
from salescope.org.models import OrgUnit
from salescope.plans.models import Acknowledgement, Plan, Target


def test_director_plans_decomposes_edits_and_approves_in_the_browser(personas, login_client):
    director = login_client(personas["director"])
    hq = OrgUnit.objects.unrestricted().get(code="HQ")
    response = director.post(
        "/plans/", {"name": "2027年度销售计划", "fiscal_year": 2027, "scope_unit": hq.pk}
    )
    assert response.status_code == 302
    plan = Plan.objects.unrestricted().get(name="2027年度销售计划")
    assert director.get(f"/plans/{plan.pk}/").status_code == 200
    response = director.post(
        f"/plans/{plan.pk}/total/", {"metric": "sales_amount", "value": "1,200,000"}
    )
    root = Target.objects.unrestricted().get(plan=plan, parent=None)
    assert response.status_code == 302
    assert root.value == 120_000_000
    response = director.post(
        f"/plans/targets/{root.pk}/decompose/",
        {"axis": "org", "then_by": "month", "method": "equal", "version": root.version},
    )
    assert response.status_code == 302
    page = director.get(f"/plans/targets/{root.pk}/")
    assert page.status_code == 200
    assert "华东大区" in page.content.decode()
    region = Target.objects.unrestricted().filter(parent=root).order_by("position").first()
    form = {
        f"version-{region.pk}": region.version,
        f"orig-{region.pk}": region.value,
        f"value-{region.pk}": "450000.00",
        f"orig_bottom_up-{region.pk}": "",
        f"bottom_up-{region.pk}": "500000",
    }
    assert director.post(f"/plans/targets/{root.pk}/", form).status_code == 302
    region.refresh_from_db()
    assert (region.value, region.locked, region.bottom_up) == (45_000_000, True, 50_000_000)
    others = Target.objects.unrestricted().filter(parent=root).exclude(pk=region.pk)
    assert sorted(o.value for o in others) == [25_000_000] * 3
    plan.refresh_from_db()
    for action in ("submit", "start_review", "approve"):
        response = director.post(
            f"/plans/{plan.pk}/transition/", {"action": action, "version": plan.version}
        )
        assert response.status_code == 302
        plan.refresh_from_db()
    assert plan.status == "approved"
    # the managers of the company and of the four regions the targets went to
    assert Acknowledgement.objects.unrestricted().filter(plan=plan).count() == 5
    assert (
        AuditEntry.objects.filter(action="plans.plan.approved", object_id=str(plan.pk)).count() == 1
    )


def test_pages_render_for_each_persona(decomposed, personas, login_client):
    root = decomposed.targets.get(parent=None)
    for name in ("director", "regional_manager", "team_lead", "salesperson"):
        client = login_client(personas[name])
        for url in ("/plans/", "/tracking/", "/tracking/my/", "/tracking/warnings/"):
            assert client.get(url).status_code == 200, (name, url)
    director = login_client(personas["director"])
    for url in (
        f"/plans/{decomposed.pk}/",
        f"/plans/{decomposed.pk}/edit/",
        f"/plans/{decomposed.pk}/unassigned/",
        f"/plans/{decomposed.pk}/acknowledgements/",
        f"/plans/targets/{root.pk}/",
        f"/plans/targets/{root.pk}/comments/",
        f"/tracking/?plan={decomposed.pk}&group_by=salesperson,month",
        f"/plans/{decomposed.pk}/export.xlsx",
    ):
        assert director.get(url).status_code == 200, url


def test_a_salesperson_reads_the_plan_with_their_targets_but_not_the_company_grid(
    decomposed, personas, login_client
):
    client = login_client(personas["salesperson"])
    root = decomposed.targets.get(parent=None)
    mine = Target.objects.unrestricted().get(
        plan=decomposed, person=personas["salesperson"], grain="year"
    )
    theirs = Target.objects.unrestricted().get(
        plan=decomposed, person=personas["other_region_salesperson"], grain="year"
    )
    assert client.get(f"/plans/{decomposed.pk}/").status_code == 200
    assert client.get(f"/plans/targets/{root.pk}/").status_code == 404
    assert client.get(f"/plans/targets/{mine.pk}/").status_code == 200
    missing = client.get("/plans/targets/999999/")
    hidden = client.get(f"/plans/targets/{theirs.pk}/")
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert "陈静" not in hidden.content.decode()


def test_a_plan_without_a_target_of_theirs_is_404_for_a_salesperson(plan, personas, login_client):
    client = login_client(personas["salesperson"])
    assert client.get(f"/plans/{plan.pk}/").status_code == 404


def test_saving_the_document_and_moving_the_plan_on_say_so(plan, personas, login_client):
    director = login_client(personas["director"])
    form = {"name": plan.name, "deadline": "2026-01-15", "pace_basis": plan.pace_basis}
    form |= {"warning_threshold": plan.warning_threshold, "version": plan.version}
    form["section_strategy"] = "深耕华东，拓展华南"

    saved = director.post(f"/plans/{plan.pk}/edit/", form, follow=True)
    assert "计划文件已保存。" in saved.content.decode()

    plan.refresh_from_db()
    submitted = director.post(
        f"/plans/{plan.pk}/transition/", {"action": "submit", "version": plan.version}, follow=True
    )
    assert "计划状态：已提交。" in submitted.content.decode()


def test_key_customers_are_named_by_code_and_an_unknown_code_is_an_error(
    plan, personas, login_client
):
    from salescope.customers.models import Customer

    big = Customer.objects.create(code="KA-001", name="华联超市", owner=personas["salesperson"])
    root = plan.targets.get(parent=None)
    director = login_client(personas["director"])
    form = {"axis": "customer", "method": "equal", "version": root.version}

    refused = director.post(
        f"/plans/targets/{root.pk}/decompose/", {**form, "members": "KA-001，KA-404"}, follow=True
    )
    assert "KA-404" in refused.content.decode()
    assert not Target.objects.unrestricted().filter(parent=root).exists()

    director.post(f"/plans/targets/{root.pk}/decompose/", {**form, "members": "KA-001"})
    parts = Target.objects.unrestricted().filter(parent=root)
    assert {p.customer_id for p in parts} == {big.pk, None}  # the key customer and the others
    assert sum(p.value for p in parts) == root.value


def test_the_scope_list_shows_the_org_tree_in_order(personas, login_client):
    page = login_client(personas["director"]).get("/plans/").content.decode()

    select = re.search(r'<select name="scope_unit"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None
    names = re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", select.group(1))
    assert names[0] == "华远食品有限公司"
    east = names.index("\u3000华东大区")
    assert names[east + 1] == "\u3000\u3000上海分公司"  # its branch right below it, one deeper
    assert names[east + 2] == "\u3000\u3000\u3000上海一组"
