"""Long lists count their total only as far as the pages in reach need (core/paging.py)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescope.core.paging import CappedPaginator, capped_page, page_number
from salescope.customers.models import Customer


@pytest.fixture
def customers(db):
    Customer.objects.bulk_create(
        Customer(code=f"C{n:03}", name=f"客户{n}", name_normalized=f"客户{n}") for n in range(37)
    )
    return Customer.objects.unrestricted().order_by("code")


def test_a_short_list_is_counted_exactly(customers):
    page = CappedPaginator(customers, 5, min_cap=100).get_page(1)
    assert (page.paginator.count, page.paginator.capped, page.paginator.num_pages) == (37, False, 8)


def test_a_long_list_says_more_than_the_cap_and_next_still_works(customers):
    pager = CappedPaginator(customers, 5, page_hint=1, min_cap=10, lookahead_pages=1)
    assert pager.capped
    assert pager.shown_count == 10
    page = pager.get_page(2)
    assert page.has_next()
    assert [c.code for c in page] == ["C005", "C006", "C007", "C008", "C009"]


# The fixture's rows are only read, so sharing them between examples is safe.
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(per_page=st.integers(1, 9), number=st.integers(1, 12), lookahead=st.integers(0, 2))
def test_every_page_holds_the_rows_an_exact_pager_would_show(
    customers, per_page, number, lookahead
):
    pager = CappedPaginator(
        customers, per_page, page_hint=number, min_cap=1, lookahead_pages=lookahead
    )
    page = pager.get_page(number)
    last = -(-37 // per_page)
    expected_number = min(number, last)
    start = (expected_number - 1) * per_page
    assert page.number == expected_number
    assert [c.code for c in page] == [f"C{n:03}" for n in range(start, min(start + per_page, 37))]
    # Next is offered exactly when rows follow this page (with a look-ahead of one page or
    # more; with none, the reader sees "+" and the cap grows when they ask for the next page).
    if lookahead:
        assert page.has_next() == (start + per_page < 37)
    assert pager.capped == (pager.cap < 37)


def test_the_page_helper_reads_the_page_from_the_query_string(customers):
    assert [c.code for c in capped_page(customers, 10, "2")] == [f"C{n:03}" for n in range(10, 20)]


@pytest.mark.parametrize(("raw", "number"), [("3", 3), ("", 1), ("0", 1), ("-2", 1), ("x", 1)])
def test_page_numbers_from_the_query_string(raw, number):
    assert page_number(raw) == number


def test_a_count_up_to_counts_ids_only_and_without_the_order(customers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from salescope.core.paging import count_up_to

    rows = customers.select_related("owner", "territory").values_list("code", "owner__username")
    with CaptureQueriesContext(connection) as queries:
        assert count_up_to(rows, 11) == 11
        assert count_up_to(rows, 100) == 37
    # Only the id is selected: the LEFT joins then drop out of both databases' plans.
    sql = queries.captured_queries[0]["sql"].upper()
    inner = sql.split("FROM (SELECT ", 1)[1].split(" FROM ", 1)[0]
    assert inner == '"CUSTOMERS_CUSTOMER"."ID" AS "PK"'
    assert "ORDER BY" not in sql
    assert "LIMIT 11" in sql


def test_a_distinct_or_grouped_list_is_counted_as_it_is(customers):
    from django.db.models import Count

    from salescope.core.paging import count_up_to

    Customer.objects.unrestricted().filter(code__lt="C010").update(tier="A")
    tiers = customers.order_by().values_list("tier", flat=True).distinct()
    grouped = customers.order_by().values("tier").annotate(n=Count("id"))

    assert count_up_to(tiers, 100) == 2
    assert count_up_to(grouped, 100) == 2
