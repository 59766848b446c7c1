"""The page shell: login lands on the role home page in the browser's language."""

import pytest

pytestmark = pytest.mark.django_db


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_salesperson_home_shows_name_unit_chain_and_navigation(personas, login_client):
    client = login_client(personas["salesperson"])
    html = client.get("/").content.decode()
    assert "张伟" in html
    assert "华远食品有限公司 › 华东大区 › 上海分公司 › 上海一组" in html
    assert 'data-testid="main-nav"' in html


def test_only_areas_that_exist_are_shown(personas, login_client):
    """Issue 19: no greyed "not available yet" cards or links; an area appears when its app
    does: every area's link answers."""
    from salescope.core.navigation import navigation

    html = login_client(personas["salesperson"]).get("/").content.decode()
    assert "opacity-50" not in html
    assert 'aria-disabled="true"' not in html
    assert "即将推出" not in html
    keys = [a["key"] for a in navigation()]
    assert all(a["url"] for a in navigation())
    assert {"plans", "tracking", "pipeline", "leads", "customers", "analytics", "org"} <= set(keys)
    assert {"performance", "expenses", "forecasting"} <= set(keys)
    director = login_client(personas["director"])
    for area in navigation():
        assert director.get(area["url"], follow=True).status_code == 200, area["key"]


def test_evaluation_and_commissions_lead_to_each_other_under_one_area(personas, login_client):
    director = login_client(personas["director"])
    kpis = director.get("/performance/").content.decode()
    statements = director.get("/commissions/").content.decode()
    assert 'href="/commissions/"' in kpis
    assert 'href="/performance/"' in statements
    # 提成 lives under 考核与激励 in the navigation
    assert 'class="nav-link active" href="/performance/" aria-current="page"' in statements


def test_navigation_links_follow_the_script_prefix(db):
    from django.urls import get_script_prefix, set_script_prefix

    from salescope.core.navigation import navigation

    before = get_script_prefix()
    plain = {a["key"]: a["url"] for a in navigation()}
    set_script_prefix("/salescope/")
    try:
        prefixed = {a["key"]: a["url"] for a in navigation("/salescope/customers/")}
    finally:
        set_script_prefix(before)

    assert prefixed == {key: "/salescope" + url for key, url in plain.items()}
    assert {a["key"]: a["url"] for a in navigation()} == plain
