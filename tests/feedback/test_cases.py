"""Case reviews (G6): written up and linked, shared with the author's team through the one
rule, searchable by words and tags, marked as a lesson for onboarding by a manager."""

import pytest

from salescope.core.errors import PermissionDenied, StaleVersion
from salescope.core.models import AuditEntry
from salescope.feedback import queries, services
from salescope.feedback.models import CaseReview
from salescope.org.models import User
from tests.customers.leaks import make_customer


@pytest.fixture
def case(personas):
    zhang = personas["salesperson"]
    return services.write_case_review(
        actor=zhang,
        outcome="success",
        title="三次拜访拿下便利店连锁",
        body="第二次带了陈列方案，第三次见到采购经理。",
        lesson="先算清客户的毛利账再谈价格。",
        customer=make_customer(zhang),
        tags="便利店, 陈列,便利店",
    )


def _teammate(personas):
    zhang = personas["salesperson"]
    return User.objects.create_user(username="teammate", unit=zhang.unit, password="x" * 12)


def test_a_case_is_audited_tagged_and_shared_with_the_authors_team(personas, case):
    assert case.tags == "便利店,陈列"
    entry = AuditEntry.objects.get(action="feedback.case.created", object_id=str(case.pk))
    assert entry.changes["title"] == "三次拜访拿下便利店连锁"
    teammate = _teammate(personas)
    assert [c.pk for c in queries.list_cases(viewer=teammate)] == [case.pk]
    assert [c.pk for c in queries.list_cases(viewer=personas["team_lead"])] == [case.pk]
    assert list(queries.list_cases(viewer=personas["other_region_salesperson"])) == []


def test_a_case_kept_private_is_seen_by_the_author_and_managers_only(personas):
    zhang = personas["salesperson"]
    private = services.write_case_review(
        actor=zhang, outcome="failure", title="丢单复盘", share_with_team=False
    )
    assert list(queries.list_cases(viewer=_teammate(personas))) == []
    assert [c.pk for c in queries.list_cases(viewer=zhang)] == [private.pk]
    assert [c.pk for c in queries.list_cases(viewer=personas["regional_manager"])] == [private.pk]


def test_search_finds_words_of_the_story_and_the_lesson_and_tags(personas, case):
    zhang = personas["salesperson"]
    services.write_case_review(
        actor=zhang, outcome="failure", title="压货导致回款拖期", tags="回款"
    )
    assert [c.pk for c in queries.list_cases(viewer=zhang, q="毛利")] == [case.pk]
    assert [c.pk for c in queries.list_cases(viewer=zhang, q="采购经理")] == [case.pk]
    assert [c.title for c in queries.list_cases(viewer=zhang, tag="回款")] == ["压货导致回款拖期"]
    assert [c.pk for c in queries.list_cases(viewer=zhang, tag="陈列")] == [case.pk]
    assert list(queries.list_cases(viewer=zhang, q="不存在的词")) == []


def test_a_manager_marks_a_lesson_that_everyone_then_finds(personas, case):
    chen = personas["other_region_salesperson"]
    assert list(queries.list_cases(viewer=chen, lessons=True)) == []
    lead = personas["team_lead"]
    services.mark_lesson(actor=lead, case=case, expected_version=case.version)
    assert [c.pk for c in queries.list_cases(viewer=chen, lessons=True)] == [case.pk]
    assert AuditEntry.objects.filter(action="feedback.case.marked_lesson").count() == 1

    services.mark_lesson(actor=lead, case=case, expected_version=case.version, is_lesson=False)
    assert list(queries.list_cases(viewer=chen, lessons=True)) == []
    assert list(queries.list_cases(viewer=chen)) == []


def test_a_salesperson_cannot_mark_a_lesson_and_a_stale_mark_is_refused(personas, case):
    with pytest.raises(PermissionDenied):
        services.mark_lesson(actor=personas["salesperson"], case=case, expected_version=1)
    with pytest.raises(StaleVersion):
        services.mark_lesson(actor=personas["team_lead"], case=case, expected_version=99)
    case.refresh_from_db()
    assert case.is_lesson is False
    assert not AuditEntry.objects.filter(action="feedback.case.marked_lesson").exists()


def test_api_writes_and_hides_a_case_from_another_region(personas, api_client):
    zhang = personas["salesperson"]
    response = api_client(zhang).post(
        "/api/v1/feedback/cases",
        {"outcome": "success", "title": "新品进场", "tags": ["新品"]},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["tags"], body["is_lesson"]) == (["新品"], False)
    hidden = api_client(personas["other_region_salesperson"]).get(
        f"/api/v1/feedback/cases/{body['id']}"
    )
    missing = api_client(personas["other_region_salesperson"]).get("/api/v1/feedback/cases/999999")
    assert hidden.status_code == 404
    assert hidden.json() == missing.json()
    assert CaseReview.objects.unrestricted().count() == 1


def test_the_lessons_page_lists_lessons(personas, case, login_client):
    services.mark_lesson(actor=personas["team_lead"], case=case, expected_version=case.version)
    page = login_client(personas["other_region_salesperson"]).get("/feedback/cases/lessons/")
    assert page.status_code == 200
    assert "三次拜访拿下便利店连锁" in page.content.decode()
