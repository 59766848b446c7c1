"""The history tables say what happened in words ("目标 · 已分解"), not the action's code."""

import re
from pathlib import Path

from django.utils import translation

from salescope.core import audit
from salescope.core.audit_labels import describe
from salescope.plans.services.plans import _PAST

ROOT = Path(__file__).resolve().parents[2]


def recorded_actions() -> set[str]:
    """Every action code the product's services record, read from their source."""
    found = set()
    for path in (ROOT / "salescope").rglob("*.py"):
        found |= set(re.findall(r'action="([a-z_]+\.[a-z_]+\.[a-z_]+)"', path.read_text()))
    return found | {f"plans.plan.{past}" for past in _PAST.values()}


def test_every_recorded_action_reads_in_words_in_chinese_and_english():
    actions = recorded_actions()
    assert len(actions) > 50  # the scan found the services' actions
    for language in ("zh-hans", "en"):
        with translation.override(language):
            unread = sorted(a for a in actions if describe(a) == a)
            assert unread == [], language


def test_an_action_reads_as_its_object_and_what_happened():
    with translation.override("zh-hans"):
        assert describe("plans.target.decomposed") == "目标 · 已分解"
        assert describe("core.session.logged_in", "org.user") == "登录"
        assert describe("org.person.moved", "org.user") == "人员 · 已调动"
        assert describe("something.new.happened") == "something.new.happened"


def test_the_person_page_history_shows_the_login_in_words(personas, login_client):
    zhangwei = personas["salesperson"]
    audit.record(actor=zhangwei, action="core.session.logged_in", obj=zhangwei)

    client = login_client(zhangwei)
    # sign-ins are shown on asking (issue 19: the changes by default)
    page = client.get("/org/me/?sessions=1").content.decode()

    actions = re.findall(r'data-testid="history-action">([^<]*)<', page)
    assert "登录" in actions
    assert not any("core.session" in a for a in actions)
    default = client.get("/org/me/").content.decode()
    assert "登录" not in re.findall(r'data-testid="history-action">([^<]*)<', default)
