"""Reads of saved Balanscheck checks: who may see one (the access rule, once: ``check_access``),
the visitor's own list and history, the prefill of a repeated check and the trend over time.
Every read of a saved check is audited here, once.

The instrument registry is ``registry.py``, evaluating answers ``evaluation.py``, local offers
``offers.py``.
"""

from __future__ import annotations

import fnmatch

from django.http import Http404
from django.utils import timezone

from mantelzorg.accounts.selectors import consent_is_active
from mantelzorg.core import audit, geo

from . import balance, engine
from .apps import BALANCE_HISTORY, FOLLOW_UP
from .evaluation import Outcome, evaluate, label
from .models import ReminderSetting, SavedCheck
from .registry import BALANSCHECK, instruments

# The keyed hashes of the e-mail addresses whose link was opened in this session: opening a link
# proves access to that address, so the checks saved under it are this visitor's (history, trend).
MAGIC_SESSION_KEY = "assessment_email_owners"


def _email_owners(request) -> set[str]:
    session = getattr(request, "session", None)
    return set(session.get(MAGIC_SESSION_KEY, [])) if session is not None else set()


def is_owner(request, check: SavedCheck) -> bool:
    """The account that saved the check, or a session that opened an e-mail link of its address."""
    user = getattr(request, "user", None)
    if check.owner_id is not None:
        return user is not None and user.is_authenticated and check.owner_id == user.pk
    return bool(check.owner_email_hash) and check.owner_email_hash in _email_owners(request)


def check_list_for_user(user, request=None):
    """The checks this visitor owns: an account's, or every check saved under an e-mail address
    whose link was opened in this session."""
    if user is not None and user.is_authenticated:
        return SavedCheck.objects.filter(owner=user).select_related("municipality")
    owners = _email_owners(request)
    if not owners:
        return SavedCheck.objects.none()
    return SavedCheck.objects.filter(owner__isnull=True, owner_email_hash__in=owners).select_related(
        "municipality"
    )


def check_access(request, check_id, *, manage: bool = False) -> tuple[SavedCheck, str]:
    """The saved check and the purpose of access, or 404 (audited either way).

    The owner (account, or an e-mail link of its address opened in this session) may read and
    manage it; a professional may read it while the owner's consent ``balance_history`` is active.
    Nobody else learns that it exists.
    """
    user = getattr(request, "user", None)
    check = SavedCheck.objects.select_related("municipality", "owner").filter(id=check_id).first()
    purpose = ""
    if check is not None:
        if is_owner(request, check):
            purpose = "own check" if check.owner_id is not None else "own check (e-mail link)"
        elif (
            not manage
            and check.owner_id is not None
            and user is not None
            and user.is_authenticated
            and consent_is_active(grantor=check.owner, grantee=user, scope=BALANCE_HISTORY, purpose=FOLLOW_UP)
        ):
            purpose = "follow-up with the caregiver's consent (balance_history)"
    if check is None or not purpose:
        audit.denied(
            request=request,
            action="assessment.check.viewed",
            subject=check_subject(check) if check is not None else None,
            object_type="assessment.savedcheck",
            object_id=str(check_id),
            purpose="not the owner and no consent" if check is not None else "no such check",
        )
        raise Http404
    return check, purpose


def email_session_subject(request) -> str | None:
    """The subject of an e-mail-link session's read: the address (as its keyed hash) whose link
    was opened; None when links of several addresses were opened in this session."""
    owners = _email_owners(request)
    return "email:" + next(iter(owners))[:32] if len(owners) == 1 else None


def check_subject(check: SavedCheck) -> str:
    """Whom a saved check is about, for the audit trail: the account that saved it, or the keyed
    hash of the e-mail address it was saved under (never the address)."""
    if check.owner_id is not None:
        return str(check.owner_id)
    return "email:" + check.owner_email_hash[:32]


def check_get_to_manage(request, check_id, *, purpose: str) -> SavedCheck:
    """The owner's own check, to show before changing it (the delete confirmation), or 404; the
    read is audited as ``assessment.check.viewed``."""
    check, basis = check_access(request, check_id, manage=True)
    audit.log(
        request=request,
        action="assessment.check.viewed",
        obj=check,
        subject=check_subject(check),
        purpose=f"{basis} ({purpose})",
    )
    return check


def check_get_for_user(request, check_id) -> SavedCheck:
    """Read access (audited as ``assessment.check.viewed``)."""
    check, purpose = check_access(request, check_id)
    audit.log(
        request=request,
        action="assessment.check.viewed",
        obj=check,
        subject=check_subject(check),
        purpose=purpose,
    )
    return check


def check_export_for_owner(request, check_id) -> SavedCheck:
    """The owner's own check for an export (the FHIR QuestionnaireResponse), or 404; audited as
    ``assessment.check.viewed``, once per read."""
    check, purpose = check_access(request, check_id, manage=True)
    audit.log(
        request=request,
        action="assessment.check.viewed",
        obj=check,
        subject=check_subject(check),
        purpose=purpose + " (FHIR export)",
    )
    return check


def check_history_for_user(request) -> list[SavedCheck]:
    """The visitor's own checks for the history page, newest first; the read is audited once (an
    anonymous visitor without checks reads nothing and is sent to log in, unaudited)."""
    user = request.user
    checks = list(check_list_for_user(user, request))
    if checks or user.is_authenticated:
        audit.log(
            request=request,
            action="assessment.check.viewed",
            object_type="assessment.savedcheck",
            subject=user if user.is_authenticated else email_session_subject(request),
            purpose="own history",
        )
    return checks


def check_outcome(check: SavedCheck) -> Outcome | None:
    """The result of a saved check, computed again with the thresholds of that moment."""
    instrument = instruments().get(check.instrument_id)
    if instrument is None or instrument.canonical != check.instrument_canonical:
        # The version the check was made with, when it is a shipped one (current or archived).
        instrument = engine.load_builtin_versions().get(check.instrument_canonical, instrument)
    if instrument is None:
        return None
    # The thresholds of that moment, as far as the current rules still know them.
    known = balance.load_level_rules().thresholds
    thresholds = {name: value for name, value in (check.thresholds or {}).items() if name in known}
    try:
        outcome = evaluate(instrument, check.answers, place=_saved_place(check), thresholds=thresholds)
    except (engine.ResponseValidationError, engine.DefinitionError):
        return None
    outcome.municipality = check.municipality
    return outcome


def _saved_place(check: SavedCheck):
    """The postcode area a check was saved with (PC4), for local offers; None without one."""
    if not check.pc4:
        return None
    try:
        return geo.resolve_postcode(check.pc4)
    except geo.PostcodeError:  # an area that no longer exists
        return None


# Answers that usually stay the same between two checks: who you are and care for, and which
# tasks you do. How it goes (energy, pressure, help, how heavy, safety) is always asked afresh.
STABLE_ANSWERS = ("about.*", "task.*.does", "task.*.hours", "task.*.description", "task.*.transferable")


def prefill_for(request, *, log: bool = True, purpose: str = "prefill a new check with stable answers"):
    """(stable answers, PC4, date) of the visitor's latest saved Balanscheck, or None: a repeated
    check starts from these (account holders and e-mail link sessions alike). Audited, unless the
    caller's request writes its one row naming this read itself (``log=False``: a declaration's
    renewal)."""
    check = check_list_for_user(request.user, request).filter(instrument_id=BALANSCHECK).first()
    if check is None:
        return None
    if log:
        audit.log(
            request=request,
            action="assessment.check.viewed",
            obj=check,
            subject=check_subject(check),
            purpose=purpose,
        )
    answers = {
        link_id: value
        for link_id, value in check.answers.items()
        if any(fnmatch.fnmatchcase(link_id, pattern) for pattern in STABLE_ANSWERS)
    }
    return answers, check.pc4, check.created_at


CARE_HOURS = "about.care_hours"  # "About how many hours a week do you care for this person?"


def network_care_hours(request) -> int | None:
    """The hours per week of the visitor's own tasks in their care network (the last 4 weeks), as
    a suggestion for ``CARE_HOURS``; None without an account, a network or done tasks. The
    assessment asks the network, never the other way round, and works without it."""
    from django.apps import apps

    if not apps.is_installed("mantelzorg.network"):
        return None
    from mantelzorg.network.selectors import care_hours_per_week

    return care_hours_per_week(getattr(request, "user", None))


MAIN_SCORES = 2  # per instrument, the first scores of its definition are shown first


def trend(checks) -> list[dict]:
    """Per instrument and score: the values over time (oldest first), for chart and table.

    ``main`` marks the first ``MAIN_SCORES`` scores of each instrument's definition (for the
    Balanscheck: how heavy, and hours of care); the page shows the others folded away."""
    series: dict[tuple[str, str], dict] = {}
    registry = instruments()
    for check in sorted(checks, key=lambda c: c.created_at):
        instrument = registry.get(check.instrument_id)
        definitions = {d.code: d for d in instrument.scores} if instrument else {}
        main = list(definitions)[:MAIN_SCORES] if instrument else None
        for key, value in (check.scores or {}).items():
            if "." in key:
                continue
            definition = definitions.get(key)
            entry = series.setdefault(
                (check.instrument_id, key),
                {
                    "instrument": instrument.title if instrument else check.instrument_id,
                    "code": key,
                    "id": f"{check.instrument_id}-{key}",  # unique on the page, also across instruments
                    "label": label(definition.label) if definition else key,
                    "direction": definition.direction if definition else "higher_is_worse",
                    "main": main is None or key in main,
                    "points": [],
                },
            )
            entry["points"].append(
                {"date": timezone.localtime(check.created_at), "value": value, "level": check.level}
            )
    return list(series.values())


def reminder_for_user(user) -> ReminderSetting | None:
    """The signed-in person's own reminder setting, if any (part of the history read)."""
    if user is None or not user.is_authenticated:
        return None
    return ReminderSetting.objects.filter(user=user).first()
