"""The plan pages, end to end through the real forms, in zh-Hans."""

import io
import re

import openpyxl

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


def _h1(html: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else ""


# What each persona's tracking page (by region, by month for a salesperson) and "my targets"
# (their own cells, or the unit they lead: label and rows of each card) show for the
# decomposed plan.
PERSONA_VIEWS = {
    "director": ({"华东大区", "华南大区", "华北大区", "西南大区"}, "刘洋", []),
    "regional_manager": ({"华东大区"}, "华东大区", [12]),
    "team_lead": ({"华东大区"}, "上海一组", [12]),
    "salesperson": ({f"2026-{m:02d}" for m in range(1, 13)}, "张伟", [12]),
}


def test_pages_render_for_each_persona(decomposed, personas, login_client):
    for name, (tracking_rows, my_label, my_cards) in PERSONA_VIEWS.items():
        client = login_client(personas[name])
        plans = client.get("/plans/")
        assert _h1(plans.content.decode()) == "销售计划"
        assert [p.name for p in plans.context["plans"]] == ["2026年度销售计划"], name
        tracking = client.get("/tracking/")
        assert tracking.context["plan"] == decomposed
        labels = {" · ".join(r.labels.values()) for r in tracking.context["report"].rows}
        assert labels == tracking_rows, name
        mine = client.get("/tracking/my/")
        assert mine.context["scope"]["label"] == my_label
        # a director leads no unit and has no cells of his own: nothing to show there
        assert [len(card["report"].rows) for card in mine.context["cards"]] == my_cards, name
        assert my_label in mine.content.decode()
        warnings = client.get("/tracking/warnings/")
        assert _h1(warnings.content.decode()) == "预警"
    director = login_client(personas["director"])
    root = decomposed.targets.get(parent=None)
    expected_h1 = {
        f"/plans/{decomposed.pk}/": "2026年度销售计划",
        f"/plans/{decomposed.pk}/edit/": "编辑计划书 · 2026年度销售计划",
        f"/plans/{decomposed.pk}/unassigned/": "2026年度销售计划 · 没有销售目标的单位和人员",
        f"/plans/{decomposed.pk}/acknowledgements/": "2026年度销售计划 · 目标确认 (v1)",
        f"/plans/targets/{root.pk}/": "销售额 · 华远食品有限公司 · 2026-01…2026-12",
    }
    for url, h1 in expected_h1.items():
        html = director.get(url).content.decode()
        assert _h1(html) == h1, url
    assert "深耕华东" in director.get(f"/plans/{decomposed.pk}/edit/").content.decode()
    grid = director.get(f"/plans/targets/{root.pk}/").content.decode()
    assert all(region in grid for region in PERSONA_VIEWS["director"][0])
    comments = director.get(f"/plans/targets/{root.pk}/comments/")
    assert comments.status_code == 200
    assert "<html" not in comments.content.decode()  # an htmx fragment, not a page
    by_person = director.get(f"/tracking/?plan={decomposed.pk}&group_by=salesperson,month")
    rows = by_person.context["report"].rows
    assert ("张伟", "2026-03") in {(r.labels["salesperson"], r.labels["month"]) for r in rows}
    export = director.get(f"/plans/{decomposed.pk}/export.xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(export.content), read_only=True)
    cells = {str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row}
    assert {"EAST", "zhangwei", "12000000.00"} <= cells  # unit codes, usernames, amounts


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
