"""A short English word can mean different things in different apps ("Move" a person to
another unit, "Move" a deal to its next stage). Django merges every app's catalogue and the
first app's translation wins, so such words are translated in a context of their own."""

import pytest
from django.utils import translation
from django.utils.translation import pgettext


@pytest.mark.parametrize(
    ("context", "word", "chinese"),
    [
        ("pipeline stage", "Move", "推进"),
        ("lead source", "Medium", "媒介"),
        ("distribution rule", "When", "条件"),
        ("visit time", "When", "时间"),
        ("plan a visit", "Plan", "加入计划"),
    ],
)
def test_a_word_shared_by_apps_reads_as_its_own_app_means_it(context, word, chinese):
    with translation.override("zh-hans"):
        assert pgettext(context, word) == chinese


def test_a_deal_page_moves_the_deal_forward_not_a_person(personas, login_client):
    from tests.pipeline.world import make_opportunity, make_pipeline

    seller = personas["salesperson"]
    deal = make_opportunity(seller, make_pipeline(personas["admin"]))
    page = login_client(seller).get(f"/pipeline/{deal.pk}/").content.decode()
    assert "推进" in page
    assert "调动" not in page


@pytest.mark.parametrize(
    ("app_word", "chinese"),
    [
        ("pipeline.StageKind.LOST", "输单"),
        ("pipeline.StageKind.OPEN", "进行中"),
        ("activities.VisitType.COLLECTION", "回款拜访"),
        ("activities.ItemKind.NUMBER", "数字"),
    ],
)
def test_a_choice_reads_as_its_own_app_means_it_whatever_app_loads_first(app_word, chinese):
    # Customers (loaded first) call a lost customer 已流失 and its number 编号; a lost deal is 输单.
    from importlib import import_module

    app, enum_name, member = app_word.split(".")
    enum = getattr(import_module(f"salescope.{app}.choices"), enum_name)
    with translation.override("zh-hans"):
        assert str(enum[member].label) == chinese
