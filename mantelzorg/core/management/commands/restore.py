"""`manage.py restore <file>`: a checked backup back into the configured database
(mantelzorg/core/backup.py; docs/operations.md, "Restore")."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from mantelzorg.core import backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the configured database. Refuses to overwrite an "
        "existing database without --force; SQLite keeps a safety copy of what it replaces. Stop the server first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="a .sqlite3 or .pgdump file made by `manage.py backup`")
        parser.add_argument("--force", action="store_true", help="overwrite the existing database")

    def handle(self, *args, **options):
        source = options["file"]
        if not source.is_file():
            raise CommandError(f"{source} does not exist")
        connection = connections["default"]
        settings_dict = connection.settings_dict
        try:
            if backup.vendor() == "sqlite":
                connection.close()
                result, safety = backup.sqlite_restore(
                    source,
                    Path(settings_dict["NAME"]),
                    force=options["force"],
                    safety_dir=backup.default_directory(),
                )
                if safety:
                    self.stdout.write(f"The database it replaced is kept in {safety}")
            elif backup.vendor() == "postgresql":
                result = backup.pg_restore(settings_dict, source, force=options["force"])
            else:
                raise CommandError(f"no restore route for {backup.vendor()}")
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {source} into {settings_dict['NAME']} ({result.check})")
