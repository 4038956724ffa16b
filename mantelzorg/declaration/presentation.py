"""The outcome of a verification in plain words for the verifier's page (English msgids, Dutch
catalogue): a headline per outcome and the disclosed claims as rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mantelzorg.network.models import Relation

from . import codec, selectors

HEADLINES = {
    codec.VALID: (
        gettext_lazy("Valid"),
        gettext_lazy("This code is genuine, it has not expired and it has not been revoked."),
    ),
    codec.EXPIRED: (
        gettext_lazy("Expired"),
        gettext_lazy(
            "This code was genuine, but its period of validity has ended. Ask the caregiver for a new code."
        ),
    ),
    codec.REVOKED: (
        gettext_lazy("Revoked"),
        gettext_lazy(
            "This code has been revoked by the caregiver or by the organisation that confirmed it. Do not accept it."
        ),
    ),
    codec.NOT_GENUINE: (
        gettext_lazy("Not genuine"),
        gettext_lazy(
            "This code was not signed by Mantelzorg, or it was changed after it was signed. Do not accept it."
        ),
    ),
    codec.MALFORMED: (
        gettext_lazy("Not readable"),
        gettext_lazy(
            "This is not a Mantelzorg code we can read. Check that you copied all of the text, starting with MZ1:, or upload a sharper picture."
        ),
    ),
}

PURPOSES = {
    "parking": gettext_lazy("Parking permit"),
    "employer": gettext_lazy("Employer (care leave)"),
    "housing": gettext_lazy("Housing"),
    "uwv": gettext_lazy("UWV (exemption from the duty to apply for jobs)"),
    "education": gettext_lazy("School or study"),
    "appreciation": gettext_lazy("Caregiver appreciation"),
    "general": gettext_lazy("General"),
}


@dataclass(frozen=True)
class Row:
    label: str
    value: str


@dataclass(frozen=True)
class Outcome:
    status: str
    headline: str
    explanation: str
    rows: list[Row]
    holder: list[Row]
    expires: str
    status_checked: bool


def _local(timestamp: int) -> str:
    moment = dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).astimezone(timezone.get_current_timezone())
    return date_format(moment, "DATETIME_FORMAT")


def _month(value: str) -> str:
    year, month = value.split("-")
    return date_format(dt.date(int(year), int(month), 1), "YEAR_MONTH_FORMAT")


def _date(value: str) -> str:
    return date_format(dt.date.fromisoformat(value), "DATE_FORMAT")


def claim_rows(claims: dict) -> list[Row]:
    rows = [Row(_("Purpose"), str(PURPOSES.get(claims["purpose"], claims["purpose"])))]
    if claims.get("level") == "confirmed" and "confirmed_by" in claims:
        name = selectors.confirming_organisation_name(claims["confirmed_by"])
        if name:
            level = _("Confirmed by %(organisation)s") % {"organisation": name}
        else:
            level = _("Confirmed by organisation number %(number)d (not in our list of organisations)") % {
                "number": claims["confirmed_by"]
            }
    elif claims.get("level") == "confirmed":
        level = _("Confirmed by an organisation")
    else:
        level = _("Self-declared: the caregiver filled this in; no organisation has confirmed it")
    rows.append(Row(_("Level"), level))
    if "hours_band" in claims:
        rows.append(
            Row(_("Care per week"), _("at least %(hours)d hours per week") % {"hours": claims["hours_band"]})
        )
    if "care_since" in claims:
        rows.append(Row(_("Caring since"), _month(claims["care_since"])))
    if "relation" in claims:
        try:
            relation = Relation(claims["relation"]).label
        except ValueError:
            relation = claims["relation"]
        rows.append(Row(_("Relation to the person cared for"), str(relation)))
    if "pc4" in claims:
        rows.append(Row(_("Postcode area of the person cared for"), claims["pc4"]))
    if "gemeente" in claims:
        name = selectors.municipality_name(claims["gemeente"])
        gemeente = f"{name} ({claims['gemeente']})" if name else claims["gemeente"]
        rows.append(Row(_("Municipality of the person cared for"), gemeente))
    if "valid_until" in claims:
        rows.append(Row(_("The declaration runs until"), _date(claims["valid_until"])))
    return rows


def holder_rows(holder: dict) -> list[Row]:
    rows = [Row(_("Initials"), holder.get("initials", ""))]
    if "birth_day" in holder:
        rows.append(Row(_("Day of birth"), str(holder["birth_day"])))
    if "birth_month" in holder:
        rows.append(Row(_("Month of birth"), date_format(dt.date(2000, holder["birth_month"], 1), "F")))
    return rows


def outcome(result: codec.Verification) -> Outcome:
    headline, explanation = HEADLINES[result.status]
    claims = result.claims or {}
    valid = result.valid
    return Outcome(
        status=result.status,
        headline=str(headline),
        explanation=str(explanation),
        rows=claim_rows(claims) if valid else [],
        holder=holder_rows(claims.get("holder") or {}) if valid else [],
        expires=_local(result.expires_at) if valid and result.expires_at else "",
        status_checked=result.status_checked,
    )


# --- The caregiver's side -----------------------------------------------------------------------


def local_time(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def local_date(day: dt.date) -> str:
    return date_format(day, "DATE_FORMAT")


def qr_svg(code: str) -> str:
    """The QR code of ``code`` as inline SVG (error correction Q, as the DCC), scalable by CSS."""
    import segno

    qr = segno.make(code, error="q", micro=False, boost_error=False)
    return qr.svg_inline(scale=1, border=4, omitsize=True, svgclass="mz-qr__svg", title=_("QR code"))


def qr_png(code: str) -> str:
    """The same QR code as a PNG data URI for the printed PDF (8 pixels a module: sharp on paper,
    and readable back from the PDF by a decoder)."""
    import segno

    return segno.make(code, error="q", micro=False, boost_error=False).png_data_uri(scale=8, border=4)


def _choice(choices, value) -> str:
    return str(dict(choices).get(value, value))


def declaration_rows(declaration, *, for_issuer: bool = False) -> list[Row]:
    """What a declaration says, in words (the caregiver's page and the issuer's review)."""
    from . import forms
    from .models import Indication, WazoRelation

    rows = [
        Row(
            _("Whom the caregiver cares for") if for_issuer else _("Who you care for"),
            _choice(WazoRelation.choices, declaration.relation),
        ),
        Row(
            _("Where the person cared for lives") if for_issuer else _("Where they live"),
            _("postcode area %(pc4)s, gemeente %(gemeente)s")
            % {"pc4": declaration.pc4, "gemeente": declaration.municipality.name_everyday},
        ),
        Row(_("Caring since"), date_format(declaration.care_since, "YEAR_MONTH_FORMAT")),
        Row(_("Hours per week"), str(declaration.hours_per_week)),
        Row(
            _("Tasks"),
            ", ".join(_choice(forms.TASKS, task) for task in declaration.tasks) or _("none filled in"),
        ),
        Row(
            _("Indication"),
            ", ".join(_choice(Indication.choices, i) for i in declaration.indications) or _("none filled in"),
        ),
        Row(
            _("Your initials and birthday") if not for_issuer else _("Initials and birthday"),
            f"{declaration.initials}, {date_format(dt.date(2000, declaration.birth_month, declaration.birth_day), 'j F')}",
        ),
        Row(
            _("Valid"),
            _("from %(start)s to %(end)s")
            % {"start": local_date(declaration.valid_from), "end": local_date(declaration.valid_until)},
        ),
    ]
    return rows


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


def changes(current: dict, suggested: dict, form) -> list[Change]:
    """The fields a renewal changes, from what and to what, in words."""
    rows = []
    for name, value in suggested.items():
        field = form.fields[name]
        choices = getattr(field, "choices", None)

        def show(v, choices=choices):
            if isinstance(v, list):
                return ", ".join(_choice(choices, x) for x in v) or _("none")
            return _choice(choices, v) if choices else str(v)

        rows.append(Change(str(field.label), show(current.get(name)), show(value)))
    return rows


def browser_texts() -> dict:
    """Every word the offline verifier in the browser shows (mz1.js, verify-page.js), in the page's
    language: the same headlines and labels as the server's outcome, and what offline checking means.
    The page hands them over as JSON (json_script), so the script needs no catalogue of its own."""
    texts = {
        "headlines": {
            status: {"headline": str(headline), "explanation": str(explanation)}
            for status, (headline, explanation) in HEADLINES.items()
        },
        "purposes": {key: str(label) for key, label in PURPOSES.items()},
        "relations": {str(value): str(label) for value, label in Relation.choices},
        "labels": {
            "purpose": _("Purpose"),
            "level": _("Level"),
            "hours_band": _("Care per week"),
            "care_since": _("Caring since"),
            "relation": _("Relation to the person cared for"),
            "pc4": _("Postcode area of the person cared for"),
            "gemeente": _("Municipality of the person cared for (CBS code)"),
            "valid_until": _("The declaration runs until"),
            "initials": _("Initials"),
            "birth_day": _("Day of birth"),
            "birth_month": _("Month of birth"),
            "expires": _("This code is valid until"),
        },
        "confirmed_by": _("Confirmed by %(organisation)s"),
        # an organisation this device has no name for, and a confirmed code without confirmed_by
        "confirmed_by_number": _(
            "Confirmed by organisation number %(number)d (not in our list of organisations)"
        ),
        "confirmed": _("Confirmed by an organisation"),
        "self_declared": _("Self-declared: the caregiver filled this in; no organisation has confirmed it"),
        "hours": _("at least %(hours)d hours per week"),
        "compare": _("Compare with an ID"),
        "compare_text": _(
            "Ask for a passport, ID card or driving licence. Check that the initials and the day or month of birth on it are the ones below. The code holds no name and no photo: without this check anyone could show it."
        ),
        "declares": _("What the caregiver declares"),
        "meta": _(
            "This is a declaration made by a caregiver through Mantelzorg, and confirmed only when it says so above. It is not an official government document. You see only what this purpose needs; nothing you check here is stored."
        ),
        "checked_here": _("Checked on this device, without an internet connection."),
        "not_checked": _(
            "Whether the code was revoked could not be checked: this device has no revocation list of the last 24 hours. Check the code again when you are online."
        ),
        "trust_age": _("Keys and revocation list from %(time)s."),
        "offline_works": _("This page also works without an internet connection."),
        "offline_revocation": _(
            "Without internet you see a revocation only after the list on this device was refreshed. That happens every hour while this page is open online."
        ),
        "offline_stale": _(
            "The revocation list on this device is older than 24 hours. Whether a code was revoked cannot be checked until you are online again."
        ),
        "offline_no_keys": _(
            "You are offline and this device has no keys to check codes with. Open this page once with an internet connection."
        ),
        "offline_picture": _(
            "Without an internet connection a picture cannot be read here. Paste the text that starts with MZ1: instead."
        ),
        "scan": _("Scan with the camera"),
        "scan_stop": _("Stop scanning"),
        "scan_help": _("Hold the QR code in front of the camera. The code is checked as soon as it is seen."),
        "scan_denied": _(
            "The camera could not be started. Allow the camera, or paste the text or upload a picture."
        ),
        "required": _("First paste the text that starts with MZ1:."),
    }
    return texts
