"""G4: a director writes a scorecard template in the pages — head, KPI and rating lines with
weights, scoring rules, targets and bands — edits the draft, publishes it; errors show at
the field or line; a stale edit is refused (409); a published template is fixed; every
write is audited through the services."""

import datetime as dt

import pytest

from salescope.core.audit import AuditEntry
from salescope.core.errors import Conflict, PermissionDenied, StaleVersion, ValidationFailed
from salescope.performance import services
from salescope.performance.models import ScorecardTemplate

MONTH = dt.date(2099, 1, 1)
LINES = [
    {"kind": "kpi", "code": "sales", "weight": 60, "rule": "capped", "target": "50000"},
    {
        "kind": "rating",
        "code": "teamwork",
        "weight": 40,
        "rule": "bands",
        "bands": [[0, 0], [60, 80]],
    },
]


@pytest.fixture
def criteria(db):
    return services.ensure_default_criteria()


def _draft(director):
    return services.create_template(
        actor=director, name="月度考核", role="salesperson", effective_from=MONTH, items=LINES
    )


# --- the service -----------------------------------------------------------------------------


def test_a_draft_changes_with_its_version_and_the_change_is_audited(personas, criteria):
    director = personas["director"]
    draft = _draft(director)
    lines = [{**LINES[0], "weight": 70}, {**LINES[1], "weight": 30}]
    services.change_template(
        actor=director,
        template=draft,
        expected_version=draft.version,
        name="月度考核（新）",
        role="salesperson",
        effective_from=MONTH,
        items=lines,
    )
    assert draft.version == 2
    assert [i.weight for i in draft.items.order_by("position")] == [70, 30]
    entry = AuditEntry.objects.get(action="performance.template.changed")
    assert entry.changes["name"] == ["月度考核", "月度考核（新）"]
    old, new = entry.changes["items"]
    assert [row[2] for row in old] == [60, 40]
    assert [row[2] for row in new] == [70, 30]
    with pytest.raises(StaleVersion):
        services.change_template(
            actor=director,
            template=draft,
            expected_version=1,
            name="x",
            role="salesperson",
            effective_from=MONTH,
            items=lines,
        )


def test_a_bad_line_is_named_and_a_published_template_is_fixed(personas, criteria):
    director = personas["director"]
    draft = _draft(director)
    bad = [LINES[0], {**LINES[1], "code": "nonsense"}]
    with pytest.raises(ValidationFailed) as caught:
        services.change_template(
            actor=director,
            template=draft,
            expected_version=draft.version,
            name="x",
            role="salesperson",
            effective_from=MONTH,
            items=bad,
        )
    assert "2" in caught.value.fields["items"][0]
    with pytest.raises(PermissionDenied):
        services.change_template(
            actor=personas["team_lead"],
            template=draft,
            expected_version=draft.version,
            name="x",
            role="salesperson",
            effective_from=MONTH,
            items=LINES,
        )
    services.publish_template(actor=director, template=draft, expected_version=draft.version)
    with pytest.raises(Conflict):
        services.change_template(
            actor=director,
            template=draft,
            expected_version=draft.version,
            name="x",
            role="salesperson",
            effective_from=MONTH,
            items=LINES,
        )


# --- the pages -------------------------------------------------------------------------------


def _post(lines, **head):
    data = {
        "name": "业务员月度考核",
        "role": "salesperson",
        "effective_from": "2099-01",
        "reward_top": "1",
        "improve_bottom": "1",
        "items-TOTAL_FORMS": str(len(lines) + 1),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "30",
        **head,
    }
    for n, line in enumerate(lines):
        for key, value in line.items():
            data[f"items-{n}-{key}"] = value
    data[f"items-{len(lines)}-rule"] = "linear"  # the empty line the page adds: dropped
    data[f"items-{len(lines)}-cap"] = "120"
    return data


PAGE_LINES = [
    {"kind": "kpi", "code": "sales", "weight": "60", "rule": "capped", "target": "50000"},
    {"kind": "rating", "code": "teamwork", "weight": "40", "rule": "bands", "bands": "0:0, 60:80"},
]


def test_the_director_writes_edits_and_publishes_a_template_in_the_pages(
    personas, criteria, login_client
):
    client = login_client(personas["director"])
    listing = client.get("/performance/templates/")
    assert listing.status_code == 200
    assert b'data-testid="template-new"' in listing.content
    assert b'data-testid="to-templates"' in client.get("/performance/scorecards/").content
    assert client.get("/performance/templates/new/").status_code == 200

    response = client.post("/performance/templates/new/", _post(PAGE_LINES))
    assert response.status_code == 302
    made = ScorecardTemplate.objects.unrestricted().get(name="业务员月度考核")
    items = list(made.items.order_by("position"))
    assert [(i.kind, i.code, i.weight, i.rule) for i in items] == [
        ("kpi", "sales", 60, "capped"),
        ("rating", "teamwork", 40, "bands"),
    ]
    assert items[1].bands == [["0", "0"], ["60", "80"]]
    assert AuditEntry.objects.filter(action="performance.template.created").count() == 1

    edit = client.get(f"/performance/templates/{made.pk}/edit/")
    assert edit.status_code == 200
    assert "业务员月度考核" in edit.content.decode()
    lines = [{**PAGE_LINES[0], "weight": "50"}, {**PAGE_LINES[1], "weight": "50"}]
    response = client.post(
        f"/performance/templates/{made.pk}/edit/", _post(lines, version=str(made.version))
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert [i.weight for i in made.items.order_by("position")] == [50, 50]
    # The same form again, with the version it was read at: someone saved meanwhile → 409.
    stale = client.post(f"/performance/templates/{made.pk}/edit/", _post(lines, version="1"))
    assert stale.status_code == 409

    response = client.post(
        f"/performance/templates/{made.pk}/publish/", {"version": str(made.version)}
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.status == "published"
    assert (
        client.post(
            f"/performance/templates/{made.pk}/edit/", _post(lines, version=str(made.version))
        ).status_code
        == 409
    )


def test_errors_show_at_the_field_and_line(personas, criteria, login_client):
    client = login_client(personas["director"])
    no_target = [{**PAGE_LINES[0], "target": ""}, PAGE_LINES[1]]
    response = client.post("/performance/templates/new/", _post(no_target, name=""))
    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-testid="error-name"' in page
    assert 'data-testid="error-items-0-target"' in page
    weights = [{**PAGE_LINES[0], "weight": "10"}, PAGE_LINES[1]]
    response = client.post("/performance/templates/new/", _post(weights))
    assert response.status_code == 422
    assert 'data-testid="form-errors"' in response.content.decode()
    bands = [PAGE_LINES[0], {**PAGE_LINES[1], "bands": "zero"}]
    response = client.post("/performance/templates/new/", _post(bands))
    assert 'data-testid="error-items-1-bands"' in response.content.decode()
    assert not ScorecardTemplate.objects.unrestricted().exists()


def test_only_those_who_manage_templates_reach_the_form(personas, criteria, login_client):
    client = login_client(personas["salesperson"])
    assert client.get("/performance/templates/").status_code == 200
    assert b'data-testid="template-new"' not in client.get("/performance/templates/").content
    assert client.post("/performance/templates/new/", _post(PAGE_LINES)).status_code == 403
    assert not ScorecardTemplate.objects.unrestricted().exists()
