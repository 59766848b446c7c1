"""The tracking page opens grouped the way the reader's figures make sense: a salesperson sees
their own figures by month (not one row labelled with their region's name, as if it were the
region's); managers and company-wide readers by region (issue 19, defect 7)."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_salesperson_opens_on_their_months(decomposed, personas, login_client):
    page = login_client(personas["salesperson"]).get(f"/tracking/?plan={decomposed.pk}")
    assert page.status_code == 200
    report = page.context["report"]
    assert report.group_by == ["month"]
    assert [r.labels["month"] for r in report.rows][:3] == ["2026-01", "2026-02", "2026-03"]
    assert all("region" not in r.labels for r in report.rows)
    assert '<option value="month" selected>' in page.content.decode()


@pytest.mark.parametrize("persona", ["team_lead", "regional_manager", "director"])
def test_managers_open_on_regions(decomposed, personas, login_client, persona):
    page = login_client(personas[persona]).get(f"/tracking/?plan={decomposed.pk}")
    assert page.context["report"].group_by == ["region"]
    assert '<option value="region" selected>' in page.content.decode()


def test_a_grouping_asked_for_is_kept(decomposed, personas, login_client):
    page = login_client(personas["salesperson"]).get(
        f"/tracking/?plan={decomposed.pk}&group_by=quarter"
    )
    assert page.context["report"].group_by == ["quarter"]
