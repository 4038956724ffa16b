"""Demo accounts for a newcomer (generated, clearly fake, never in production).

Staff roles need a second factor: each gets a TOTP device whose secret is printed by
``manage.py demo_logins`` so that it can be added to any authenticator app, together
with the code of this moment. Only a device this loader generated is ever printed: its key is
derived from the installation's secret key and the address (``demo_totp_key``), so a real
authenticator (an account made by hand, even under a demo address, or a device added later) never
matches, and nothing is printed when demo data is off (``MANTELZORG_DEMO_DATA``).
"""

import base64
import hashlib
import hmac

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from mantelzorg.core.models import Municipality

from .models import Organisation, Role, User

DEMO_PASSWORD = "demo-mantelzorg-2026"
DEMO_DEVICE_NAME = "demo"

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
    (
        "steunpunt@example.nl",
        "Voorbeeld Consulent Steunpunt Fatima",
        Role.PROFESSIONAL,
        [],
        "Voorbeeld Steunpunt Mantelzorg Amsterdam",
    ),
    ("gemeente-amsterdam@example.nl", "Voorbeeld Beleid Amsterdam", Role.MUNICIPAL_STAFF, ["GM0363"], None),
    ("gemeente-utrecht@example.nl", "Voorbeeld Beleid Utrecht", Role.MUNICIPAL_STAFF, ["GM0344"], None),
    ("logeerhuis@example.nl", "Voorbeeld Zorgverlener Logeerhuis Gijs", Role.PROFESSIONAL, [], None),
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
                TOTPDevice.objects.create(
                    user=user, name=DEMO_DEVICE_NAME, confirmed=True, key=demo_totp_key(email)
                )
    if stdout:
        stdout.write(f"Demo accounts: {created} created.")
    return created


def demo_totp_key(email: str) -> str:
    """The hex key (20 bytes) of the TOTP device the loader generates for the demo account ``email``."""
    message = b"mantelzorg demo TOTP device\0" + email.encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:40]


def generated_device(user: User) -> TOTPDevice | None:
    """The TOTP device the demo loader generated for ``user``, or None: for an account that is not a
    demo account, and for every device of a demo account that the loader did not make."""
    if user.email not in {row[0] for row in DEMO_USERS}:
        return None
    expected = demo_totp_key(user.email)
    for device in TOTPDevice.objects.filter(user=user, name=DEMO_DEVICE_NAME, confirmed=True):
        if hmac.compare_digest(device.key, expected):
            return device
    return None


def base32_secret(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode()
