"""The settings a heavy read asks of PostgreSQL: the session's room for its transaction, and a
setting for one query inside it, given back afterwards (elsewhere: nothing)."""

import pytest
from django.db import connection

from salescope.core.db import for_one_query, read_session


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [name])
        return cursor.fetchone()[0]


def _work_mem() -> str:
    return _setting("work_mem")


@pytest.mark.django_db(transaction=True)
def test_one_query_gets_more_room_and_the_session_its_own_back():
    if connection.vendor != "postgresql":
        with read_session(), for_one_query(work_mem="256MB"):
            pass  # nothing to set, and nothing fails
        return
    before = _work_mem()
    with read_session():
        assert _work_mem() == "64MB"
        with for_one_query(work_mem="256MB"):
            assert _work_mem() == "256MB"
        assert _work_mem() == "64MB"
        with for_one_query():
            assert _work_mem() == "64MB"
    assert _work_mem() == before  # the transaction's settings ended with it


@pytest.mark.django_db(transaction=True)
def test_more_room_outside_a_transaction_sets_nothing():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's settings")
    before = _work_mem()
    with for_one_query(work_mem="256MB"):
        assert _work_mem() == before


@pytest.mark.django_db(transaction=True)
def test_a_planner_setting_holds_for_the_queries_inside_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's settings")
    with read_session():
        with for_one_query(enable_sort="off", work_mem="128MB"):
            assert (_setting("enable_sort"), _work_mem()) == ("off", "128MB")
        assert (_setting("enable_sort"), _work_mem()) == ("on", "64MB")
