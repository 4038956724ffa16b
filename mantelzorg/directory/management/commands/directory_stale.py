from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mass_mail
from django.core.management.base import BaseCommand
from django.utils import translation

from mantelzorg.accounts.models import Role, User
from mantelzorg.directory.selectors import stale_services


class Command(BaseCommand):
    help = "List published directory entries not verified for 12 months; --email tells their editors."

    def add_arguments(self, parser):
        parser.add_argument("--email", action="store_true", help="e-mail the editors of each organisation")

    def handle(self, *args, email=False, **options):
        translation.activate(settings.LANGUAGE_CODE)
        by_org = defaultdict(list)
        count = 0
        for service in stale_services().iterator(chunk_size=2000):
            count += 1
            checked = service.assured_date.isoformat() if service.assured_date else "nooit"
            self.stdout.write(f"{service.id}\t{checked}\t{service.organization.name}\t{service.name}")
            if service.organization.account_organisation_id:
                by_org[service.organization.account_organisation_id].append(service)
        self.stdout.write(f"{count} entries not verified for 12 months.")
        if not email:
            return
        editors = defaultdict(list)
        for user in User.objects.filter(
            role=Role.DIRECTORY_EDITOR, is_active=True, organisations__in=list(by_org)
        ).prefetch_related("organisations"):
            for org in user.organisations.all():
                if org.id in by_org:
                    editors[user.email] += by_org[org.id]
        messages = []
        for address, services in editors.items():
            lines = "\n".join(
                f"- {s.name} ({settings.SITE_URL}/sociale-kaart/beheer/aanbod/{s.id}/)" for s in services
            )
            body = (
                "Deze informatie op de sociale kaart is meer dan 12 maanden niet gecontroleerd.\n"
                "Kijk of alles nog klopt en sla het op met 'Ik heb deze informatie gecontroleerd'.\n\n"
                + lines
            )
            messages.append(
                ("Sociale kaart: controleer je aanbod", body, settings.DEFAULT_FROM_EMAIL, [address])
            )
        send_mass_mail(messages, fail_silently=False)
        self.stdout.write(f"E-mailed {len(messages)} editors.")
