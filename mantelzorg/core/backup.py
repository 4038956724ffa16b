"""Backups and restores of the database (`manage.py backup`, `manage.py restore`; docs/operations.md).

SQLite: SQLite's online backup API (``sqlite3.Connection.backup``) copies the live database while the
server keeps writing: the copy is one consistent snapshot (every transaction committed before the
copy began is in it, none half), also in WAL mode. Each copy is checked with
``PRAGMA integrity_check`` before it counts as made, written under a temporary name, fsynced, and only
then renamed to its timestamped name (mode 0600: it holds personal data). A restore copies a checked
backup into the configured database with the same API (which takes SQLite's locks and handles the
WAL, unlike copying files), after a safety copy of what was there.

PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot, taken while the server runs) checked
with ``pg_restore --list``; restore with ``pg_restore --clean --if-exists --no-owner``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections


class BackupError(Exception):
    """A backup or restore that did not happen, with what to do about it."""


@dataclass
class Result:
    path: Path
    size: int
    check: str  # what verified it


def vendor(alias: str = "default") -> str:
    return connections[alias].vendor


def timestamped(directory: Path, suffix: str, prefix: str = "mantelzorg") -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    return directory / f"{prefix}-{stamp}{suffix}"


def default_directory() -> Path:
    return Path(os.environ.get("MANTELZORG_BACKUP_DIR") or Path(settings.BASE_DIR) / "var" / "backups")


# --- SQLite ---------------------------------------------------------------------------------


def integrity(path: Path) -> str:
    """``PRAGMA integrity_check`` of the SQLite file at ``path`` ("ok" when sound)."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = db.execute("PRAGMA integrity_check").fetchall()
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as error:
        return f"not a sound SQLite database: {error}"
    finally:
        db.close()
    return "\n".join(str(row[0]) for row in rows)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sqlite_backup(source: Path | str, target: Path) -> Result:
    """A consistent, checked copy of the live SQLite database ``source`` at ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    src = sqlite3.connect(str(source), timeout=30)
    dst = sqlite3.connect(partial)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        # One step (pages=-1): the copy is the database as of one moment. Writers in WAL mode go on.
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
    finally:
        dst.close()
        src.close()
    check = integrity(partial)
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed PRAGMA integrity_check: {check[:500]}")
    _fsync(partial)
    os.replace(partial, target)
    _fsync(target.parent)
    return Result(target, target.stat().st_size, "PRAGMA integrity_check: ok")


def sqlite_restore(
    backup: Path, database: Path, *, force: bool, safety_dir: Path
) -> tuple[Result, Path | None]:
    """Copy the checked ``backup`` into ``database``; refuses to overwrite one unless ``force``.
    Returns the restored database and the safety copy of what it replaced (None when there was none)."""
    check = integrity(backup)
    if check != "ok":
        raise BackupError(f"{backup} failed PRAGMA integrity_check, nothing restored: {check[:500]}")
    safety = None
    if database.exists() and database.stat().st_size > 0:
        if not force:
            raise BackupError(
                f"{database} exists: refusing to overwrite it. Stop the server, then run again with "
                "--force (a safety copy of the current database is made first)."
            )
        safety = sqlite_backup(database, timestamped(safety_dir, ".sqlite3", prefix="before-restore")).path
    database.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    dst = sqlite3.connect(str(database), timeout=30)
    try:
        dst.execute("PRAGMA busy_timeout=30000")
        src.backup(dst)  # under SQLite's own locks, through the WAL: no stale -wal file can win
        dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        dst.close()
        src.close()
    check = integrity(database)
    if check != "ok":
        raise BackupError(f"the restored {database} failed PRAGMA integrity_check: {check[:500]}")
    return Result(database, database.stat().st_size, "PRAGMA integrity_check: ok"), safety


# --- PostgreSQL -----------------------------------------------------------------------------


def _pg_env_and_args(settings_dict: dict) -> tuple[dict, list[str]]:
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    args = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args += [option, str(settings_dict[key])]
    return env, args


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} is not installed. Install the PostgreSQL client of the server's major version "
            f"(Debian: apt-get install postgresql-client) or run {name} on the database host; "
            "see docs/operations.md, 'Backups'."
        )
    return found


def pg_backup(settings_dict: dict, target: Path) -> Result:
    """``pg_dump --format=custom`` of the configured database, checked with ``pg_restore --list``."""
    pg_dump, pg_restore = _tool("pg_dump"), _tool("pg_restore")
    env, args = _pg_env_and_args(settings_dict)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = target.with_name(f".{target.name}.partial")
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    dump = subprocess.run(
        [
            pg_dump,
            *args,
            "--format=custom",
            "--no-password",
            "--file",
            str(partial),
            str(settings_dict["NAME"]),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if dump.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {dump.stderr.strip()[:500]}")
    listing = subprocess.run([pg_restore, "--list", str(partial)], capture_output=True, text=True)
    if listing.returncode != 0 or "TABLE DATA" not in listing.stdout:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_restore --list cannot read the dump: {listing.stderr.strip()[:500]}")
    _fsync(partial)
    os.replace(partial, target)
    entries = sum(1 for line in listing.stdout.splitlines() if "TABLE DATA" in line)
    return Result(target, target.stat().st_size, f"pg_restore --list: {entries} tables with data")


def pg_restore(settings_dict: dict, backup: Path, *, force: bool) -> Result:
    """``pg_restore --clean --if-exists`` of ``backup`` into the configured database (one transaction)."""
    pg_restore_bin = _tool("pg_restore")
    listing = subprocess.run([pg_restore_bin, "--list", str(backup)], capture_output=True, text=True)
    if listing.returncode != 0:
        raise BackupError(f"{backup} is not a pg_dump custom-format file: {listing.stderr.strip()[:500]}")
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
        tables = cursor.fetchone()[0]
    connections["default"].close()
    if tables and not force:
        raise BackupError(
            f"database {settings_dict['NAME']} has {tables} tables: refusing to overwrite it. Stop the "
            "server, make a backup, then run again with --force."
        )
    env, args = _pg_env_and_args(settings_dict)
    run = subprocess.run(
        [
            pg_restore_bin,
            *args,
            "--no-password",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
        ]
        + ["--exit-on-error", "--dbname", str(settings_dict["NAME"]), str(backup)],
        env=env,
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        raise BackupError(f"pg_restore failed (nothing changed: one transaction): {run.stderr.strip()[:500]}")
    return Result(backup, backup.stat().st_size, "pg_restore: ok")
