from django.db.backends.postgresql import base

from mantelzorg.core.db.replay import AuditReplayMixin


class DatabaseWrapper(AuditReplayMixin, base.DatabaseWrapper):
    pass
