"""Writes of the Balanscheck, each audited: instruments, saved checks, e-mail links, reminders,
anonymous contributions and local thresholds. No answers or health content ever go to a log."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from mantelzorg.core import audit, mail
from mantelzorg.core.cache import bump_version

from . import balance, engine, evaluation, registry, selectors
from .models import (
    AnonymousContribution,
    InstrumentDefinition,
    LocalThresholds,
    ReminderSetting,
    SavedCheck,
)

MAGIC_SALT = "mantelzorg.assessment.magic-link"
MAGIC_MAX_AGE = dt.timedelta(days=30)
SAVE_PURPOSE = "caregiver keeps own check"


# ------------------------------------------------------------------------------ instruments


def instrument_load(
    *, data: dict, request=None, builtin: bool = False, activate: bool = True
) -> InstrumentDefinition:
    """Validate a Questionnaire with the engine and store it (idempotent by url + version).

    Raises ``engine.DefinitionError`` listing every problem. Loading a version makes it the
    active one of its Questionnaire (other versions with the same url are deactivated).
    """
    instrument = engine.load_instrument(data)
    digest = registry.checksum(data)
    with transaction.atomic():
        row = InstrumentDefinition.objects.filter(url=instrument.url, version=instrument.version).first()
        changed = row is None or row.checksum != digest or (activate and not row.active)
        if row is None:
            row = InstrumentDefinition(url=instrument.url, version=instrument.version)
        row.questionnaire_id = instrument.id
        row.title = instrument.title
        row.json = data
        row.checksum = digest
        row.builtin = builtin or row.builtin
        if activate:
            row.active = True
        if changed:
            row.loaded_at = timezone.now()
            row.save()
            if activate:
                InstrumentDefinition.objects.filter(url=instrument.url).exclude(pk=row.pk).update(
                    active=False
                )
            audit.log(
                request=request,
                action="assessment.instrument.loaded",
                obj=row,
                purpose="instrument management",
            )
            bump_version(registry.CONTENT)
    return row


def instruments_sync_builtin() -> int:
    """Store the shipped instruments (idempotent); returns how many rows changed."""
    changed = 0
    for instrument in engine.load_all_builtin().values():
        before = (
            InstrumentDefinition.objects.filter(url=instrument.url, version=instrument.version)
            .values_list("checksum", flat=True)
            .first()
        )
        if before != registry.checksum(instrument.resource):
            instrument_load(data=instrument.resource, builtin=True)
            changed += 1
    return changed


# ------------------------------------------------------------------------------ saved checks


def email_hash(email: str) -> str:
    return salted_hmac("mantelzorg.assessment.owner", email.strip().lower(), algorithm="sha256").hexdigest()


def _check_from_outcome(outcome: evaluation.Outcome, **owner) -> SavedCheck:
    level = outcome.level
    place = outcome.place
    return SavedCheck.objects.create(
        instrument_id=outcome.instrument.id,
        instrument_canonical=outcome.instrument.canonical,
        answers=outcome.answers,
        scores=dict(outcome.result.scores),
        bands={k: b.code for k, b in outcome.result.bands.items()},
        level=level.code if level else "",
        thresholds=dict(level.thresholds) if level else {},
        rules_version=level.rules_version if level else "",
        pc4=place.pc4 if place else "",
        municipality=outcome.municipality,
        **owner,
    )


@transaction.atomic
def check_save(*, request, outcome: evaluation.Outcome, user) -> SavedCheck:
    check = _check_from_outcome(outcome, owner=user)
    audit.log(request=request, action="assessment.check.saved", obj=check, subject=user, purpose=SAVE_PURPOSE)
    return check


@transaction.atomic
def check_save_by_email(*, request, outcome: evaluation.Outcome, email: str) -> SavedCheck:
    """Keep the check for an e-mail address (only its keyed hash is stored) and mail the link."""
    check = _check_from_outcome(outcome, owner_email_hash=email_hash(email))
    audit.log(
        request=request,
        action="assessment.check.saved",
        obj=check,
        subject=selectors.check_subject(check),
        purpose=SAVE_PURPOSE + " (e-mail link)",
    )
    magic_link_send(request=request, check=check, email=email)
    return check


def magic_token(check: SavedCheck) -> str:
    return signing.TimestampSigner(salt=MAGIC_SALT).sign(f"{check.id}.{check.owner_email_hash[:24]}")


def magic_link_send(*, request, check: SavedCheck, email: str) -> None:
    path = reverse("assessment:magic_link", args=[magic_token(check)])
    url = request.build_absolute_uri(path) if request is not None else settings.SITE_URL + path
    context = {"url": url, "days": MAGIC_MAX_AGE.days}
    mail.send(
        to=email,
        subject=translation.gettext("Your saved balance check"),
        template="assessment/email/magic_link.txt",
        context=context,
    )


def magic_link_open(*, request, token: str) -> SavedCheck | None:
    """The check a valid, unexpired, untampered link opens, or None. The session then owns every
    check saved under the same e-mail address (a newer link opens the older checks too)."""
    try:
        value = signing.TimestampSigner(salt=MAGIC_SALT).unsign(token, max_age=MAGIC_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        audit.denied(
            request=request,
            action="assessment.email_link.opened",
            object_type="assessment.savedcheck",
            purpose="e-mail link refused (expired or invalid)",
        )
        return None
    check_id, _, hash_prefix = value.partition(".")
    check = SavedCheck.objects.filter(id=check_id, owner__isnull=True).first()
    if check is None or check.owner_email_hash[:24] != hash_prefix:
        audit.denied(
            request=request,
            action="assessment.email_link.opened",
            object_type="assessment.savedcheck",
            object_id=check_id,
            purpose="e-mail link refused (the check is gone)",
        )
        return None
    owners = set(request.session.get(selectors.MAGIC_SESSION_KEY, []))
    owners.add(check.owner_email_hash)  # every check saved under this address: the history
    request.session[selectors.MAGIC_SESSION_KEY] = sorted(owners)
    audit.log(
        request=request,
        action="assessment.email_link.opened",
        obj=check,
        subject=selectors.check_subject(check),
        purpose="own checks (e-mail link)",
    )
    return check


@transaction.atomic
def check_delete(*, request, check: SavedCheck) -> None:
    subject = selectors.check_subject(check)
    check_id = str(check.pk)
    check.delete()
    audit.log(
        request=request,
        action="assessment.check.deleted",
        object_type="assessment.savedcheck",
        object_id=check_id,
        subject=subject,
        purpose=SAVE_PURPOSE,
    )


# ------------------------------------------------------------------------------ reminders


def reminder_set(*, request, user, interval_months: int | None) -> ReminderSetting | None:
    if not interval_months:
        ReminderSetting.objects.filter(user=user).delete()
        audit.log(
            request=request,
            action="assessment.reminder.deleted",
            object_type="assessment.remindersetting",
            subject=user,
            purpose="reminder to repeat",
        )
        return None
    setting, _ = ReminderSetting.objects.update_or_create(
        user=user, defaults={"interval_months": interval_months}
    )
    audit.log(
        request=request,
        action="assessment.reminder.updated",
        obj=setting,
        subject=user,
        purpose="reminder to repeat",
    )
    return setting


def reminder_due_at(setting: ReminderSetting, latest_check_at) -> dt.datetime | None:
    if latest_check_at is None:
        return None
    return latest_check_at + relativedelta(months=setting.interval_months)


def reminders_due(now=None) -> list[tuple[ReminderSetting, dt.datetime]]:
    """Settings whose reminder is due and not sent yet for the current latest check (2 queries)."""
    now = now or timezone.now()
    latest = (
        SavedCheck.objects.filter(owner=OuterRef("user"))
        .values("owner")
        .annotate(m=Max("created_at"))
        .values("m")
    )
    due: list[tuple[ReminderSetting, dt.datetime]] = []
    for setting in ReminderSetting.objects.annotate(latest=Subquery(latest)).select_related("user"):
        due_at = reminder_due_at(setting, setting.latest)
        if due_at is None or due_at > now or not setting.user.is_active:
            continue
        if setting.last_sent_at is not None and setting.last_sent_at >= due_at:
            continue  # already reminded for this check
        due.append((setting, due_at))
    return due


def reminders_send(now=None) -> int:
    """E-mail every due reminder once (running it again sends nothing new)."""
    now = now or timezone.now()
    sent = 0
    for setting, _due_at in reminders_due(now):
        with transaction.atomic():
            # Claim it first: a second run in parallel finds last_sent_at already set.
            claimed = ReminderSetting.objects.filter(pk=setting.pk, last_sent_at=setting.last_sent_at).update(
                last_sent_at=now
            )
            if not claimed:
                continue
            path = reverse("assessment:start")
            with translation.override(setting.user.language or settings.LANGUAGE_CODE):
                mail.send(
                    to=setting.user.email,
                    subject=translation.gettext("Time for a new balance check"),
                    template="assessment/email/reminder.txt",
                    context={"url": settings.SITE_URL + path, "months": setting.interval_months},
                )
            audit.log(
                action="assessment.reminder.sent",
                obj=setting,
                subject=setting.user,
                actor=None,
                role="system",
                purpose="reminder to repeat (the caregiver's choice)",
            )
            sent += 1
    return sent


# ------------------------------------------------------------------------------ statistics


def contribution_create(*, request, outcome: evaluation.Outcome, today=None) -> AnonymousContribution | None:
    """Store the allowed fields of one result for the gemeente's statistics (after opt-in)."""
    if outcome.level is None or outcome.municipality is None:
        return None
    today = today or timezone.localdate()
    row = AnonymousContribution.objects.create(
        municipality=outcome.municipality,
        level=outcome.level.code,
        support_domains=outcome.support_domains,
        age_group=outcome.answers.get("about.age_group", ""),
        month=today.replace(day=1),
    )
    # No object id and no subject: the audit trail must not link a person to the row.
    audit.log(
        request=request,
        action="assessment.contribution.consented",
        object_type="assessment.anonymouscontribution",
        purpose="anonymous municipal statistics (opt-in)",
    )
    return row


# ------------------------------------------------------------------------------ local policy


def thresholds_update(*, request, municipality, overrides: dict, note: str = "") -> LocalThresholds:
    """Set a gemeente's threshold overrides; unknown names or non-numbers raise DefinitionError."""
    balance.effective_thresholds(balance.load_level_rules(), overrides)
    row, _ = LocalThresholds.objects.update_or_create(
        municipality=municipality,
        defaults={"overrides": overrides, "note": note, "updated_at": timezone.now()},
    )
    bump_version(registry.CONTENT)
    audit.log(request=request, action="assessment.thresholds.updated", obj=row, purpose="local policy")
    return row
