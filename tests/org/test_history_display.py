"""A person's history of changes reads as a person would say it (issue 19, defects 4 and 10):
field labels and names ("单位: 上海一组 → 上海二组"), not "unit: 6 → 25"; the changes by
default, sign-ins and sign-outs only when asked for."""

import datetime as dt

from salescope.org import services
from salescope.org.models import OrgUnit


def test_history_shows_labels_and_names_and_hides_sign_ins(personas, login_client):
    zhangwei = personas["salesperson"]
    login_client(zhangwei)  # a sign-in row in his history
    services.move_person(
        actor=personas["admin"],
        person=zhangwei,
        unit=OrgUnit.objects.unrestricted().get(code="EAST-SH-2"),
        expected_version=zhangwei.version,
        effective_on=dt.date(2026, 4, 1),
    )
    client = login_client(personas["admin"])
    page = client.get(f"/org/people/{zhangwei.pk}/")
    html = page.content.decode()
    assert "<strong>单位</strong>: 上海一组 → 上海二组" in html
    assert "<strong>unit</strong>" not in html
    actions = [e.action for e in page.context["audit"]]
    assert "org.person.moved" in actions
    assert not [a for a in actions if a.startswith("core.session.")]
    with_sessions = client.get(f"/org/people/{zhangwei.pk}/?sessions=1")
    assert "core.session.logged_in" in [e.action for e in with_sessions.context["audit"]]
