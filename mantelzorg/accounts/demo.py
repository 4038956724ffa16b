"""Demo accounts for a newcomer (generated, clearly fake, never in production).

Staff roles need a second factor: each gets a TOTP device whose secret is printed by
``manage.py demo_logins`` so that it can be added to any authenticator app, together
with the code of this moment.
"""

import base64
import secrets

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from mantelzorg.core.models import Municipality

from .models import Organisation, Role, User

DEMO_PASSWORD = "demo-mantelzorg-2026"

DEMO_USERS = [
    ("mantelzorger@example.nl", "Voorbeeld Mantelzorger Anna", Role.CAREGIVER, [], None),
    ("mantelzorger2@example.nl", "Voorbeeld Mantelzorger Bram", Role.CAREGIVER, [], None),
    ("netwerklid@example.nl", "Voorbeeld Netwerklid Chris", Role.NETWORK_MEMBER, [], None),
    ("wijkverpleegkundige@example.nl", "Voorbeeld Wijkverpleegkundige Dewi", Role.PROFESSIONAL, [], None),
    (
        "redacteur@example.nl",
        "Voorbeeld Redacteur Eva",
        Role.DIRECTORY_EDITOR,
        [],
        "Voorbeeld Steunpunt Mantelzorg Amsterdam",
    ),
    ("gemeente-amsterdam@example.nl", "Voorbeeld Beleid Amsterdam", Role.MUNICIPAL_STAFF, ["GM0363"], None),
    ("gemeente-utrecht@example.nl", "Voorbeeld Beleid Utrecht", Role.MUNICIPAL_STAFF, ["GM0344"], None),
    ("coordinator@example.nl", "Voorbeeld Coördinator Regio", Role.COORDINATOR, [], None),
    ("beheer@example.nl", "Voorbeeld Beheerder", Role.ADMIN, [], None),
]


def load(stdout=None) -> int:
    created = 0
    with transaction.atomic():
        for email, name, role, codes, organisation_name in DEMO_USERS:
            user, is_new = User.objects.get_or_create(email=email, defaults={"name": name, "role": role})
            if not is_new:
                continue
            created += 1
            user.set_password(DEMO_PASSWORD)
            user.is_staff = role == Role.ADMIN
            user.is_superuser = role == Role.ADMIN
            user.save()
            if codes:
                user.municipalities.set(Municipality.objects.filter(code__in=codes))
            if organisation_name:
                organisation, _ = Organisation.objects.get_or_create(
                    name=organisation_name, defaults={"kind": Organisation.Kind.SUPPORT_CENTRE}
                )
                organisation.municipalities.add(*Municipality.objects.filter(code="GM0363"))
                user.organisations.add(organisation)
            if user.requires_mfa:
                TOTPDevice.objects.create(user=user, name="demo", confirmed=True, key=secrets.token_hex(20))
    if stdout:
        stdout.write(f"Demo accounts: {created} created.")
    return created


def base32_secret(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode()
