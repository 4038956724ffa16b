"""What the relying-party side of MZ1 keeps (issue 14, C6): the status lists it publishes and a
count of verifications per purpose and day. Nothing of a code that is verified is stored."""

from __future__ import annotations

from django.db import models

from . import codec, status_list


class StatusList(models.Model):
    """One published Token Status List: 1 bit per attestation (1 revoked), at a random index.

    ``bits`` is the uncompressed byte array (status_list.new_list); its token is built and signed
    when fetched (selectors.status_token), at ``/verklaring/status/<id>.cwt``."""

    bits = models.BinaryField(default=bytes)
    size = models.PositiveIntegerField(default=status_list.DEFAULT_SIZE)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"status list {self.pk} ({self.size} entries)"


class VerificationCount(models.Model):
    """How many codes were checked on a day, per purpose and outcome (statistics only).

    ``purpose`` is the disclosed purpose of a valid code; other outcomes disclose no claims, so
    their purpose is empty."""

    OUTCOMES = [(outcome, outcome) for outcome in codec.OUTCOMES]

    purpose = models.CharField(max_length=20, blank=True)
    day = models.DateField()
    outcome = models.CharField(max_length=12, choices=OUTCOMES)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["purpose", "day", "outcome"], name="declaration_count_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.purpose or '-'} {self.outcome}: {self.count}"
