"""Demo directory data for ``make run``: a smaller generated set (idempotent)."""

from mantelzorg.accounts.models import Organisation

from . import generator
from .models import Organization

DEMO_SERVICES = 2_000


def load(stdout=None) -> int:
    if generator.generated_exists():
        if stdout is not None:
            stdout.write("Directory demo data already present; skipped.")
        return 0
    summary = generator.generate(services=DEMO_SERVICES, seed=2026, stdout=stdout)
    # Link the Amsterdam steunpunt to the demo editor's account organisation (accounts.demo).
    account_org = Organisation.objects.filter(name="Voorbeeld Steunpunt Mantelzorg Amsterdam").first()
    if account_org is not None:
        Organization.objects.filter(
            is_generated=True, name="Voorbeeld Steunpunt Mantelzorg Amsterdam"
        ).update(account_organisation=account_org)
    return summary["services"]
