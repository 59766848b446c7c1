"""Feedback: market intelligence, problems escalated up the tree, guidance (E1, E2, B3)."""

import datetime as dt

import pytest
from django.utils import timezone

from salescope.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from salescope.core.models import AuditEntry
from salescope.feedback import queries, services, tasks
from salescope.feedback.choices import GuidanceStatus, ProblemStatus
from salescope.feedback.models import Guidance, Intelligence, Problem
from tests.feedback.leaks import make_intelligence, make_problem

pytestmark = pytest.mark.django_db


# --- market intelligence -------------------------------------------------------------------------


def test_intelligence_is_recorded_audited_and_tagged_with_the_authors_region(personas):
    zhang = personas["salesperson"]
    entry = services.record_intelligence(
        actor=zhang, kind="price", title="竞品降价百分之十", competitor="某竞品", body="华东区域"
    )
    assert entry.region == zhang.unit
    assert AuditEntry.objects.filter(
        action="feedback.intelligence.created", object_id=str(entry.pk)
    ).exists()


def test_intelligence_refuses_an_unknown_kind_and_an_empty_title(personas):
    with pytest.raises(ValidationFailed) as caught:
        services.record_intelligence(actor=personas["salesperson"], kind="gossip", title="x")
    assert "kind" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        services.record_intelligence(actor=personas["salesperson"], kind="price", title="  ")
    assert "title" in caught.value.fields


def test_intelligence_is_seen_up_the_tree_by_marketing_but_not_by_another_team(personas):
    entry = make_intelligence(personas["salesperson"])
    for who in ("salesperson", "team_lead", "regional_manager", "director", "marketing"):
        assert entry in queries.list_intelligence(viewer=personas[who]), who
    assert entry not in queries.list_intelligence(viewer=personas["other_region_salesperson"])
    assert entry not in queries.list_intelligence(viewer=personas["finance"])


def test_search_finds_chinese_text_in_the_body_and_in_the_tags(personas):
    zhang = personas["salesperson"]
    hit = services.record_intelligence(
        actor=zhang, kind="customer_need", title="客户需求", body="客户希望增加小包装规格"
    )
    tagged = services.record_intelligence(
        actor=zhang, kind="competitor", title="新品", competitor="蓝月亮"
    )
    services.record_intelligence(actor=zhang, kind="price", title="价格稳定")
    assert list(queries.list_intelligence(viewer=zhang, q="小包装")) == [hit]
    assert list(queries.list_intelligence(viewer=zhang, q="蓝月")) == [tagged]
    assert list(queries.list_intelligence(viewer=zhang, q="客户 包装")) == [hit]


def test_weekly_digest_groups_the_weeks_entries_by_region(personas):
    zhang, chen = personas["salesperson"], personas["other_region_salesperson"]
    today = timezone.localdate()
    make_intelligence(zhang, observed_on=today)
    make_intelligence(zhang, observed_on=today)
    make_intelligence(chen, observed_on=today)
    make_intelligence(zhang, observed_on=today - dt.timedelta(days=14))
    rows = queries.weekly_digest(viewer=personas["director"], week_of=today, by="region")
    totals = {row["label"]: row["total"] for row in rows}
    assert totals == {str(zhang.unit): 2, str(chen.unit): 1}
    mine = queries.weekly_digest(viewer=zhang, week_of=today, by="region")
    assert [row["total"] for row in mine] == [2]


# --- problems and escalation ---------------------------------------------------------------------


def test_a_problem_goes_to_the_nearest_manager_and_escalates_up_the_tree(personas):
    zhang, lina = personas["salesperson"], personas["team_lead"]
    above = services.managers_above(zhang)
    assert above[0] == lina
    assert personas["regional_manager"] in above
    problem = services.raise_problem(actor=zhang, title="经销商断货", severity="high")
    assert problem.owner == lina
    today = timezone.localdate()
    assert services.escalate_overdue(today=problem.due_on) == 0  # due today: not yet late
    assert services.escalate_overdue(today=problem.due_on + dt.timedelta(days=1)) == 1
    problem.refresh_from_db()
    assert problem.owner == above[1]
    assert problem.escalation_level == 1
    assert problem.due_on > today
    entry = AuditEntry.objects.get(action="feedback.problem.escalated", object_id=str(problem.pk))
    assert entry.actor is None
    # Everyone who saw it still does; the new owner too.
    for who in ("salesperson", "team_lead", "regional_manager"):
        assert problem in queries.list_problems(viewer=personas[who]), who


def test_escalation_leaves_resolved_problems_alone_and_stops_at_the_top(personas):
    zhang = personas["salesperson"]
    resolved = services.raise_problem(actor=zhang, title="已处理")
    services.resolve_problem(
        actor=zhang, problem=resolved, expected_version=resolved.version, resolution="好了"
    )
    later = resolved.due_on + dt.timedelta(days=1)
    assert services.escalate_overdue(today=later) == 0
    top = make_problem(zhang, due_on=timezone.localdate())
    chain = [zhang, *services.managers_above(zhang)]
    Problem.objects.unrestricted().filter(pk=top.pk).update(owner=chain[-1])
    assert services.escalate_overdue(today=timezone.localdate() + dt.timedelta(days=1)) == 0


def test_the_daily_task_escalates_as_the_system(personas):
    problem = make_problem(personas["salesperson"], owner=personas["team_lead"])
    Problem.objects.unrestricted().filter(pk=problem.pk).update(
        due_on=timezone.localdate() - dt.timedelta(days=1)
    )
    assert tasks.escalate_problems.call() == {"escalated": 1}
    problem.refresh_from_db()
    assert problem.owner == services.managers_above(personas["salesperson"])[1]


def test_resolving_with_a_stale_version_is_refused(personas):
    zhang = personas["salesperson"]
    problem = services.raise_problem(actor=zhang, title="物流延误")
    stale = problem.version
    services.resolve_problem(
        actor=zhang, problem=problem, expected_version=stale, resolution="已协调"
    )
    again = Problem.objects.unrestricted().get(pk=problem.pk)
    Problem.objects.unrestricted().filter(pk=problem.pk).update(status=ProblemStatus.OPEN)
    again.refresh_from_db()
    with pytest.raises(StaleVersion):
        services.resolve_problem(actor=zhang, problem=again, expected_version=stale, resolution="x")


def test_a_problems_owner_must_be_the_raiser_or_a_manager_above(personas):
    with pytest.raises(ValidationFailed) as caught:
        services.raise_problem(
            actor=personas["salesperson"], title="x", owner=personas["other_region_salesperson"]
        )
    assert "owner" in caught.value.fields


def test_problem_report_counts_per_unit_with_time_to_resolution(personas):
    zhang = personas["salesperson"]
    problem = services.raise_problem(actor=zhang, title="a")
    services.raise_problem(actor=zhang, title="b")
    services.resolve_problem(
        actor=zhang, problem=problem, expected_version=problem.version, resolution="ok"
    )
    [row] = queries.problem_report(viewer=personas["team_lead"])
    assert (row["open"], row["resolved"]) == (1, 1)
    assert row["hours_to_resolve"] is not None
    assert queries.problem_report(viewer=personas["other_region_salesperson"]) == []


# --- guidance ------------------------------------------------------------------------------------


def test_guidance_is_given_acknowledged_and_followed_up(personas):
    zhang, lina = personas["salesperson"], personas["team_lead"]
    given = services.give_guidance(
        actor=lina, person=zhang, body="本周拜访所有 A 类客户", kind="instruction"
    )
    assert given in queries.list_guidance(viewer=zhang, scope="pending")
    assert given in queries.list_guidance(viewer=personas["regional_manager"])
    assert given not in queries.list_guidance(viewer=personas["other_region_salesperson"])
    with pytest.raises(PermissionDenied):
        services.acknowledge_guidance(actor=lina, guidance=given, expected_version=given.version)
    services.acknowledge_guidance(actor=zhang, guidance=given, expected_version=given.version)
    assert given.status == GuidanceStatus.ACKNOWLEDGED
    services.follow_up_guidance(
        actor=lina, guidance=given, expected_version=given.version, note="已完成"
    )
    assert given.status == GuidanceStatus.FOLLOWED_UP
    actions = set(
        AuditEntry.objects.filter(
            object_id=str(given.pk), object_type="feedback.guidance"
        ).values_list("action", flat=True)
    )
    assert {
        "feedback.guidance.given",
        "feedback.guidance.acknowledged",
        "feedback.guidance.followed_up",
    } <= actions


def test_guidance_only_to_ones_own_team(personas):
    with pytest.raises(ValidationFailed):
        services.give_guidance(
            actor=personas["team_lead"], person=personas["other_region_salesperson"], body="x"
        )
    with pytest.raises(PermissionDenied):
        services.give_guidance(
            actor=personas["salesperson"], person=personas["team_lead"], body="x"
        )


# --- API -----------------------------------------------------------------------------------------


def test_api_round_trip_and_other_team_gets_404(personas, api_client):
    zhang = api_client(personas["salesperson"])
    made = zhang.post(
        "/api/v1/feedback/intelligence",
        {"kind": "dealer_request", "title": "经销商要求延长账期"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    found = zhang.get("/api/v1/feedback/intelligence", {"q": "账期"}).json()
    assert [item["id"] for item in found["items"]] == [pk]
    chen = api_client(personas["other_region_salesperson"])
    assert chen.get(f"/api/v1/feedback/intelligence/{pk}").status_code == 404
    assert chen.get("/api/v1/feedback/intelligence").json()["count"] == 0

    problem = zhang.post(
        "/api/v1/feedback/problems", {"title": "包装破损"}, content_type="application/json"
    ).json()
    stale = zhang.post(
        f"/api/v1/feedback/problems/{problem['id']}/resolve",
        {"version": problem["version"] + 5, "resolution": "x"},
        content_type="application/json",
    )
    assert stale.status_code == 409
    done = zhang.post(
        f"/api/v1/feedback/problems/{problem['id']}/resolve",
        {"version": problem["version"], "resolution": "已换货"},
        content_type="application/json",
    )
    assert done.status_code == 200
    assert done.json()["status"] == "resolved"


def test_api_guidance_from_a_salesperson_is_forbidden(personas, api_client):
    zhang = api_client(personas["salesperson"])
    answer = zhang.post(
        "/api/v1/feedback/guidance",
        {"person_id": personas["team_lead"].pk, "body": "x"},
        content_type="application/json",
    )
    assert answer.status_code == 403


# --- pages ---------------------------------------------------------------------------------------


def test_pages_record_and_show_intelligence(personas, login_client):
    zhang = login_client(personas["salesperson"])
    answer = zhang.post(
        "/feedback/intelligence/new/",
        {
            "kind": "competitor",
            "title": "竞品推出新品",
            "competitor": "某品牌",
            "body": "在上海铺货",
        },
    )
    assert answer.status_code == 302
    entry = Intelligence.objects.unrestricted().get(title="竞品推出新品")
    page = zhang.get("/feedback/intelligence/", {"q": "铺货"})
    assert "竞品推出新品" in page.content.decode()
    assert zhang.get(f"/feedback/intelligence/{entry.pk}/").status_code == 200
    digest = zhang.get("/feedback/intelligence/digest/")
    assert "竞品推出新品" in digest.content.decode()
    chen = login_client(personas["other_region_salesperson"])
    assert chen.get(f"/feedback/intelligence/{entry.pk}/").status_code == 404
    assert "竞品推出新品" not in chen.get("/feedback/intelligence/").content.decode()


def test_pages_problem_raise_and_resolve(personas, login_client):
    zhang = login_client(personas["salesperson"])
    empty = zhang.post("/feedback/problems/new/", {"title": "", "severity": "high"})
    assert empty.status_code == 422
    assert (
        zhang.post(
            "/feedback/problems/new/", {"title": "促销物料未到", "severity": "high"}
        ).status_code
        == 302
    )
    problem = Problem.objects.unrestricted().get(title="促销物料未到")
    lina = login_client(personas["team_lead"])
    assert "促销物料未到" in lina.get("/feedback/problems/").content.decode()
    done = lina.post(
        f"/feedback/problems/{problem.pk}/", {"version": problem.version, "resolution": "已补发"}
    )
    assert done.status_code == 302
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RESOLVED


def test_pages_guidance_give_and_acknowledge(personas, login_client):
    zhang, lina = personas["salesperson"], personas["team_lead"]
    lead = login_client(lina)
    answer = lead.post(
        "/feedback/guidance/new/",
        {"person": zhang.pk, "kind": "coaching", "body": "先了解客户库存"},
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    given = Guidance.objects.unrestricted().get(person=zhang)
    me = login_client(zhang)
    assert "先了解客户库存" in me.get("/feedback/guidance/?scope=pending").content.decode()
    me.post(f"/feedback/guidance/{given.pk}/acknowledge/", {"version": given.version})
    given.refresh_from_db()
    assert given.status == GuidanceStatus.ACKNOWLEDGED
    stale = me.post(f"/feedback/guidance/{given.pk}/acknowledge/", {"version": 1})
    assert stale.status_code in (409, 422)


def test_navigation_lights_up_feedback(personas, login_client):
    page = login_client(personas["salesperson"]).get("/feedback/", follow=True)
    assert page.status_code == 200


# --- demo ----------------------------------------------------------------------------------------


def test_demo_loads_once_with_an_escalated_problem(personas):
    from salescope.feedback import demo

    lines = []
    demo.load(lines.append)
    demo.load(lines.append)
    assert Intelligence.objects.unrestricted().count() == len(demo.INTELLIGENCE)
    assert Problem.objects.unrestricted().filter(escalation_level=1).count() == 1
    assert lines[-1] == "feedback: already loaded"
