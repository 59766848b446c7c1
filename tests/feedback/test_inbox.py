"""Problems raised and escalated, guidance given and acknowledged reach the right inbox (E2, B3)."""

import datetime as dt

import pytest

from salescope.feedback import services
from salescope.notifications.models import Notification
from salescope.notifications.queries import list_notifications

pytestmark = pytest.mark.django_db


def inbox(kind):
    """Who received a notification of ``kind``, as a list of recipient ids."""
    return sorted(
        Notification.objects.unrestricted().filter(kind=kind).values_list("recipient", flat=True)
    )


def test_a_raised_problem_reaches_its_owner_only(personas):
    zhang, lina = personas["salesperson"], personas["team_lead"]
    problem = services.raise_problem(actor=zhang, title="经销商断货", severity="high")
    assert inbox("feedback.problem.raised") == [lina.pk]
    [row] = list_notifications(viewer=lina).filter(kind="feedback.problem.raised")
    assert "经销商断货" in row.title
    assert row.link == f"/feedback/problems/{problem.pk}/"
    assert not list_notifications(viewer=zhang).exists()


def test_a_problem_kept_by_its_raiser_sends_nothing(personas):
    zhang = personas["salesperson"]
    services.raise_problem(actor=zhang, title="自己跟进", owner=zhang)
    assert inbox("feedback.problem.raised") == []


def test_the_manager_above_receives_the_escalation(personas):
    zhang, lina = personas["salesperson"], personas["team_lead"]
    problem = services.raise_problem(actor=zhang, title="物流延误", severity="high")
    next_up = services.managers_above(zhang)[1]
    assert services.escalate_overdue(today=problem.due_on + dt.timedelta(days=1)) == 1
    assert inbox("feedback.problem.escalated") == [next_up.pk]
    row = Notification.objects.unrestricted().get(kind="feedback.problem.escalated")
    assert "物流延误" in row.title
    assert row.subject_type == "feedback.problem"
    assert row.subject_id == str(problem.pk)
    for someone in (zhang, lina, personas["other_region_salesperson"]):
        assert not list_notifications(viewer=someone).filter(kind="feedback.problem.escalated")


def test_a_problem_at_the_top_is_not_escalated_nor_announced(personas):
    zhang = personas["salesperson"]
    top = services.managers_above(zhang)[-1]
    problem = services.raise_problem(actor=zhang, title="顶层", owner=top)
    services.escalate_overdue(today=problem.due_on + dt.timedelta(days=1))
    assert inbox("feedback.problem.escalated") == []


def test_guidance_reaches_the_person_and_the_acknowledgement_the_manager(personas):
    zhang, lina = personas["salesperson"], personas["team_lead"]
    given = services.give_guidance(actor=lina, person=zhang, body="本周拜访 A 类客户")
    assert inbox("feedback.guidance.given") == [zhang.pk]
    [row] = list_notifications(viewer=zhang)
    assert row.body == "本周拜访 A 类客户"
    assert row.link == f"/feedback/guidance/{given.pk}/"
    assert inbox("feedback.guidance.acknowledged") == []
    services.acknowledge_guidance(actor=zhang, guidance=given, expected_version=given.version)
    assert inbox("feedback.guidance.acknowledged") == [lina.pk]
    assert not list_notifications(viewer=personas["regional_manager"]).exists()
