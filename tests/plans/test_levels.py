"""Percentage targets (market share, brand awareness) are levels, set per unit through the
product: decomposing copies the level into each part, editing a part changes no other cell,
importing keeps a total row as typed, and the grid folds the parts by their mean."""

import datetime as dt
import json

import pytest

from salescope.analytics.targets import target_variance
from salescope.catalog.models import Category
from salescope.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from salescope.core.models import AuditEntry
from salescope.org.models import OrgUnit
from salescope.plans import services, xlsx
from salescope.plans.choices import Axis, Method, Metric
from salescope.plans.models import Target
from salescope.plans.services import CellEdit, Step
from tests.plans.test_xlsx import _save

REGIONS = ["EAST", "SOUTH", "NORTH", "WEST"]


@pytest.fixture
def share(plan, personas):
    """The plan's market share: 19 % for the company, not yet decomposed."""
    return services.set_plan_target(
        actor=personas["director"], plan=plan, metric=Metric.MARKET_SHARE, value=19_00
    )


def _regions(root):
    cells = Target.objects.unrestricted().filter(parent=root).select_related("unit")
    return {cell.unit.code: cell for cell in cells}


def _snapshot(plan):
    return sorted(
        Target.objects.unrestricted()
        .filter(plan=plan)
        .values_list("pk", "value", "locked", "version")
    )


def test_decomposing_a_market_share_gives_every_region_the_companys_level(share, personas):
    weights = [1, 2, 3, 4]
    created = services.decompose_target(
        actor=personas["director"],
        target=share,
        steps=[Step(Axis.ORG, Method.CUSTOM, weights)],
        expected_version=share.version,
    )

    regions = _regions(share)
    assert created == 4
    assert {code: cell.value for code, cell in regions.items()} == dict.fromkeys(REGIONS, 19_00)
    share.refresh_from_db()
    assert share.value == 19_00  # not 76 %: the parts do not add up to the parent
    assert (share.children_axis, share.method) == (Axis.ORG, Method.EQUAL)  # no weights apply
    entry = AuditEntry.objects.get(action="plans.target.decomposed")
    assert entry.changes["steps"] == [["org", "equal"]]
    assert entry.changes["cells_created"] == 4


def test_a_level_decomposes_along_org_time_and_product(share, personas):
    drinks = Category.objects.create(code="DRINK", name="饮料", path="81/")
    snacks = Category.objects.create(code="SNACK", name="零食", path="82/")
    director = personas["director"]
    services.decompose_target(
        actor=director,
        target=share,
        steps=[Step(Axis.ORG), Step(Axis.MONTH, Method.SEASONALITY)],
    )
    east = _regions(share)["EAST"]
    services.decompose_target(
        actor=director, target=east, steps=[Step(Axis.QUARTER), Step(Axis.PRODUCT)]
    )

    cells = Target.objects.unrestricted().filter(plan=share.plan, metric=Metric.MARKET_SHARE)
    assert cells.count() == 1 + 4 + 3 * 12 + 4 + 4 * 2
    assert set(cells.values_list("value", flat=True)) == {19_00}
    products = cells.filter(category__isnull=False)
    assert set(products.values_list("category_id", flat=True)) == {drinks.pk, snacks.pk}
    assert products.filter(grain="quarter").count() == 8


def test_editing_one_regions_level_leaves_the_others_and_the_parent_unchanged(share, personas):
    director = personas["director"]
    services.decompose_target(
        actor=director, target=share, steps=[Step(Axis.ORG), Step(Axis.MONTH)]
    )
    share.refresh_from_db()
    regions = _regions(share)
    east, south = regions["EAST"], regions["SOUTH"]
    before = {pk: (value, version) for pk, value, _locked, version in _snapshot(share.plan)}

    services.edit_cells(
        actor=director,
        parent=share,
        edits=[
            CellEdit(east.pk, east.version, value=18_00),
            CellEdit(south.pk, south.version, value=20_00),
        ],
    )

    after = {pk: (value, version) for pk, value, _locked, version in _snapshot(share.plan)}
    assert after[east.pk] == (18_00, east.version + 1)
    assert after[south.pk] == (20_00, south.version + 1)
    untouched = {pk for pk in before if pk not in (east.pk, south.pk)}
    assert {pk: after[pk] for pk in untouched} == {pk: before[pk] for pk in untouched}
    # the parent, the other regions and the regions' months (no re-spread below)
    assert Target.objects.unrestricted().get(pk=share.pk).value == 19_00
    assert set(
        Target.objects.unrestricted().filter(parent=east).values_list("value", flat=True)
    ) == {19_00}
    assert (
        not Target.objects.unrestricted().filter(pk__in=[east.pk, south.pk], locked=True).exists()
    )
    entry = AuditEntry.objects.get(action="plans.target.edited")
    assert entry.changes == {
        east.label: [[19_00, False, None], [18_00, False]],
        south.label: [[19_00, False, None], [20_00, False]],
        "cells_respread": 0,
    }


def test_every_region_may_aim_above_the_companys_level(share, personas):
    """Four regions at 30 % are not locks exceeding a 19 % total: levels do not add up."""
    director = personas["director"]
    services.decompose_target(actor=director, target=share, steps=[Step(Axis.ORG)])
    edits = [CellEdit(c.pk, c.version, value=30_00) for c in _regions(share).values()]

    services.edit_cells(actor=director, parent=share, edits=edits)

    assert {c.value for c in _regions(share).values()} == {30_00}
    assert Target.objects.unrestricted().get(pk=share.pk).value == 19_00


def test_a_stale_level_edit_is_refused_and_changes_nothing(share, personas):
    director = personas["director"]
    services.decompose_target(actor=director, target=share, steps=[Step(Axis.ORG)])
    east = _regions(share)["EAST"]
    services.edit_cells(
        actor=director, parent=share, edits=[CellEdit(east.pk, east.version, value=18_00)]
    )
    before, audits = _snapshot(share.plan), AuditEntry.objects.count()

    with pytest.raises(StaleVersion) as stale:
        services.edit_cells(
            actor=director, parent=share, edits=[CellEdit(east.pk, east.version, value=25_00)]
        )

    assert stale.value.status == 409
    assert stale.value.extra["current_version"] == east.version + 1
    assert _snapshot(share.plan) == before
    assert AuditEntry.objects.count() == audits


def test_a_salesperson_cannot_set_a_regions_level(share, personas):
    services.decompose_target(actor=personas["director"], target=share, steps=[Step(Axis.ORG)])
    east = _regions(share)["EAST"]
    before, audits = _snapshot(share.plan), AuditEntry.objects.count()

    with pytest.raises(PermissionDenied):
        services.edit_cells(
            actor=personas["salesperson"],
            parent=share,
            edits=[CellEdit(east.pk, east.version, value=50_00)],
        )

    assert _snapshot(share.plan) == before
    assert AuditEntry.objects.count() == audits


def test_changing_the_companys_level_keeps_the_regions_own_levels(share, personas):
    director = personas["director"]
    services.decompose_target(actor=director, target=share, steps=[Step(Axis.ORG)])
    east = _regions(share)["EAST"]
    services.edit_cells(
        actor=director, parent=share, edits=[CellEdit(east.pk, east.version, value=18_00)]
    )

    services.set_plan_target(
        actor=director, plan=share.plan, metric=Metric.MARKET_SHARE, value=21_00
    )

    assert Target.objects.unrestricted().get(pk=share.pk).value == 21_00
    levels = {code: c.value for code, c in _regions(share).items()}
    assert levels == {"EAST": 18_00, "SOUTH": 19_00, "NORTH": 19_00, "WEST": 19_00}


def _row(cell, value):
    return [
        cell.metric,
        cell.unit.code,
        "",
        "",
        "",
        cell.period_start.isoformat(),
        cell.period_end.isoformat(),
        value,
        "",
    ]


HEADER = [
    "metric",
    "unit",
    "person",
    "category",
    "customer",
    "period_start",
    "period_end",
    "target",
    "bottom_up",
]


def test_importing_a_level_keeps_the_total_row_as_imported(share, personas):
    director = personas["director"]
    services.decompose_target(actor=director, target=share, steps=[Step(Axis.ORG)])
    share.refresh_from_db()
    east = _regions(share)["EAST"]
    rows = [HEADER, _row(share, "20.50"), _row(east, "18.00")]

    result = services.import_targets(
        actor=director, plan=share.plan, rows=xlsx.read_rows(_save(rows))
    )

    assert result.errors == []
    assert (result.accepted, result.updated, result.recomputed) == (2, 2, 0)
    assert Target.objects.unrestricted().get(pk=share.pk).value == 20_50  # not 18 + 19 × 3
    levels = {code: c.value for code, c in _regions(share).items()}
    assert levels == {"EAST": 18_00, "SOUTH": 19_00, "NORTH": 19_00, "WEST": 19_00}

    again = services.import_targets(
        actor=director, plan=share.plan, rows=xlsx.read_rows(_save(rows))
    )
    assert (again.updated, again.unchanged, again.errors) == (0, 2, [])


def test_the_variance_report_shows_each_regions_level_and_their_mean(share, personas):
    """Company 19 %; 华东 and 华南 decomposed, then set to 18 % and 20 %."""
    director = personas["director"]
    members = list(
        OrgUnit.objects.unrestricted()
        .filter(code__in=["EAST", "SOUTH"])
        .values_list("pk", flat=True)
    )
    services.decompose_target(actor=director, target=share, steps=[Step(Axis.ORG, members=members)])
    regions = _regions(share)
    services.edit_cells(
        actor=director,
        parent=share,
        edits=[
            CellEdit(regions["EAST"].pk, regions["EAST"].version, value=18_00),
            CellEdit(regions["SOUTH"].pk, regions["SOUTH"].version, value=20_00),
        ],
    )

    report = target_variance(
        viewer=director,
        plan=share.plan,
        metric=Metric.MARKET_SHARE,
        group_by=["region"],
        as_of=dt.date(2026, 3, 15),
    )

    by_region = {row.keys["region"]: row.target for row in report.rows}
    assert by_region == {regions["EAST"].unit_id: 18_00, regions["SOUTH"].unit_id: 20_00}
    assert report.total.target == 19_00
    assert report.total.tracking.pace == 19_00


def test_the_grid_of_a_level_shows_the_mean_of_the_parts(share, personas, login_client):
    director = personas["director"]
    services.decompose_target(actor=director, target=share, steps=[Step(Axis.ORG)])
    regions = _regions(share)
    services.edit_cells(
        actor=director,
        parent=share,
        edits=[
            CellEdit(regions["EAST"].pk, regions["EAST"].version, value=18_00),
            CellEdit(regions["SOUTH"].pk, regions["SOUTH"].version, value=21_00),
        ],
    )

    page = login_client(director).get(f"/plans/targets/{share.pk}/").content.decode()

    footer = page.split('data-testid="parts-total"')[1].split("</tr>")[0]
    assert "各部分平均" in footer
    assert "19.25" in footer  # (18 + 21 + 19 + 19) ÷ 4
    assert "各部分合计" not in page
    assert "77.00" not in page
    hint = page.split('data-testid="grid-hint"')[1].split("</p>")[0]
    assert "各部分之和" not in hint
    assert f'name="locked-{regions["EAST"].pk}"' not in page
    decompose = page.split('data-testid="decompose"')[1].split("</form>")[0]
    assert '<select name="method"' not in decompose  # no seasonality or weights to choose
    assert "按历史季节性" not in decompose
    assert 'name="method" value="equal"' in decompose


def test_the_grid_of_an_amount_still_shows_the_sum(decomposed, personas, login_client):
    root = decomposed.targets.get(parent=None)

    page = login_client(personas["director"]).get(f"/plans/targets/{root.pk}/").content.decode()

    footer = page.split('data-testid="parts-total"')[1].split("</tr>")[0]
    assert "各部分合计" in footer
    assert "12,000,000.00" in footer
    assert "各部分平均" not in page


def test_saving_the_grid_of_a_level_keeps_the_typed_level_only(share, personas, login_client):
    director = personas["director"]
    services.decompose_target(actor=director, target=share, steps=[Step(Axis.ORG)])
    east = _regions(share)["EAST"]
    before = {pk: value for pk, value, _locked, _v in _snapshot(share.plan) if pk != east.pk}
    form = {
        f"version-{east.pk}": east.version,
        f"orig-{east.pk}": east.value,
        f"value-{east.pk}": "17.5",
        f"orig_bottom_up-{east.pk}": "",
        f"bottom_up-{east.pk}": "",
    }

    response = login_client(director).post(f"/plans/targets/{share.pk}/", form, follow=True)

    assert "已保存，各部分保留您输入的水平。" in response.content.decode()
    east.refresh_from_db()
    assert (east.value, east.locked) == (17_50, False)
    after = {pk: value for pk, value, _locked, _v in _snapshot(share.plan) if pk != east.pk}
    assert after == before


def test_the_api_decomposes_and_edits_a_level(share, personas, api_client):
    client = api_client(personas["director"])
    body = {"version": share.version, "steps": [{"axis": "org", "method": "last_year"}]}
    response = client.post(
        f"/api/v1/targets/{share.pk}/decompose",
        data=json.dumps(body),
        content_type="application/json",
    )
    assert response.json() == {"cells_created": 4}
    east = _regions(share)["EAST"]

    cells = {"cells": [{"id": east.pk, "version": east.version, "value": "18.00"}]}
    response = client.post(
        f"/api/v1/targets/{share.pk}/cells",
        data=json.dumps(cells),
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    assert [c["value"] for c in response.json()] == ["18.00", "19.00", "19.00", "19.00"]


def test_a_percentage_above_100_is_refused_everywhere_and_changes_nothing(
    share, personas, api_client
):
    """Typed, drafted, imported or sent to the API: 100.01 % is an error at the field."""
    TOO_HIGH = "百分比不能超过 100。"  # noqa: N806 - the message as a user reads it
    director = personas["director"]
    services.decompose_target(actor=director, target=share, steps=[Step(Axis.ORG)])
    share.refresh_from_db()
    east = _regions(share)["EAST"]
    before, last_audit = _snapshot(share.plan), AuditEntry.objects.latest("pk").pk

    with pytest.raises(ValidationFailed) as total:
        services.set_plan_target(
            actor=director, plan=share.plan, metric=Metric.MARKET_SHARE, value=100_01
        )
    assert total.value.fields == {"value": [TOO_HIGH]}
    with pytest.raises(ValidationFailed) as edit:
        services.edit_cells(
            actor=director, parent=share, edits=[CellEdit(east.pk, east.version, value=120_00)]
        )
    assert edit.value.fields == {str(east.pk): [TOO_HIGH]}
    with pytest.raises(ValidationFailed) as draft:
        services.set_bottom_up(
            actor=director, target=east, value=100_50, expected_version=east.version
        )
    assert draft.value.fields == {"bottom_up": [TOO_HIGH]}
    imported = services.import_targets(
        actor=director, plan=share.plan, rows=xlsx.read_rows(_save([HEADER, _row(east, "101")]))
    )
    assert imported.errors == [{"line": 2, "column": "target", "reason": TOO_HIGH}]
    response = api_client(director).post(
        f"/api/v1/targets/{share.pk}/cells",
        data=json.dumps({"cells": [{"id": east.pk, "version": east.version, "value": "150"}]}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {str(east.pk): [TOO_HIGH]}
    assert _snapshot(share.plan) == before
    written = AuditEntry.objects.filter(pk__gt=last_audit, action__startswith="plans.")
    assert list(written.values_list("action", flat=True)) == ["plans.target.imported"]

    # 100 % itself is a level one may aim for
    services.edit_cells(
        actor=director, parent=share, edits=[CellEdit(east.pk, east.version, value=100_00)]
    )
    assert Target.objects.unrestricted().get(pk=east.pk).value == 100_00


def test_a_rejected_import_row_reports_every_error_it_has(share, personas):
    row = _row(share, "+cmd|' /C calc'!A0")
    row[5] = "2026-13-01"  # period_start
    row[6] = "=TODAY()"  # period_end

    result = services.import_targets(
        actor=personas["director"], plan=share.plan, rows=xlsx.read_rows(_save([HEADER, row]))
    )

    assert result.rejected == 1
    assert sorted(e["column"] for e in result.errors) == ["period_end", "period_start", "target"]
    assert {e["line"] for e in result.errors} == {2}
