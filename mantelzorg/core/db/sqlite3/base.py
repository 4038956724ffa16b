from django.db.backends.sqlite3 import base

from mantelzorg.core.db.replay import AuditReplayMixin


class DatabaseWrapper(AuditReplayMixin, base.DatabaseWrapper):
    pass
