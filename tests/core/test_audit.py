"""R14: sign-ins and token writes each leave exactly one audit entry naming who, when, what,
old → new and through which door. R15: nothing can change or delete an entry."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from salescope.core import audit
from salescope.core.models import AppendOnlyError, AuditEntry
from salescope.org import services as org_services
from salescope.org.demo import DEMO_PASSWORD
from salescope.org.models import ApiToken
from tests.core.cli import run_salescope

pytestmark = pytest.mark.django_db


def only_entry(**filters) -> AuditEntry:  # noqa: ANN003
    entries = list(AuditEntry.objects.filter(**filters))
    assert len(entries) == 1, entries
    return entries[0]


def assert_recent_and_aware(entry: AuditEntry, since: dt.datetime) -> None:
    assert timezone.is_aware(entry.at)
    assert since <= entry.at <= timezone.now()


def test_login_writes_one_entry(personas):
    user = personas["salesperson"]
    before = AuditEntry.objects.count()
    since = timezone.now()

    Client().post("/accounts/login/", {"username": "zhangwei", "password": DEMO_PASSWORD})

    entry = only_entry(action="core.session.logged_in")
    assert_recent_and_aware(entry, since)
    assert (entry.actor_id, entry.actor_label, entry.object_type, entry.object_id) == (
        user.pk,
        "zhangwei",
        "org.user",
        str(user.pk),
    )
    assert (entry.object_repr, entry.changes, entry.source, entry.remote_addr) == (
        "张伟",
        {},
        "page",
        "127.0.0.1",
    )
    assert AuditEntry.objects.count() == before + 1


def test_logout_writes_one_entry(personas, login_client):
    client = login_client(personas["salesperson"])
    before = AuditEntry.objects.count()

    client.post("/accounts/logout/")

    entry = only_entry(action="core.session.logged_out")
    assert (entry.actor_id, entry.object_id, entry.source) == (
        personas["salesperson"].pk,
        str(personas["salesperson"].pk),
        "page",
    )
    assert AuditEntry.objects.count() == before + 1


def test_failed_login_writes_one_entry_naming_the_username(personas):
    before = AuditEntry.objects.count()

    Client().post("/accounts/login/", {"username": "zhangwei", "password": "guess"})

    entry = only_entry(action="core.session.login_failed")
    assert (entry.actor_id, entry.actor_label, entry.object_repr, entry.source) == (
        None,
        "",
        "zhangwei",
        "page",
    )
    assert AuditEntry.objects.count() == before + 1


def test_token_created_on_the_profile_page_is_audited_as_page(personas, login_client):
    user = personas["salesperson"]
    client = login_client(user)
    before = AuditEntry.objects.count()
    since = timezone.now()

    response = client.post("/profile/tokens/", {"name": "月报脚本"})

    assert response.status_code == 200
    token = ApiToken.objects.get()
    entry = only_entry(action="org.api_token.created")
    assert_recent_and_aware(entry, since)
    assert (entry.actor_id, entry.object_type, entry.object_id, entry.source) == (
        user.pk,
        "org.apitoken",
        str(token.pk),
        "page",
    )
    assert entry.changes == {"name": [None, "月报脚本"], "user": [None, "zhangwei"]}
    assert AuditEntry.objects.count() == before + 1


def test_token_revoked_on_the_profile_page_is_audited_as_page(personas, login_client):
    user = personas["salesperson"]
    token = org_services.create_token(actor=user, user=user, name="old").token
    client = login_client(user)
    before = AuditEntry.objects.count()

    response = client.post(f"/profile/tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    token.refresh_from_db()
    entry = only_entry(action="org.api_token.revoked")
    assert (entry.actor_id, entry.object_id, entry.source) == (user.pk, str(token.pk), "page")
    assert entry.changes == {"revoked_at": [None, token.revoked_at.isoformat()]}
    assert AuditEntry.objects.count() == before + 1


def test_token_created_and_revoked_through_the_api_is_audited_as_api(personas, api_client):
    user = personas["salesperson"]
    client = api_client(user)
    before = AuditEntry.objects.count()

    created = client.post("/api/v1/tokens", {"name": "etl"}, content_type="application/json")
    token_id = created.json()["id"]
    revoked = client.delete(f"/api/v1/tokens/{token_id}")

    assert (created.status_code, revoked.status_code) == (201, 200)
    assert AuditEntry.objects.count() == before + 2
    assert only_entry(action="org.api_token.created", object_id=str(token_id)).source == "api"
    entry = only_entry(action="org.api_token.revoked")
    assert (entry.actor_id, entry.object_id, entry.source) == (user.pk, str(token_id), "api")


def test_token_created_and_revoked_on_the_command_line_is_audited_as_cli(
    personas, capsys, monkeypatch
):
    user = personas["salesperson"]
    before = AuditEntry.objects.count()

    run_salescope(monkeypatch, "token", "create", "zhangwei", "--name", "nightly")
    raw = capsys.readouterr().out.strip()
    token = ApiToken.objects.get()
    run_salescope(monkeypatch, "token", "revoke", str(token.pk))

    assert raw.startswith("ss_")
    assert AuditEntry.objects.count() == before + 2
    created = only_entry(action="org.api_token.created")
    assert (created.actor_id, created.object_id, created.source) == (user.pk, str(token.pk), "cli")
    assert created.changes == {"name": [None, "nightly"], "user": [None, "zhangwei"]}
    assert only_entry(action="org.api_token.revoked").source == "cli"


def test_refused_token_write_leaves_no_entry(personas, api_client):
    client = api_client(personas["salesperson"])
    before = AuditEntry.objects.count()

    response = client.post("/api/v1/tokens", {"name": "   "}, content_type="application/json")

    assert response.status_code == 422
    assert AuditEntry.objects.count() == before


# --- R15: append-only -------------------------------------------------------------------------


@pytest.fixture
def entry(personas) -> AuditEntry:
    return audit.record(actor=personas["admin"], action="core.test.recorded", changes={"x": [1, 2]})


def _unchanged(entry: AuditEntry) -> None:
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.action, stored.changes) == ("core.test.recorded", {"x": [1, 2]})


def test_orm_refuses_to_change_an_entry(entry):
    entry.action = "core.test.forged"
    with pytest.raises(AppendOnlyError):
        entry.save()
    _unchanged(entry)


def test_orm_refuses_to_delete_an_entry(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    _unchanged(entry)


def test_queryset_refuses_update_bulk_update_and_delete(entry):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="core.test.forged")
    entry.action = "core.test.forged"
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["action"])
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    _unchanged(entry)


def test_database_refuses_a_raw_sql_update(entry):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE core_auditentry SET action = %s WHERE id = %s", ["core.test.forged", entry.pk]
        )
    _unchanged(entry)


def test_admin_offers_no_add_change_or_delete(entry, login_client, personas):
    client = login_client(personas["admin"])
    base = "/admin/core/auditentry"

    add = client.get(f"{base}/add/")
    change = client.post(f"{base}/{entry.pk}/change/", {"action": "core.test.forged"})
    delete = client.post(f"{base}/{entry.pk}/delete/", {"post": "yes"})
    bulk = client.post(
        f"{base}/", {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    view = client.get(f"{base}/{entry.pk}/change/")

    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert bulk.status_code == 200  # the changelist again: no such action here
    assert 'value="delete_selected"' not in bulk.content.decode()
    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    _unchanged(entry)


def test_database_refuses_a_raw_sql_delete(entry):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    _unchanged(entry)


def test_database_refuses_a_raw_sql_delete_of_every_entry(entry):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditentry")
    _unchanged(entry)


def test_postgresql_refuses_a_truncate(entry, postgres_only):
    # The entry's deferred foreign-key check would otherwise stop any TRUNCATE first.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for statement in (
        "TRUNCATE core_auditentry",
        "TRUNCATE core_auditentry RESTART IDENTITY CASCADE",
        "TRUNCATE ONLY core_auditentry",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    _unchanged(entry)


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_trail_and_leaves_the_triggers_in_place(personas):
    audit.record(actor=personas["admin"], action="core.test.recorded")
    assert AuditEntry.objects.exists()

    call_command("flush", interactive=False, verbosity=0)

    assert not AuditEntry.objects.exists()
    kept = audit.record(actor=None, action="core.test.recorded", changes={"x": [1, 2]})
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditentry")
    _unchanged(kept)


def test_record_many_writes_what_record_writes_one_entry_each(personas):
    """The bulk form (a month's scorecards) leaves the same entry per object as ``record``."""
    from salescope.core.audit_context import audit_source

    director, people = personas["director"], [personas["salesperson"], personas["team_lead"]]
    with audit_source("page", "10.0.0.1"):
        one = audit.record(
            actor=director,
            action="core.test.done",
            obj=people[0],
            changes={"n": dt.date(2026, 1, 1)},
        )
        many = audit.record_many(
            actor=director,
            action="core.test.done",
            entries=[(p, {"n": dt.date(2026, 1, 1)}) for p in people],
        )
    assert many == 2
    stored = list(AuditEntry.objects.filter(action="core.test.done").order_by("id"))
    assert len(stored) == 3
    fields = ["actor_id", "actor_label", "action", "object_type", "object_id", "object_repr"]
    fields += ["changes", "source", "remote_addr"]
    first = stored[1]
    assert [getattr(first, f) for f in fields] == [getattr(one, f) for f in fields]
    assert stored[2].object_id == str(people[1].pk)
    assert stored[2].changes == {"n": "2026-01-01"}


def test_record_many_refuses_an_unsaved_object(personas):
    from salescope.org.models import User

    with pytest.raises(ValueError, match="primary key"):
        audit.record_many(actor=None, action="core.test.done", entries=[(User(), {})])
    assert not AuditEntry.objects.filter(action="core.test.done").exists()
