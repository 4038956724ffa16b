"""`manage.py backup` / `manage.py restore` lose nothing: writers keep saving checks (separate
processes, through the ORM, one commit each) while backups are taken; every save acknowledged before
a backup began is found after restoring that backup into a fresh database. Bounded: 3 writers for at
most 90 s or 20,000 saves each (stopped after the last backup), 127.0.0.1 only. On SQLite and on
PostgreSQL (pg_dump / pg_restore)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from mantelzorg.core import backup

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(settings.BASE_DIR)
WRITER = Path(__file__).with_name("backup_writer.py")
WRITERS, SECONDS, LIMIT, ROUNDS = 3, 90, 20000, 3


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def base_env(**db) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH"}}
    return {
        **env,
        **db,
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }


class Writers:
    """Writer processes; ``acknowledged`` holds every id whose commit has returned, in order."""

    def __init__(self, env: dict):
        self.acknowledged: list[str] = []
        self.lock = threading.Lock()
        self.procs = [
            subprocess.Popen(
                [sys.executable, str(WRITER), str(SECONDS), str(LIMIT)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            for _ in range(WRITERS)
        ]
        self.readers = [threading.Thread(target=self._read, args=(p,), daemon=True) for p in self.procs]
        for reader in self.readers:
            reader.start()

    def _read(self, proc):
        for line in proc.stdout:
            with self.lock:
                self.acknowledged.append(line.strip())

    def snapshot(self) -> set[str]:
        with self.lock:
            return set(self.acknowledged)

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.snapshot()) < count:
            assert time.monotonic() < deadline, self.errors()
            assert all(p.poll() is None for p in self.procs), self.errors()
            time.sleep(0.05)

    def running(self) -> bool:
        return all(p.poll() is None for p in self.procs)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            proc.wait(timeout=30)
        for reader in self.readers:
            reader.join(timeout=10)

    def errors(self) -> str:
        return "\n".join(p.stderr.read()[-2000:] for p in self.procs if p.poll() is not None)


def backups_during_writes(env: dict, backup_dir: Path, suffix: str) -> list[tuple[Path, set[str], dict]]:
    """ROUNDS backups while the writers write; per backup the ids acknowledged before it began."""
    writers = Writers(env)
    rounds = []
    try:
        for n in range(ROUNDS):
            writers.wait_for(150 * (n + 1))
            before = writers.snapshot()
            assert writers.running(), writers.errors()
            started = time.monotonic()
            target = backup_dir / f"round-{n}{suffix}"
            result = manage(env, "backup", "--output", str(target))
            seconds = time.monotonic() - started
            assert result.returncode == 0, result.stdout + result.stderr
            during = len(writers.snapshot()) - len(before)
            assert writers.running(), (
                "the writers must still be writing after the backup: " + writers.errors()
            )
            rounds.append(
                (target, before, {"acknowledged_before": len(before), "during": during, "s": seconds})
            )
        writers.wait_for(len(writers.snapshot()) + 50)  # and they go on writing after the last one
    finally:
        writers.stop()
    return rounds


def test_sqlite_backup_during_concurrent_writes_restores_every_acknowledged_save(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite run only (PostgreSQL: the test below)")
    live = tmp_path / "live.sqlite3"
    target = sqlite3.connect(live)  # the suite's migrated database, as a file the writers can open
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    env = base_env(SQLITE_PATH=str(live))
    figures = []
    for n, (file, before, figure) in enumerate(backups_during_writes(env, tmp_path / "backups", ".sqlite3")):
        assert backup.integrity(file) == "ok"
        assert file.stat().st_mode & 0o077 == 0  # personal data: owner only
        fresh = tmp_path / f"restored-{n}.sqlite3"
        result = manage(base_env(SQLITE_PATH=str(fresh)), "restore", str(file))
        assert result.returncode == 0, result.stdout + result.stderr
        with sqlite3.connect(fresh) as db:
            restored = {uuid.UUID(row[0]).hex for row in db.execute("SELECT id FROM assessment_savedcheck")}
        missing = {i for i in before if uuid.UUID(i).hex not in restored}
        figures.append({**figure, "in_backup": len(restored), "missing": len(missing)})
        assert not missing, (len(missing), sorted(missing)[:5])
        assert len(restored) >= len(before)
    with sqlite3.connect(live) as db:
        total = db.execute("SELECT count(*) FROM assessment_savedcheck").fetchone()[0]
    print(f"\nSQLite backups during writes: {figures}; {total} saves in the live database afterwards")


def test_sqlite_restore_refuses_to_overwrite_without_force_and_keeps_a_safety_copy(tmp_path, monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite run only")
    original, other = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    for path, value in ((original, "original"), (other, "other")):
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE t (v TEXT)")
            db.execute("INSERT INTO t VALUES (?)", (value,))
    copy = backup.sqlite_backup(other, tmp_path / "b.backup.sqlite3").path
    with pytest.raises(backup.BackupError, match="refusing to overwrite"):
        backup.sqlite_restore(copy, original, force=False, safety_dir=tmp_path / "safety")
    with sqlite3.connect(original) as db:
        assert db.execute("SELECT v FROM t").fetchall() == [("original",)]
    _result, safety = backup.sqlite_restore(copy, original, force=True, safety_dir=tmp_path / "safety")
    with sqlite3.connect(original) as db:
        assert db.execute("SELECT v FROM t").fetchall() == [("other",)]
    with sqlite3.connect(safety) as db:
        assert db.execute("SELECT v FROM t").fetchall() == [("original",)]


def test_a_damaged_backup_is_refused_and_nothing_is_restored(tmp_path):
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    database = tmp_path / "db.sqlite3"
    with pytest.raises(backup.BackupError, match="integrity_check"):
        backup.sqlite_restore(damaged, database, force=True, safety_dir=tmp_path)
    assert not database.exists()


def test_postgresql_backup_during_concurrent_writes_restores_every_acknowledged_save(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL run only (SQLite: the test above)")
    import psycopg

    db = connection.settings_dict
    host, port, user = db["HOST"] or "127.0.0.1", db["PORT"] or 5432, db["USER"] or "postgres"
    url = f"postgres://{user}@{host}:{port}/{db['NAME']}"
    fresh = f"{db['NAME']}_restore_{os.getpid()}"
    admin = psycopg.connect(host=host, port=port, user=user, dbname="postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{fresh}"')
    try:
        env = base_env(DATABASE_URL=url)
        figures = []
        for n, (file, before, _figure) in enumerate(backups_during_writes(env, tmp_path, ".pgdump")):
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
            admin.execute(f'CREATE DATABASE "{fresh}"')
            fresh_env = base_env(DATABASE_URL=f"postgres://{user}@{host}:{port}/{fresh}")
            result = manage(fresh_env, "restore", str(file))
            assert result.returncode == 0, result.stdout + result.stderr
            with psycopg.connect(host=host, port=port, user=user, dbname=fresh) as check:
                restored = {str(row[0]) for row in check.execute("SELECT id FROM assessment_savedcheck")}
            missing = before - restored
            figures.append({**_figure, "in_backup": len(restored), "missing": len(missing)})
            assert not missing, (n, len(missing))
        print(f"\nPostgreSQL backups during writes: {figures}")
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
        admin.close()
