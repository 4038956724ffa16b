"""Audit rows survive a rolled-back transaction.

An audit row is written inside the caller's transaction (so it is visible there and
costs one INSERT). The connection also remembers the rows written since the outermost
``atomic`` began. When that transaction (or a savepoint) rolls back, the rows are written
again as soon as the connection is back in autocommit, so "who tried what" is never lost
with the data it was about. The same mechanism works on SQLite (one writer, so a second
connection could not write while the first holds the lock) and on PostgreSQL.
"""


class AuditReplayMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.audit_pending: list[dict] = []
        self.audit_replay: list[dict] = []
        self.audit_savepoint_rolled_back = False

    def audit_remember(self, row: dict) -> None:
        if not self.audit_pending:
            self.on_commit(self._audit_after_commit)
        self.audit_pending.append(row)

    def _audit_after_commit(self) -> None:
        rows, rolled_back = self.audit_pending, self.audit_savepoint_rolled_back
        self.audit_pending, self.audit_savepoint_rolled_back = [], False
        if rolled_back:
            from mantelzorg.core.audit import ensure_written

            ensure_written(rows, using=self.alias)

    def rollback(self):
        super().rollback()
        self.audit_replay.extend(self.audit_pending)
        self.audit_pending, self.audit_savepoint_rolled_back = [], False

    def savepoint_rollback(self, sid):
        super().savepoint_rollback(sid)
        self.audit_savepoint_rolled_back = True
        if self.audit_pending:
            # Callbacks registered inside the discarded savepoint are dropped by Django.
            self.on_commit(self._audit_after_commit)

    def set_autocommit(self, autocommit, *args, **kwargs):
        super().set_autocommit(autocommit, *args, **kwargs)
        if autocommit and self.audit_replay and not self.in_atomic_block:
            rows, self.audit_replay = self.audit_replay, []
            from mantelzorg.core.audit import ensure_written

            ensure_written(rows, using=self.alias)
