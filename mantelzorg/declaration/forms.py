"""The forms of the declaration app: the verifier's (paste the MZ1 text or upload a picture of the
QR code; either one is enough, so neither field is required: the shared field template
(core/templates/django/forms/field.html) then adds "(optional)" to both labels, and ``clean``
asks for one of the two), the caregiver's declaration, a request to an issuer, and a relying
party's registration."""

from __future__ import annotations

import calendar
import datetime as dt

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from mantelzorg.core import geo

from .models import Indication, Issuer, RelyingParty, WazoRelation


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Text of the code"),
        help_text=_("The text that starts with MZ1:, as the caregiver shows or sends it."),
        required=False,
        strip=True,
        widget=forms.Textarea(
            attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    image = forms.FileField(
        label=_("Or a photo or screenshot of the QR code"),
        help_text=_("PNG or JPEG, at most 8 MB."),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    def clean(self):
        data = super().clean()
        if not data.get("code") and not data.get("image"):
            raise forms.ValidationError(
                _("Paste the text of the code or choose a picture of the QR code."), code="required"
            )
        return data


# --- The caregiver's declaration -----------------------------------------------------------------

# The tasks of the Balanscheck (assessment/instruments/balanscheck.json, task.<code>.does), so a
# saved check prefills them. Evidence for an issuer; no QR code discloses them.
TASKS = [
    ("household", _("Household")),
    ("meals", _("Food and drink")),
    ("personal_care", _("Personal care")),
    ("medical", _("Medicines and medical care")),
    ("administration", _("Money and paperwork")),
    ("transport", _("Transport and appointments")),
    ("supervision", _("Keeping an eye on them, being nearby")),
    ("emotional_support", _("Support and company")),
    ("coordination", _("Arranging care")),
    ("night_care", _("Care at night")),
    ("other", _("Something else")),
]
MONTHS = [
    (1, _("January")),
    (2, _("February")),
    (3, _("March")),
    (4, _("April")),
    (5, _("May")),
    (6, _("June")),
    (7, _("July")),
    (8, _("August")),
    (9, _("September")),
    (10, _("October")),
    (11, _("November")),
    (12, _("December")),
]


class DeclarationForm(forms.Form):
    relation = forms.ChoiceField(
        label=_("Who do you care for?"),
        choices=WazoRelation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who you care for.")},
    )
    postcode = forms.CharField(
        label=_("Postcode of the person you care for"),
        help_text=_("For the gemeente. We keep only the four digits, never the address."),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "size": 8}),
        error_messages={"required": _("Fill in the postcode, for example 3511 or 3511 AB.")},
    )
    since_month = forms.TypedChoiceField(
        label=_("Month"),
        choices=MONTHS,
        coerce=int,
        error_messages={"required": _("Choose the month you started.")},
    )
    since_year = forms.IntegerField(
        label=_("Year"),
        min_value=1950,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "size": 5}),
        error_messages={"required": _("Fill in the year you started, for example 2024.")},
    )
    hours_per_week = forms.IntegerField(
        label=_("About how many hours a week do you care for them?"),
        help_text=_("Count everything: help at home, appointments, arranging things, being there."),
        min_value=1,
        max_value=168,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "size": 4}),
        error_messages={
            "required": _("Fill in the hours per week (a whole number)."),
            "min_value": _("Fill in at least 1 hour."),
            "max_value": _("A week has 168 hours."),
        },
    )
    tasks = forms.MultipleChoiceField(
        label=_("What do you do for them?"),
        help_text=_("Only the organisation that confirms your declaration sees this. No QR code shows it."),
        choices=TASKS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    indications = forms.MultipleChoiceField(
        label=_("Does the person you care for get care or support with an indication?"),
        help_text=_("Only for the organisation that confirms your declaration."),
        choices=Indication.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    initials = forms.CharField(
        label=_("Your initials"),
        help_text=_("As on your ID, for example JV. A counter compares them with your ID."),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 6, "autocapitalize": "characters"}),
        error_messages={"required": _("Fill in your initials, for example JV.")},
    )
    birth_day = forms.IntegerField(
        label=_("Day"),
        min_value=1,
        max_value=31,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "size": 3, "autocomplete": "bday-day"}),
        error_messages={"required": _("Fill in the day you were born (1 to 31).")},
    )
    birth_month = forms.TypedChoiceField(
        label=_("Month"),
        choices=MONTHS,
        coerce=int,
        widget=forms.Select(attrs={"autocomplete": "bday-month"}),
        error_messages={"required": _("Choose the month you were born.")},
    )
    truthful = forms.BooleanField(
        label=_("I declare that what I filled in is true."),
        error_messages={"required": _("Tick that what you filled in is true.")},
    )

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["since_year"].validators.append(MaxValueValidator(today.year))

    def clean_postcode(self):
        try:
            return geo.resolve_postcode(self.cleaned_data["postcode"])
        except geo.PostcodeError as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def clean_initials(self):
        letters = "".join(ch for ch in self.cleaned_data["initials"].upper() if ch.isalpha())
        if not 1 <= len(letters) <= 4 or not letters.isascii():
            raise forms.ValidationError(_("Fill in 1 to 4 letters, for example JV."), code="initials")
        return letters

    def clean(self):
        data = super().clean()
        month, year = data.get("since_month"), data.get("since_year")
        if month and year:
            since = dt.date(year, month, 1)
            if since > self.today:
                self.add_error("since_year", _("That month has not begun yet."))
            data["care_since"] = since
        day, birth_month = data.get("birth_day"), data.get("birth_month")
        if day and birth_month and day > calendar.monthrange(2000, birth_month)[1]:  # 2000: 29 Feb exists
            self.add_error("birth_day", _("That month has no day %(day)d.") % {"day": day})
        return data

    def to_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["place"] = data.pop("postcode")
        return data


def initial_from(declaration) -> dict:
    """The form's values of an existing declaration (for a renewal)."""
    return {
        "relation": declaration.relation,
        "postcode": declaration.pc4,
        "since_month": declaration.care_since.month,
        "since_year": declaration.care_since.year,
        "hours_per_week": declaration.hours_per_week,
        "tasks": list(declaration.tasks),
        "indications": list(declaration.indications),
        "initials": declaration.initials,
        "birth_day": declaration.birth_day,
        "birth_month": declaration.birth_month,
    }


class SubmitForm(forms.Form):
    issuer = forms.ModelChoiceField(
        label=_("Which organisation should confirm it?"),
        queryset=Issuer.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose an organisation.")},
    )

    def __init__(self, *args, issuers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = Issuer.objects.filter(pk__in=[i.pk for i in issuers])
        self.fields["issuer"].label_from_instance = lambda issuer: issuer.organisation.name


class TextForm(forms.Form):
    """One text: an answer, a question or a reason."""

    text = forms.CharField(
        label=_("Your answer"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write something first.")},
    )

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["text"].label = label


class RelyingPartyForm(forms.ModelForm):
    class Meta:
        model = RelyingParty
        fields = ["name", "purpose", "municipality", "keeps", "retention", "contact"]

    def __init__(self, *args, purpose_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].widget = forms.Select(choices=purpose_choices)
        self.fields["municipality"].required = False
        self.fields["keeps"].help_text = _(
            "For example: the date of the check and the outcome, not the code."
        )
        self.fields["retention"].help_text = _("For example: as long as the permit runs, then 1 year.")

    def clean_purpose(self):
        value = self.cleaned_data["purpose"]
        if value not in dict(self.fields["purpose"].widget.choices):
            raise forms.ValidationError(_("Choose a purpose."))
        return value
