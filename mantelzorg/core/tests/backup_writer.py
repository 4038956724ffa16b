"""A writer process for test_backup.py: saves checks through the ORM, one transaction each, and prints
each check's id only after its commit returned (an acknowledged write). Bounded in count and time."""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from mantelzorg.assessment.models import SavedCheck  # noqa: E402

seconds, limit = float(sys.argv[1]), int(sys.argv[2])
deadline = time.monotonic() + seconds
for n in range(limit):
    if time.monotonic() > deadline:
        break
    with transaction.atomic():
        check = SavedCheck.objects.create(
            owner_email_hash=f"{os.getpid():032x}{n:032x}",
            instrument_id="balanscheck",
            instrument_canonical="https://mantelzorg.nl/fhir/Questionnaire/balanscheck|1.0.0",
            answers={"about.care_hours": n % 40, "padding": "x" * 200},
            scores={"overall_burden": n % 5},
            level="balanced",
        )
    print(check.id, flush=True)
    time.sleep(0.003)  # a busy site, not a bulk load: the test stops the writers after its backups
