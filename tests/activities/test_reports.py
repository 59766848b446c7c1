"""Work reports (D4) drafted from the recorded facts, written, submitted, commented and rated
(点评) by the manager, who is told in the inbox, as the author is of the comment; who has not
submitted is listed; checklist answers and completion (D3)."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from salescope.activities import queries, services
from salescope.activities.models import WorkReport
from salescope.core.errors import Conflict, PermissionDenied, StaleVersion, ValidationFailed
from salescope.core.models import AuditEntry
from salescope.notifications.models import Notification


def _done_visit(personas, shop, day, outcome="order_taken", minutes=30):
    zhang = personas["salesperson"]
    visit = services.plan_visit(actor=zhang, customer=shop, planned_date=day)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    services.check_in(actor=zhang, visit=visit, latitude=31.2304, longitude=121.4737, at=start)
    services.check_out(
        actor=zhang,
        visit=visit,
        outcome=outcome,
        cost="12",
        at=start + dt.timedelta(minutes=minutes),
    )
    visit.refresh_from_db()
    return visit


def test_the_daily_report_is_drafted_from_the_visits(personas, shop, checklist):
    zhang = personas["salesperson"]
    day = timezone.localdate()
    visit = _done_visit(personas, shop, day)
    services.plan_visit(actor=zhang, customer=shop, planned_date=day)
    report = services.draft_report(actor=zhang, kind="daily", day=day)
    facts = report.facts
    assert (facts["visits_made"], facts["visits_planned"], facts["field_minutes"]) == (1, 2, 30)
    assert (facts["cost_fen"], facts["outcomes"], facts["customers"]) == (
        1200,
        {"order_taken": 1},
        [shop.name],
    )
    assert (facts["checklist_done"], facts["checklist_total"]) == (0, 0)
    assert services.draft_report(actor=zhang, kind="daily", day=day).pk == report.pk
    assert visit.status == "done"


def test_submit_then_the_manager_comments_and_the_author_is_told(personas, shop):
    zhang, lina = personas["salesperson"], personas["team_lead"]
    day = timezone.localdate()
    _done_visit(personas, shop, day)
    report = services.draft_report(actor=zhang, kind="daily", day=day)
    services.write_report(
        actor=zhang,
        report=report,
        expected_version=report.version,
        summary="拜访联华超市",
        problems="海报不够",
        next_plan="明天去仓库",
        submit=True,
    )
    report.refresh_from_db()
    assert report.status == "submitted"
    assert report.submitted_at is not None
    told = Notification.objects.unrestricted().get(recipient=lina)
    assert told.kind == "activities.report.submitted"
    assert told.link.endswith(f"/{report.pk}/")
    assert report in queries.to_review(viewer=lina)

    with pytest.raises(PermissionDenied):
        services.review_report(
            actor=zhang, report=report, expected_version=report.version, comment="好", rating=5
        )
    with pytest.raises(ValidationFailed) as caught:
        services.review_report(
            actor=lina, report=report, expected_version=report.version, comment="好", rating=9
        )
    assert "rating" in caught.value.fields
    services.review_report(
        actor=lina, report=report, expected_version=report.version, comment="记录很具体", rating=4
    )
    report.refresh_from_db()
    assert (report.status, report.rating, report.comment, report.reviewer) == (
        "reviewed",
        4,
        "记录很具体",
        lina,
    )
    comment = Notification.objects.unrestricted().get(recipient=zhang)
    assert (comment.kind, comment.body) == ("activities.report.reviewed", "记录很具体")
    with pytest.raises(Conflict):
        services.write_report(
            actor=zhang,
            report=report,
            expected_version=report.version,
            summary="",
            problems="",
            next_plan="",
        )


def test_a_stale_report_write_gets_409_and_changes_nothing(personas):
    zhang = personas["salesperson"]
    report = services.draft_report(actor=zhang, kind="daily", day=timezone.localdate())
    services.write_report(
        actor=zhang, report=report, expected_version=1, summary="一", problems="", next_plan=""
    )
    with pytest.raises(StaleVersion):
        services.write_report(
            actor=zhang, report=report, expected_version=1, summary="二", problems="", next_plan=""
        )
    assert WorkReport.objects.unrestricted().get(pk=report.pk).summary == "一"
    assert AuditEntry.objects.filter(action="activities.report.written").count() == 1


def test_the_team_lead_sees_who_has_not_submitted(personas):
    zhang, lina = personas["salesperson"], personas["team_lead"]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    team = queries.team_of(viewer=lina)
    assert zhang in team
    assert lina not in team
    assert zhang in queries.not_submitted(viewer=lina, kind="daily", start=yesterday)
    report = services.draft_report(actor=zhang, kind="daily", day=yesterday)
    assert zhang in queries.not_submitted(viewer=lina, kind="daily", start=yesterday)
    services.write_report(
        actor=zhang,
        report=report,
        expected_version=1,
        summary="",
        problems="",
        next_plan="",
        submit=True,
    )
    assert zhang not in queries.not_submitted(viewer=lina, kind="daily", start=yesterday)
    assert queries.team_of(viewer=zhang) == []


def test_reports_are_visible_up_the_tree_only(personas):
    zhang = personas["salesperson"]
    report = services.draft_report(actor=zhang, kind="weekly", day=timezone.localdate())
    assert report.period_start.weekday() == 0
    assert list(queries.list_reports(viewer=personas["regional_manager"])) == [report]
    assert list(queries.list_reports(viewer=personas["other_region_salesperson"])) == []


def test_checklist_answers_and_completion_rates(personas, shop, checklist):
    zhang = personas["salesperson"]
    day = timezone.localdate()
    visit = services.plan_visit(actor=zhang, customer=shop, planned_date=day)
    services.check_in(actor=zhang, visit=visit)
    items = {i.text: i for i in checklist.items.all()}
    services.answer_item(actor=zhang, visit=visit, item=items["确认发货数量"], done=True)
    services.answer_item(
        actor=zhang, visit=visit, item=items["张贴海报"], done=False, feedback="店长不同意"
    )
    with pytest.raises(ValidationFailed) as caught:
        services.answer_item(actor=zhang, visit=visit, item=items["检查库存(箱)"], done=True)
    assert "number" in caught.value.fields
    services.answer_item(
        actor=zhang, visit=visit, item=items["检查库存(箱)"], done=True, number="12"
    )
    services.check_out(actor=zhang, visit=visit, outcome="information")
    rows = queries.checklist_of(viewer=personas["team_lead"], visit=visit)
    assert [(r["item"].text, r["answer"].done) for r in rows] == [
        ("确认发货数量", True),
        ("张贴海报", False),
        ("检查库存(箱)", True),
    ]
    rates = queries.completion(viewer=personas["team_lead"], start=day, end=day)
    assert [(r["done"], r["total"], r["percent"]) for r in rates["people"]] == [(2, 3, 67)]
    by_item = {r["name"]: (r["done"], r["total"]) for r in rates["items"]}
    assert by_item == {"确认发货数量": (1, 1), "张贴海报": (0, 1), "检查库存(箱)": (1, 1)}
    report = services.draft_report(actor=zhang, kind="daily", day=day)
    assert (report.facts["checklist_done"], report.facts["checklist_total"]) == (2, 3)


def test_the_monthly_report_gathers_the_whole_months_facts(personas, shop):
    """月报: the facts of every week of the month, not only of the week holding the day."""
    zhang = personas["salesperson"]
    today = timezone.localdate()
    first = today.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    _done_visit(personas, shop, first)
    _done_visit(personas, shop, last, minutes=45)
    _done_visit(personas, shop, first - dt.timedelta(days=1))  # last month: not in it

    report = services.draft_report(actor=zhang, kind="monthly", day=today)

    assert (report.period_start, report.period_end) == (first, last)
    assert (report.facts["visits_made"], report.facts["field_minutes"]) == (2, 75)
    with translation.override("zh-hans"):
        assert report.get_kind_display() == "月报"
    assert services.draft_report(actor=zhang, kind="monthly", day=last).pk == report.pk


def test_the_reports_page_offers_the_monthly_report(personas, login_client):
    client = login_client(personas["salesperson"])
    page = client.get("/activities/reports/").content.decode()
    assert 'value="monthly"' in page
    response = client.post(
        "/activities/reports/", {"kind": "monthly", "day": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    report = WorkReport.objects.unrestricted().get(author=personas["salesperson"])
    assert (report.kind, report.period_start.day) == ("monthly", 1)


def test_drafting_everyone_at_once_states_what_drafting_each_one_states(personas, shop, checklist):
    zhang, lina, chen = (
        personas["salesperson"],
        personas["team_lead"],
        personas["other_region_salesperson"],
    )
    day = timezone.localdate()
    _done_visit(personas, shop, day)
    _done_visit(personas, shop, day, outcome="follow_up", minutes=45)
    services.plan_visit(actor=zhang, customer=shop, planned_date=day)
    one_by_one = {p.pk: services.facts_for(p, day, day) for p in (zhang, lina, chen)}
    assert one_by_one[zhang.pk]["visits_made"] == 2

    submitted = services.draft_report(actor=lina, kind="daily", day=day)
    services.write_report(
        actor=lina,
        report=submitted,
        expected_version=submitted.version,
        summary="",
        problems="",
        next_plan="",
        submit=True,
    )
    drafted = services.draft_reports(kind="daily", day=day, people=[zhang, lina, chen])
    assert drafted == 2  # zhangwei's and chenjing's are new; lina's is submitted, left alone
    reports = {
        r.author_id: r
        for r in WorkReport.objects.unrestricted().filter(kind="daily", period_start=day)
    }
    assert {pk: r.facts for pk, r in reports.items()} == one_by_one
    audited = AuditEntry.objects.filter(action="activities.report.drafted")
    assert {e.object_id for e in audited} >= {str(reports[zhang.pk].pk), str(reports[chen.pk].pk)}

    _done_visit(personas, shop, day, outcome="payment")  # a later fact: the draft catches up
    assert services.draft_reports(kind="daily", day=day, people=[zhang, lina, chen]) == 1
    reports[zhang.pk].refresh_from_db()
    assert reports[zhang.pk].facts["visits_made"] == 3
    assert reports[zhang.pk].facts == services.facts_for(zhang, day, day)
    assert services.draft_reports(kind="daily", day=day, people=[zhang, lina, chen]) == 0
