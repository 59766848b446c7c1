"""R17: `salescope backup` while the app keeps writing gives a consistent snapshot, and
`salescope restore` brings exactly that snapshot back; the app serves on it afterwards.

A writer thread appends audit entries in pairs, one transaction per pair, numbered 0, 1, 2, …
A consistent snapshot holds a prefix 0…k-1 of the pairs and never half a pair.
"""

import re
import sqlite3
import subprocess
import threading
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import Client

from salescope.core import audit
from salescope.core.models import AuditEntry
from salescope.org.demo import DEMO_PASSWORD

DRILL = "core.drill.written"


class PairWriter(threading.Thread):
    """Keeps writing numbered pairs of audit entries through the ORM until stopped."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.written = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                with transaction.atomic():
                    for half in (1, 2):
                        audit.record(
                            actor=None,
                            action=DRILL,
                            object_id=self.written,
                            changes={"seq": self.written, "half": half},
                        )
                self.written += 1
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            connections.close_all()

    def wait_for(self, pairs: int) -> None:
        while self.written < pairs and self.error is None and self.is_alive():
            self.stop.wait(0.01)


def pairs_in(object_ids: list[str]) -> tuple[int, int]:
    """(number of pairs, checksum Σseq) after checking the rows form whole pairs 0…k-1."""
    counts = Counter(int(i) for i in object_ids)
    assert set(counts.values()) <= {2}, "a pair was cut in half"
    assert sorted(counts) == list(range(len(counts))), "the snapshot has a gap"
    return len(counts), sum(counts)


def drill_rows_in_live_db() -> tuple[int, int]:
    ids = list(AuditEntry.objects.filter(action=DRILL).values_list("object_id", flat=True))
    return pairs_in(ids)


def run_drill(tmp_path: Path) -> tuple[Path, int, int]:
    """Back up while the writer runs; returns the file and the pairs written before/after."""
    target = tmp_path / "drill.backup"
    writer = PairWriter()
    writer.start()
    writer.wait_for(20)
    before = writer.written
    call_command("backup", str(target))
    after = writer.written
    writer.wait_for(after + 20)  # keep writing past the backup, so restore must drop rows
    writer.stop.set()
    writer.join(timeout=60)
    assert writer.error is None, writer.error
    assert target.is_file()
    return target, before, after


def assert_app_serves() -> None:
    assert Client().get("/api/v1/health").json()["status"] == "ok"
    client = Client()
    login = client.post("/accounts/login/", {"username": "zhangwei", "password": DEMO_PASSWORD})
    assert login.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_during_writes_restores_to_the_snapshot(personas, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL drill is test_postgres_backup_during_writes_…")
    target, before, after = run_drill(tmp_path)
    with sqlite3.connect(target) as snapshot:
        assert snapshot.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        ids = [
            row[0]
            for row in snapshot.execute(
                "SELECT object_id FROM core_auditentry WHERE action = ?", [DRILL]
            )
        ]
        tables = [
            row[0]
            for row in snapshot.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        counts = {
            t: snapshot.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]  # noqa: S608
            for t in tables
        }
    pairs, checksum = pairs_in(ids)
    assert before <= pairs <= after + 1
    assert drill_rows_in_live_db()[0] > pairs

    call_command("restore", str(target), yes=True)

    assert drill_rows_in_live_db() == (pairs, checksum)
    with connection.cursor() as cursor:
        restored = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - from sqlite_master
            restored[table] = cursor.fetchone()[0]
    assert restored == counts
    assert_app_serves()


def copy_rows(dump: Path, table: str) -> list[list[str]]:
    """The data rows of one table in a pg_dump custom-format file, read back by pg_restore."""
    text = subprocess.run(  # noqa: S603 - fixed arguments
        ["pg_restore", "--data-only", "--table", table, "--file", "-", str(dump)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    block = re.search(rf"COPY public\.{table} \((.*?)\) FROM stdin;\n(.*?)\n\\\.", text, re.S)
    assert block is not None, text[:2000]
    columns = [c.strip().strip('"') for c in block.group(1).split(",")]
    rows = [line.split("\t") for line in block.group(2).splitlines() if line]
    return [columns, *rows]


@pytest.mark.django_db(transaction=True)
def test_postgres_backup_during_writes_restores_to_the_snapshot(postgres_only, personas, tmp_path):
    target, before, after = run_drill(tmp_path)
    columns, *audit_rows = copy_rows(target, "core_auditentry")
    action, object_id = columns.index("action"), columns.index("object_id")
    pairs, checksum = pairs_in([row[object_id] for row in audit_rows if row[action] == DRILL])
    user_rows = copy_rows(target, "org_user")[1:]
    assert before <= pairs <= after + 1
    assert drill_rows_in_live_db()[0] > pairs

    call_command("restore", str(target), yes=True)

    assert drill_rows_in_live_db() == (pairs, checksum)
    assert AuditEntry.objects.count() == len(audit_rows)
    assert personas["admin"].__class__.objects.unrestricted().count() == len(user_rows)
    assert_app_serves()


@pytest.mark.django_db
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    from django.core.management.base import CommandError

    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database")
    before = AuditEntry.objects.count()

    with pytest.raises(CommandError, match="is not an? "):
        call_command("restore", str(bogus), yes=True)

    assert AuditEntry.objects.count() == before
