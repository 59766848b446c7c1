"""Statements per person and month: tiers by attainment, caps, recomputation that changes
nothing, approval that freezes, a new revision with the difference, clawback for an invoice
written off, who sees what, the payroll XLSX and the CLI."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from salescope.commissions import queries, services
from salescope.commissions.choices import StatementStatus
from salescope.commissions.models import Statement
from salescope.core.errors import Conflict, PermissionDenied, StaleVersion
from salescope.core.models import AuditEntry
from salescope.ledger.choices import InvoiceStatus
from salescope.ledger.models import Invoice
from tests.commissions.conftest import PERIOD, add_sales
from tests.customers.leaks import make_customer

DECEMBER = dt.date(2026, 12, 1)


def _statement(person, period=PERIOD):
    return (
        Statement.objects.unrestricted()
        .filter(person=person, period=period)
        .order_by("-revision")
        .first()
    )


@pytest.fixture
def computed(personas, commission_plan):
    add_sales(personas["salesperson"], 90_000_00)  # 90 % of 100,000 → 2 %
    add_sales(personas["other_region_salesperson"], 250_000_00)  # 125 % → 3 %, capped
    services.compute_statements(actor=personas["finance"], period=PERIOD)
    return personas


def test_the_tier_reached_pays_the_base_and_the_cap_holds(computed):
    zhang = _statement(computed["salesperson"])
    assert (zhang.base_fen, zhang.attainment_bp, zhang.rate_bp) == (90_000_00, 9000, 200)
    assert (zhang.payout_fen, zhang.total_fen, zhang.status) == (1_800_00, 1_800_00, "draft")
    chen = _statement(computed["other_region_salesperson"])
    assert (chen.attainment_bp, chen.rate_bp, chen.uncapped_fen) == (12500, 300, 7_500_00)
    assert chen.payout_fen == chen.total_fen == 5_000_00
    entry = AuditEntry.objects.get(action="commissions.statements.computed")
    assert entry.changes["created"] == 2
    assert entry.actor == computed["finance"]


def test_recomputing_an_unchanged_month_changes_nothing(computed):
    before = list(Statement.objects.unrestricted().values_list("pk", "version", "computed_at"))
    result = services.compute_statements(actor=computed["finance"], period=PERIOD)
    assert (result.unchanged, result.created, result.updated, result.revised) == (2, 0, 0, 0)
    after = list(Statement.objects.unrestricted().values_list("pk", "version", "computed_at"))
    assert after == before
    assert AuditEntry.objects.filter(action="commissions.statements.computed").count() == 1


def test_an_approved_statement_is_frozen_and_a_change_is_a_new_revision(computed):
    finance, zhang = computed["finance"], computed["salesperson"]
    first = _statement(zhang)
    services.approve_statement(actor=finance, statement=first, expected_version=first.version)
    with pytest.raises(Conflict):
        services.approve_statement(actor=finance, statement=first, expected_version=first.version)

    add_sales(zhang, 20_000_00)  # late lines: 110,000 → 110 %, 3 %
    result = services.compute_statements(actor=finance, period=PERIOD)
    assert result.revised == 1
    first.refresh_from_db()
    assert (first.status, first.total_fen, first.revision) == ("approved", 1_800_00, 1)
    second = _statement(zhang)
    assert (second.revision, second.previous_id, second.total_fen) == (2, first.pk, 3_300_00)
    changes = {d["field"]: d["change"] for d in queries.differences(second)}
    assert changes["total_fen"] == "1500.00"
    assert changes["rate_bp"] == "1.00"

    services.approve_statement(actor=finance, statement=second, expected_version=second.version)
    first.refresh_from_db()
    assert first.status == StatementStatus.SUPERSEDED
    shown = queries.list_statements(viewer=finance, period=PERIOD, person=zhang.pk)
    assert [s.revision for s in shown] == [2]


def test_a_stale_approval_is_refused_and_writes_nothing(computed):
    statement = _statement(computed["salesperson"])
    with pytest.raises(StaleVersion):
        services.approve_statement(
            actor=computed["finance"], statement=statement, expected_version=statement.version + 1
        )
    statement.refresh_from_db()
    assert statement.status == "draft"
    assert not AuditEntry.objects.filter(action="commissions.statement.approved").exists()


def test_a_salesperson_cannot_approve_or_compute(computed):
    zhang = computed["salesperson"]
    statement = _statement(zhang)
    with pytest.raises(PermissionDenied):
        services.approve_statement(actor=zhang, statement=statement, expected_version=1)
    with pytest.raises(PermissionDenied):
        services.compute_statements(actor=zhang, period=PERIOD)
    statement.refresh_from_db()
    assert statement.status == "draft"


def test_an_invoice_written_off_is_clawed_back_in_the_next_statement(computed):
    finance, zhang = computed["finance"], computed["salesperson"]
    november = _statement(zhang)
    services.approve_statement(actor=finance, statement=november, expected_version=1)
    invoice = Invoice.objects.create(
        number="INV-LOST",
        customer=make_customer(zhang),
        owner=zhang,
        issue_date=dt.date(2026, 11, 20),
        due_date=dt.date(2026, 12, 20),
        month=PERIOD,
        amount_fen=30_000_00,
        status=InvoiceStatus.VOID,
    )
    add_sales(zhang, 100_000_00, month=DECEMBER)  # 100 % → 3 % = 3,000
    services.compute_statements(actor=finance, period=DECEMBER)
    december = _statement(zhang, DECEMBER)
    # November paid 1,800 on 90,000 of sales; the 30,000 written off earned 600 of it.
    assert (december.payout_fen, december.clawback_fen, december.total_fen) == (
        3_000_00,
        -600_00,
        2_400_00,
    )
    [claw] = queries.clawbacks(viewer=zhang, statement=december)
    assert (claw.invoice_id, claw.lost_fen, claw.amount_fen) == (invoice.pk, 30_000_00, -600_00)
    november.refresh_from_db()
    assert (november.status, november.total_fen) == ("approved", 1_800_00)
    # taken back once: January does not take it again
    services.compute_statements(actor=finance, period=dt.date(2027, 1, 1))
    assert _statement(zhang, dt.date(2027, 1, 1)).clawback_fen == 0


def test_each_person_sees_their_own_managers_their_subtree_finance_all(computed):
    zhang, chen = computed["salesperson"], computed["other_region_salesperson"]

    def seen(viewer):
        return {s.person_id for s in queries.list_statements(viewer=viewer, period=PERIOD)}

    assert seen(zhang) == {zhang.pk}
    assert seen(chen) == {chen.pk}
    assert seen(computed["team_lead"]) == {zhang.pk}
    assert seen(computed["regional_manager"]) == {zhang.pk}
    assert seen(computed["finance"]) == {zhang.pk, chen.pk}
    assert seen(computed["director"]) == {zhang.pk, chen.pk}
    assert seen(computed["marketing"]) == set()


def test_api_hides_a_colleagues_statement_and_refuses_a_frozen_one(computed, api_client):
    zhang, chen = computed["salesperson"], computed["other_region_salesperson"]
    theirs = _statement(chen)
    response = api_client(zhang).get(f"/api/v1/commissions/statements/{theirs.pk}")
    missing = api_client(zhang).get("/api/v1/commissions/statements/999999")
    assert response.status_code == 404
    assert response.json() == missing.json()

    mine = _statement(zhang)
    finance = api_client(computed["finance"])
    url = f"/api/v1/commissions/statements/{mine.pk}/approve"
    ok = finance.post(url, {"version": mine.version}, content_type="application/json")
    assert ok.status_code == 200
    assert ok.json()["status"] == "approved"
    again = finance.post(url, {"version": mine.version + 1}, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["code"] == "commission_statement_frozen"
    detail = api_client(zhang).get(f"/api/v1/commissions/statements/{mine.pk}").json()
    assert (detail["total"], detail["attainment"], detail["rate"]) == ("1800.00", "90.00", "2.00")


def test_the_payroll_xlsx_holds_the_approved_statements(computed, login_client):
    from openpyxl import load_workbook

    finance = computed["finance"]
    mine = _statement(computed["salesperson"])
    services.approve_statement(actor=finance, statement=mine, expected_version=1)
    response = login_client(finance).get("/commissions/export/?period=2026-11")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2  # the header and the one approved statement (陈静's is a draft)
    assert rows[1][0] == "zhangwei"
    assert float(rows[1][11]) == 1800.0


def test_pages_show_the_statement_to_its_person_only(computed, login_client):
    zhang, chen = computed["salesperson"], computed["other_region_salesperson"]
    page = login_client(zhang).get("/commissions/?period=2026-11")
    assert page.status_code == 200
    assert "1800.00" in page.content.decode()
    assert "5000.00" not in page.content.decode()
    hidden = login_client(zhang).get(f"/commissions/statements/{_statement(chen).pk}/")
    assert hidden.status_code == 404


def test_the_cli_prints_the_months_statements_as_json(computed):
    out = io.StringIO()
    call_command(
        "report_commission", "--period", "2026-11", "--as", "zhaomin", "--json", stdout=out
    )
    rows = {row["username"]: row for row in json.loads(out.getvalue())}
    assert rows["zhangwei"]["total"] == "1800.00"
    assert rows["chenjing"]["commission"] == "5000.00"
    assert rows["chenjing"]["capped"] is True


def test_a_draft_takes_the_new_figures_in_place(computed):
    zhang = computed["salesperson"]
    draft = _statement(zhang)
    add_sales(zhang, 20_000_00)  # 110,000 → 110 %, 3 %
    result = services.compute_statements(actor=computed["finance"], period=PERIOD)
    assert (result.updated, result.unchanged) == (1, 1)
    again = _statement(zhang)
    assert again.pk == draft.pk
    assert (again.revision, again.version, again.total_fen) == (1, draft.version + 1, 3_300_00)
    assert (again.attainment_bp, again.rate_bp) == (11000, 300)
