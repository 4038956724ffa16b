from django.core.management.base import BaseCommand

from mantelzorg.directory import generator


class Command(BaseCommand):
    help = "Generate fake directory data (names start with 'Voorbeeld') across all gemeenten."

    def add_arguments(self, parser):
        parser.add_argument("--services", type=int, default=50_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, services, seed, **options):
        if generator.generated_exists():
            self.stdout.write("Removing the previously generated directory data.")
            generator.clear()
        generator.generate(services=services, seed=seed, stdout=self.stdout)
