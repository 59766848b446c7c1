"""A person's own year ("my targets", issue 5's "one person's year" figure) is read through
the owner shortcut (``analytics.queries.own_records``): the same rows as the full visibility
rule narrowed to the person, never more — and whoever else asks for a person still goes
through the full rule."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from salescope.analytics.queries import own_records
from salescope.analytics.targets import target_variance
from salescope.org.visibility import visible
from salescope.plans.choices import Metric
from salescope.plans.models import Target
from tests.analytics.test_variance_reads import rollups  # noqa: F401 - actuals fixture

AS_OF = dt.date(2026, 7, 20)
VIEWERS = [
    "salesperson",
    "team_lead",
    "regional_manager",
    "director",
    "other_region_salesperson",
    "finance",
    "marketing",
    "admin",
]


def _report(viewer, plan, person_id, **filters):
    return target_variance(
        viewer=viewer,
        plan=plan,
        metric=Metric.SALES_AMOUNT,
        group_by=["month"],
        as_of=AS_OF,
        filters={"person": person_id, **filters},
    )


def _figures(report):
    return [(r.keys, r.target, r.actual, r.tracking) for r in report.rows]


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("action", ["view", "change"])
def test_own_records_are_the_visible_records_the_viewer_owns(decomposed, personas, viewer, action):
    user = personas[viewer]
    cells = Target.objects.unrestricted().filter(plan=decomposed)
    expected = set(
        visible(cells, viewer=user, action=action).filter(person=user).values_list("pk", flat=True)
    )
    got = set(own_records(cells, viewer=user, action=action).values_list("pk", flat=True))
    assert got == expected
    if viewer == "salesperson" and action == "view":
        assert len(got) == 13  # the person's year and its 12 months


def test_deactivated_or_anonymous_viewers_own_nothing(decomposed, personas):
    user = personas["salesperson"]
    cells = Target.objects.unrestricted().filter(plan=decomposed)
    assert own_records(cells, viewer=user).exists()
    user.is_active = False
    assert not own_records(cells, viewer=user).exists()
    assert not own_records(cells, viewer=AnonymousUser()).exists()


def test_my_year_equals_what_the_director_sees_of_me(decomposed, rollups, personas):  # noqa: F811
    me = personas["salesperson"]
    mine = _report(me, decomposed, me.pk)
    assert len(mine.rows) == 12
    months = Target.objects.unrestricted().filter(plan=decomposed, person=me, is_leaf=True)
    assert [r.target for r in mine.rows] == list(
        months.order_by("period_start").values_list("value", flat=True)
    )
    assert any(r.actual for r in mine.rows)
    assert _figures(mine) == _figures(_report(personas["director"], decomposed, me.pk))
    assert _figures(mine) == _figures(_report(personas["team_lead"], decomposed, me.pk))
    march = _report(me, decomposed, me.pk, month=dt.date(2026, 3, 1))
    assert _figures(march) == [f for f in _figures(mine) if f[0]["month"] == dt.date(2026, 3, 1)]


def test_asking_for_someone_else_still_follows_visibility(decomposed, rollups, personas):  # noqa: F811
    me = personas["salesperson"]
    stranger = personas["other_region_salesperson"]
    assert _report(stranger, decomposed, me.pk).rows == []
    assert _report(me, decomposed, stranger.pk).rows == []
    assert _report(personas["team_lead"], decomposed, stranger.pk).rows == []


def test_a_deactivated_person_gets_an_empty_year_not_an_error(decomposed, rollups, personas):  # noqa: F811
    me = personas["salesperson"]
    me.is_active = False
    report = _report(me, decomposed, me.pk)
    assert report.rows == []
    assert report.total is None


def test_my_year_reads_seven_queries(decomposed, rollups, personas, django_assert_num_queries):  # noqa: F811
    """The plan's levels, my cells, my actuals of the whole months (rollups) and of the month
    in progress up to the day (lines), and me with my unit's path; before each of the two
    narrowed reads of actuals, the visibility rule's one indexed look at the units I manage
    (none: the ids it resolves let the database plan by my real share). No org tree walk."""
    me = personas["salesperson"]
    with django_assert_num_queries(7):
        report = _report(me, decomposed, me.pk)
    assert len(report.rows) == 12
