"""Every tracking row drills down (B1): region → teams → people → months → the sales lines;
quarter → months; each level's rows add up to the row they came from; the viewer sees only
what the one visibility rule lets them see."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from salescope.org.models import OrgUnit

pytestmark = pytest.mark.django_db


def _links(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'data-href="([^"]+)"', html)]


def _row_of(html: str, label: str) -> str:
    """The drill-down link of the row labelled ``label``."""
    for row in re.findall(r"<tr[^>]*data-href=\"[^\"]+\"[^>]*>.*?</tr>", html, flags=re.S):
        if f">{label}<" in row:
            return re.search(r'data-href="([^"]+)"', row).group(1).replace("&amp;", "&")
    raise AssertionError(f"no drill-down row for {label}")


def _targets(html: str) -> list[str]:
    table = html.split('data-testid="variance-table"')[1].split("<tfoot")[0]
    return re.findall(r'<td class="text-end font-monospace">([-\d,.]+)</td>', table)


def _total(html: str) -> str:
    foot = html.split('data-testid="variance-table"')[1].split("<tfoot")[1]
    return re.findall(r'font-monospace">([-\d,.]+)<', foot)[0]


def _query(href: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}


def test_region_to_teams_to_people_to_months_to_lines(decomposed, personas, login_client):
    client = login_client(personas["director"])
    top = client.get("/tracking/", {"plan": decomposed.pk, "group_by": "region"}).content.decode()
    assert len(_links(top)) == 4  # every region row is clickable
    east = OrgUnit.objects.unrestricted().get(code="EAST")
    href = _row_of(top, east.name)
    assert _query(href)["group_by"] == "unit"
    assert _query(href)["unit"] == str(east.pk)

    teams = client.get(href).content.decode()
    assert 'data-testid="drilled"' in teams
    assert east.name in teams
    assert _total(teams) == "3,000,000.00"  # the teams of 华东 add up to its row
    team = personas["salesperson"].unit
    people = client.get(_row_of(teams, team.name)).content.decode()
    assert _query(_row_of(people, personas["salesperson"].display_name))["group_by"] == "month"

    months = client.get(_row_of(people, personas["salesperson"].display_name)).content.decode()
    leaf_links = _links(months)
    assert len(leaf_links) == 12
    assert all(link.startswith("/tracking/lines/?") for link in leaf_links)
    lines = _query(leaf_links[2])
    assert lines["person"] == str(personas["salesperson"].pk)
    assert lines["month"] == "2026-03"
    assert client.get(leaf_links[2]).status_code == 200


def test_a_quarter_drills_to_its_three_months_which_add_up_to_it(
    decomposed, personas, login_client
):
    client = login_client(personas["director"])
    top = client.get("/tracking/", {"plan": decomposed.pk, "group_by": "quarter"}).content.decode()
    href = _row_of(top, "2026Q2")
    query = _query(href)
    assert (query["group_by"], query["from"], query["to"]) == ("month", "2026-04", "2026-06")
    months = client.get(href).content.decode()
    assert len(_links(months)) == 3
    q2 = top.split(">2026Q2<")[1]
    assert _total(months) == re.findall(r'font-monospace">([-\d,.]+)<', q2)[0]


def test_a_month_drills_to_the_regions_of_that_month(decomposed, personas, login_client):
    client = login_client(personas["director"])
    top = client.get("/tracking/", {"plan": decomposed.pk, "group_by": "month"}).content.decode()
    regions = client.get(_links(top)[0]).content.decode()
    assert len(_links(regions)) == 4
    assert _total(regions) == _targets(top)[0]  # the regions' January adds up to January


def test_drilling_shows_only_what_the_viewer_may_see(decomposed, personas, login_client):
    south = OrgUnit.objects.unrestricted().get(code="SOUTH")
    client = login_client(personas["salesperson"])
    page = client.get(
        "/tracking/", {"plan": decomposed.pk, "group_by": "unit", "unit": south.pk}
    ).content.decode()
    assert not _links(page)  # 张伟 sees nothing of 华南, even with its id in the address
    assert south.name not in page.split('data-testid="variance-table"')[1]
    other = personas["other_region_salesperson"]
    page = client.get(
        "/tracking/", {"plan": decomposed.pk, "group_by": "month", "person": other.pk}
    ).content.decode()
    assert not _links(page)
    assert other.display_name not in page
