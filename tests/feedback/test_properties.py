"""Invariants of feedback, over generated histories (hypothesis)."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescope.feedback import queries, services
from salescope.feedback.models import Problem
from tests.feedback.leaks import make_intelligence, make_problem

pytestmark = pytest.mark.django_db

AUTHORS = ["salesperson", "other_region_salesperson", "team_lead", "regional_manager"]
SLOW = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SLOW
@given(days_late=st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=6))
def test_escalation_only_climbs_the_raisers_chain(personas, days_late):
    """However many daily runs pass, a problem's owner is the raiser or a manager above them,
    its escalation count is how far up it went, and it never leaves the raiser's sight."""
    raiser = personas["salesperson"]
    chain = [raiser, *services.managers_above(raiser)]
    problem = make_problem(raiser, owner=chain[1], due_on=timezone.localdate())
    day = timezone.localdate()
    for late in days_late:
        day += dt.timedelta(days=late)
        services.escalate_overdue(today=day)
        problem.refresh_from_db()
        position = [p.pk for p in chain].index(problem.owner_id)
        assert position == 1 + problem.escalation_level
        assert problem in queries.list_problems(viewer=raiser)
    Problem.objects.unrestricted().filter(pk=problem.pk).delete()


@SLOW
@given(authors=st.lists(st.sampled_from(AUTHORS), min_size=1, max_size=8))
def test_a_salesperson_sees_only_their_own_and_never_another_teams(personas, authors):
    made = [make_intelligence(personas[who]) for who in authors]
    zhang = personas["salesperson"]
    seen = set(queries.list_intelligence(viewer=zhang).values_list("pk", flat=True))
    assert seen >= {e.pk for e in made if e.author_id == zhang.pk}
    assert all(e.pk not in seen for e in made if e.author_id != zhang.pk)
    marketing = set(
        queries.list_intelligence(viewer=personas["marketing"]).values_list("pk", flat=True)
    )
    assert {e.pk for e in made} <= marketing
