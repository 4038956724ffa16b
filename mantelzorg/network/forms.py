"""Forms of the care network. Labels above, help below, errors beside the field and in the summary
(core's NLDS form renderer); messages say what to do."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mantelzorg.core import geo

from .models import DIARY_MAX, Relation, Role

NO_MEDICAL = _("Do not write medical details here, such as illnesses or medicines.")

# The relations a member can choose (the naaste has their own role).
MEMBER_RELATIONS = [(v, label) for v, label in Relation.choices if v != Relation.SELF]
INVITE_ROLES = [(v, label) for v, label in Role.choices]


class NetworkForm(forms.Form):
    recipient_name = forms.CharField(
        label=_("Name of the person you care for"),
        help_text=_("A first name is enough."),
        max_length=150,
        error_messages={"required": _("Fill in the name of the person you care for.")},
    )
    relation = forms.ChoiceField(
        label=_("You are their"),
        choices=[("", _("Choose"))] + MEMBER_RELATIONS,
        error_messages={"required": _("Choose how you are related.")},
    )
    recipient_birth_date = forms.DateField(
        label=_("Date of birth"),
        help_text=_("For example 14-3-1942."),
        required=False,
        input_formats=["%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": _("Fill in a date like 14-3-1942.")},
    )
    postcode = forms.CharField(
        label=_("Postcode of the person you care for"),
        help_text=_("To find help in their gemeente. We keep only the four digits."),
        max_length=8,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )

    def clean_postcode(self):
        raw = self.cleaned_data["postcode"].strip()
        if not raw:
            return None
        try:
            return geo.resolve_postcode(raw)
        except geo.PostcodeError as error:
            raise forms.ValidationError(error.message, code=error.code) from None


class NetworkSettingsForm(forms.Form):
    recipient_name = NetworkForm.base_fields["recipient_name"]
    recipient_birth_date = NetworkForm.base_fields["recipient_birth_date"]
    diary_for_members = forms.BooleanField(
        label=_("Members with permission may read the diary"),
        help_text=_("Off: only coordinators and caregivers see the diary."),
        required=False,
    )
    feed_notes = forms.BooleanField(
        label=_("Show notes in the calendar feeds"),
        help_text=_("Off: a calendar app shows only the title, time and place."),
        required=False,
    )


class InviteForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        error_messages={
            "required": _("Fill in the e-mail address of the person you invite."),
            "invalid": _("Fill in an e-mail address like name@example.nl."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role in the network"),
        choices=INVITE_ROLES,
        initial=Role.MEMBER,
        help_text=_(
            "Caregiver: another main carer. Member: family, friend, neighbour or volunteer. "
            "Professional: for example the district nurse."
        ),
    )
    relation = forms.ChoiceField(
        label=_("Relation to the person you care for"),
        choices=[("", _("Choose"))] + MEMBER_RELATIONS,
        required=False,
    )
    sees_private = forms.BooleanField(
        label=_("May see the diary and contact details"),
        required=False,
    )

    def clean(self):
        data = super().clean()
        role, relation = data.get("role"), data.get("relation")
        if role == Role.RECIPIENT:
            data["relation"] = Relation.SELF
        elif role == Role.PROFESSIONAL and not relation:
            data["relation"] = Relation.PROFESSIONAL
        elif role and not relation:
            self.add_error("relation", _("Choose how this person is related to the person you care for."))
        return data


class MemberForm(forms.Form):
    role = forms.ChoiceField(label=_("Role in the network"), choices=Role.choices)
    relation = forms.ChoiceField(label=_("Relation to the person you care for"), choices=Relation.choices)
    sees_private = forms.BooleanField(label=_("May see the diary and contact details"), required=False)


class MySettingsForm(forms.Form):
    phone = forms.CharField(
        label=_("Your phone number"),
        help_text=_("Members with permission see it, so they can call you."),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    reminders = forms.BooleanField(label=_("Send me a reminder the day before my tasks"), required=False)
    remind_week_before = forms.BooleanField(label=_("Also a week before"), required=False)


class DiaryForm(forms.Form):
    text = forms.CharField(
        label=_("What happened?"),
        help_text=NO_MEDICAL,
        max_length=DIARY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Write something first."),
            "max_length": _("Keep it shorter: at most %(limit_value)d characters."),
        },
    )
