"""Backup and restore of the whole database, safe while the app keeps writing (R17).

SQLite uses the online backup API, which copies a consistent snapshot page by page while other
connections go on writing. PostgreSQL uses ``pg_dump`` (one consistent snapshot by MVCC) in its
custom format and ``pg_restore``.
"""

import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - runs pg_dump/pg_restore with fixed arguments, no shell
import tempfile
from pathlib import Path

from django.db import connections

from salescope.core.errors import BadRequest

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


def _settings(alias: str = "default") -> dict:
    return connections[alias].settings_dict


def _is_sqlite(alias: str = "default") -> bool:
    return connections[alias].vendor == "sqlite"


def backup(target: Path, alias: str = "default") -> Path:
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename, so a failed backup never leaves a half file behind.
    fd, tmp_name = tempfile.mkstemp(prefix=".salescope-backup-", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if _is_sqlite(alias):
            _sqlite_copy(Path(_settings(alias)["NAME"]), tmp)
        else:
            _pg_dump(tmp, alias)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def restore(source: Path, alias: str = "default") -> None:
    source = Path(source)
    if not source.is_file():
        raise BadRequest(f"{source} does not exist or is not a file.")
    head = source.read_bytes()[:16]
    if _is_sqlite(alias):
        if head != SQLITE_MAGIC:
            raise BadRequest(f"{source} is not an SQLite backup.")
        _check_sqlite(source)
        connections[alias].close()
        _sqlite_copy(source, Path(_settings(alias)["NAME"]))
    else:
        if not head.startswith(PGDUMP_MAGIC):
            raise BadRequest(f"{source} is not a pg_dump custom-format backup.")
        connections[alias].close()
        _pg_restore(source, alias)


def _sqlite_copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        # One step (pages=-1): the copy is read inside one read transaction, so it is a
        # consistent snapshot, and in WAL mode writers go on meanwhile. Copying in steps would
        # restart after every concurrent write and might never finish on a busy database.
        with dst:
            src.backup(dst, pages=-1)
    finally:
        dst.close()
        src.close()


def _check_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
        has_schema = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='django_migrations'"
        ).fetchone()
    finally:
        conn.close()
    if ok != "ok" or not has_schema:
        raise BadRequest(f"{path} is not an intact Salescope database backup.")


def _pg_env(alias: str) -> tuple[list[str], dict[str, str]]:
    cfg = _settings(alias)
    args = ["--dbname", cfg["NAME"]]
    if cfg.get("HOST"):
        args += ["--host", str(cfg["HOST"])]
    if cfg.get("PORT"):
        args += ["--port", str(cfg["PORT"])]
    if cfg.get("USER"):
        args += ["--username", str(cfg["USER"])]
    env = dict(os.environ)
    if cfg.get("PASSWORD"):
        env["PGPASSWORD"] = str(cfg["PASSWORD"])
    return args, env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BadRequest(
            f"{name} is not installed; install the PostgreSQL client (apt-get install "
            "postgresql-client) matching your server's version."
        )
    return path


def _pg_dump(target: Path, alias: str) -> None:
    args, env = _pg_env(alias)
    cmd = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), *args]
    _run(cmd, env)


def _pg_restore(source: Path, alias: str) -> None:
    args, env = _pg_env(alias)
    cmd = [
        _pg_tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        *args,
        str(source),
    ]
    _run(cmd, env)


def _run(cmd: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BadRequest(f"{Path(cmd[0]).name} failed: {result.stderr.strip()[:2000]}")
