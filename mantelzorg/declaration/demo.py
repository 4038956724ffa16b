"""Demo data: the demo caregiver (Anna, who cares for her mother in Amsterdam) has a declaration
confirmed by the demo steunpunt, with QR codes for a parking permit and her employer, and an older
declaration she revoked; so a newcomer can verify all three outcomes (valid, revoked, and expired
by checking a code after its date). The steunpunt's consultant (steunpunt@example.nl) has one
request waiting in the queue, from the second demo caregiver. Loaded once (idempotent); needs the
accounts' demo and a signing key (``prepare`` makes a demo keyring)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from mantelzorg.accounts.models import Organisation, User
from mantelzorg.core import geo

from . import keys, selectors, services
from .models import Declaration, Issuer, RelyingParty

STEUNPUNT = "Voorbeeld Steunpunt Mantelzorg Amsterdam"


def _data(**changes) -> dict:
    data = {
        "relation": "relative",
        "place": geo.resolve_postcode("1053"),
        "care_since": dt.date(2023, 9, 1),
        "hours_per_week": 12,
        "tasks": ["household", "transport", "coordination", "emotional_support"],
        "indications": ["wmo", "zvw"],
        "initials": "AV",
        "birth_day": 14,
        "birth_month": 3,
    }
    data.update(changes)
    return data


def load(stdout=None) -> int:
    anna = User.objects.filter(email="mantelzorger@example.nl").first()
    bram = User.objects.filter(email="mantelzorger2@example.nl").first()
    organisation = Organisation.objects.filter(name=STEUNPUNT).first()
    if anna is None or organisation is None or Declaration.objects.filter(caregiver=anna).exists():
        return 0
    try:
        selectors.keyring()
    except keys.KeyringError:
        if stdout:
            stdout.write("Demo declarations: no signing key configured; none made.")
        return 0
    today = timezone.localdate()
    # The demo's review steps would e-mail the demo accounts (services._tell_*): not from a loader.
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        transaction.atomic(),
    ):
        issuer, _ = Issuer.objects.get_or_create(organisation=organisation)
        RelyingParty.objects.get_or_create(
            name="Voorbeeld Gemeente Amsterdam, Parkeren",
            purpose="parking",
            defaults={
                "municipality_id": "GM0363",
                "keeps": "De datum van de controle en de uitkomst, niet de code.",
                "retention": "Zolang de vergunning loopt, daarna 1 jaar.",
                "contact": "parkeren@example.nl",
                "approved_at": timezone.now(),
            },
        )
        old = services.declaration_create(
            request=None, caregiver=anna, data=_data(hours_per_week=6), today=today - dt.timedelta(days=200)
        )
        old_code = services.attestation_create(request=None, declaration=old, purpose="general")
        services.attestation_code(request=None, attestation=old_code)
        services.declaration_revoke(request=None, declaration=old)

        current = services.declaration_create(request=None, caregiver=anna, data=_data(), today=today)
        services.declaration_submit(request=None, declaration=current, issuer=issuer)
        services.review_confirm(request=None, declaration=current, today=today)
        for purpose in ("parking", "employer"):
            attestation = services.attestation_create(request=None, declaration=current, purpose=purpose)
            services.attestation_code(request=None, attestation=attestation)

        if bram is not None:
            waiting = services.declaration_create(
                request=None,
                caregiver=bram,
                data=_data(initials="BV", birth_day=2, birth_month=11, hours_per_week=9, tasks=["transport"]),
                today=today,
            )
            services.declaration_submit(request=None, declaration=waiting, issuer=issuer)
    if stdout:
        stdout.write("Demo declarations: 1 confirmed (parking, employer), 1 revoked, 1 waiting for review.")
    return 3
