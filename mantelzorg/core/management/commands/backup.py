"""`manage.py backup`: a consistent, verified copy of the database while the server runs
(mantelzorg/core/backup.py; docs/operations.md, "Backups")."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from mantelzorg.core import backup


class Command(BaseCommand):
    help = (
        "Back up the database while the server runs: SQLite with its online backup API (checked with "
        "PRAGMA integrity_check), PostgreSQL with pg_dump --format=custom (checked with pg_restore --list). "
        "Writes a timestamped file (mode 0600) to --dir (default var/backups, or MANTELZORG_BACKUP_DIR)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="directory for the backup file")
        parser.add_argument("--output", type=Path, help="exact file name instead of a timestamped one")

    def handle(self, *args, **options):
        directory = options["dir"] or backup.default_directory()
        settings_dict = connections["default"].settings_dict
        try:
            if backup.vendor() == "sqlite":
                target = options["output"] or backup.timestamped(directory, ".sqlite3")
                result = backup.sqlite_backup(Path(settings_dict["NAME"]), target)
            elif backup.vendor() == "postgresql":
                target = options["output"] or backup.timestamped(directory, ".pgdump")
                result = backup.pg_backup(settings_dict, target)
            else:
                raise CommandError(f"no backup route for {backup.vendor()}")
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backup written: {result.path} ({result.size:,} bytes; {result.check})")
