import time

from django.core.management.base import BaseCommand
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from mantelzorg.accounts.demo import DEMO_PASSWORD, DEMO_USERS, base32_secret
from mantelzorg.accounts.models import User


class Command(BaseCommand):
    help = "Print the demo logins, with the TOTP secret (and the code of this moment) of staff accounts."

    def handle(self, *args, **options):
        users = {u.email: u for u in User.objects.filter(email__in=[row[0] for row in DEMO_USERS])}
        if not users:
            self.stdout.write("No demo accounts (MANTELZORG_DEMO_DATA is off).")
            return
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, _name, role, *_ in DEMO_USERS:
            if email not in users:
                continue
            line = f"  {role.label:<26} {email}"
            device = TOTPDevice.objects.filter(user=users[email], confirmed=True).first()
            if device:
                code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
                line += f"  TOTP secret {base32_secret(device)} (code now: {code:06d})"
            self.stdout.write(line)
        self.stdout.write(
            f"  (codes change every 30 seconds; `manage.py demo_logins` prints fresh ones, {time.strftime('%H:%M:%S')})"
        )
