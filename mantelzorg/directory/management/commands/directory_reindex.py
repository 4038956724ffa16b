from django.core.management.base import BaseCommand

from mantelzorg.directory.services import reindex_all


class Command(BaseCommand):
    help = "Rebuild the directory search index (SearchEntry) from the HSDS tables."

    def handle(self, *args, **options):
        self.stdout.write(f"Indexed {reindex_all()} search rows.")
