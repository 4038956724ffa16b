import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django_otp.oath import totp

from mantelzorg.accounts.demo import DEMO_PASSWORD, DEMO_USERS, base32_secret, generated_device
from mantelzorg.accounts.models import User


class Command(BaseCommand):
    help = (
        "Print the demo logins, with the TOTP secret (and the code of this moment) of the generated "
        "staff demo accounts. Only when MANTELZORG_DEMO_DATA is on; never any other account's secret."
    )

    def handle(self, *args, **options):
        if not settings.DEMO_DATA:
            self.stdout.write("Demo data is off (MANTELZORG_DEMO_DATA=0): no demo logins shown.")
            return
        users = {u.email: u for u in User.objects.filter(email__in=[row[0] for row in DEMO_USERS])}
        if not users:
            self.stdout.write("No demo accounts (run `manage.py load_demo_data`).")
            return
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, _name, role, *_ in DEMO_USERS:
            if email not in users:
                continue
            user = users[email]
            line = f"  {role.label:<26} {email}"
            device = generated_device(user)
            if device:
                code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
                line += f"  TOTP secret {base32_secret(device)} (code now: {code:06d})"
            elif user.requires_mfa:
                line += "  (not a generated demo account: its second factor is not shown)"
            self.stdout.write(line)
        self.stdout.write(
            f"  (codes change every 30 seconds; `manage.py demo_logins` prints fresh ones, {time.strftime('%H:%M:%S')})"
        )
