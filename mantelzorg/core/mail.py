"""E-mail from the platform: one way to send a text message rendered from a template.

Every message is plain text (``templates/<app>/email/*.txt``), from ``DEFAULT_FROM_EMAIL``, to
one address, with ``site`` (``SITE_URL``) in its context for absolute links. Callers choose the
language (``translation.override``) and write their own audit row."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string


def send(*, to: str, subject: str, template: str, context: dict) -> None:
    send_mail(
        subject=subject,
        message=render_to_string(template, {"site": settings.SITE_URL, **context}),
        from_email=None,
        recipient_list=[to],
    )
