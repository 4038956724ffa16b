"""Load the CBS gemeenten and PC4 postcode areas from data/ (idempotent)."""

import csv
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from mantelzorg.core.cache import bump_version
from mantelzorg.core.geo import REFERENCE
from mantelzorg.core.models import Municipality, PostcodeArea

DATA_DIR = Path(settings.BASE_DIR) / "data"


class Command(BaseCommand):
    help = "Load the 342 CBS gemeenten and the PC4 postcode areas (idempotent)."

    def handle(self, *args, **options):
        with open(DATA_DIR / "gemeenten_2025.csv", encoding="utf-8") as fh:
            municipalities = [
                Municipality(
                    code=row["gemeentecode"],
                    name=row["gemeentenaam"],
                    name_everyday=row["gemeentenaam_alledaags"],
                    province_code=row["provinciecode"],
                    province_name=row["provincienaam"],
                    population=int(row["inwoners_2024"]),
                    lat=float(row["label_lat"]),
                    lon=float(row["label_lon"]),
                )
                for row in csv.DictReader(fh)
            ]
        with open(DATA_DIR / "pc4_gemeente_2025.csv", encoding="utf-8") as fh:
            areas = [
                PostcodeArea(
                    pc4=row["pc4"],
                    municipality_id=row["gemeentecode"],
                    lat=float(row["lat"]),
                    lon=float(row["lon"]),
                    places=row["woonplaatsen"][:200],
                    other_municipality_codes=row["gemeentecodes_alle"][:100],
                    certainty=row["gemeente_zekerheid"],
                )
                for row in csv.DictReader(fh)
            ]
        with transaction.atomic():
            Municipality.objects.bulk_create(
                municipalities,
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=[
                    "name",
                    "name_everyday",
                    "province_code",
                    "province_name",
                    "population",
                    "lat",
                    "lon",
                ],
                batch_size=500,
            )
            PostcodeArea.objects.bulk_create(
                areas,
                update_conflicts=True,
                unique_fields=["pc4"],
                update_fields=[
                    "municipality",
                    "lat",
                    "lon",
                    "places",
                    "other_municipality_codes",
                    "certainty",
                ],
                batch_size=500,
            )
            bump_version(REFERENCE)  # processes reload their postcode table (core.geo)
        if options["verbosity"]:
            self.stdout.write(
                f"Reference data: {len(municipalities)} gemeenten, {len(areas)} postcode areas."
            )
