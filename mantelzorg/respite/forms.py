"""The forms of the respite pages: the search (GET, Dutch parameter names, so a result page can be
shared and a link can redo it with other dates), the request, the provider's reason and the
waiting list. Every choice the caregiver does not make stays empty: the pages never claim a need
or a funding that was not given."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mantelzorg.accounts.models import Role
from mantelzorg.core import geo
from mantelzorg.directory import phones

from . import availability
from .models import PLANNED_KINDS, PROFESSIONAL_KINDS, Funding, Kind, TargetGroup, Urgency

PROFESSIONAL_ROLES = frozenset({Role.PROFESSIONAL, Role.COORDINATOR})
DATES, WEEKEND = "datums", "weekend"
RADII = [(10, _("10 km")), (25, _("25 km")), (50, _("50 km"))]
NEED_FIELDS = ("doelgroep", "rolstoel", "nachtzorg", "gedrag")
SEARCH_FIELDS = (
    "postcode",
    "wanneer",
    "aankomst",
    "vertrek",
    *NEED_FIELDS,
    "financiering",
    "afstand",
    "soort",
    "urgentie",
)


def is_professional(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.role in PROFESSIONAL_ROLES)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _postcode(raw: str) -> geo.Place:
    try:
        return geo.resolve_postcode(raw)
    except geo.PostcodeError as error:
        raise forms.ValidationError(error.message, code=error.code) from None


class NeedsMixin(forms.Form):
    doelgroep = forms.ChoiceField(
        label=_("For whom"),
        required=False,
        choices=[("", _("No choice"))] + list(TargetGroup.choices),
    )
    rolstoel = forms.BooleanField(label=_("Needs a wheelchair-accessible room"), required=False)
    nachtzorg = forms.BooleanField(label=_("Needs care at night"), required=False)
    gedrag = forms.BooleanField(label=_("Shows behaviour that needs extra attention"), required=False)

    def need(self) -> availability.Need:
        data = self.cleaned_data
        return availability.Need(
            target_group=data.get("doelgroep") or "",
            wheelchair=bool(data.get("rolstoel")),
            night_care=bool(data.get("nachtzorg")),
            behaviour=bool(data.get("gedrag")),
        )


class SearchForm(NeedsMixin):
    postcode = forms.CharField(
        label=_("Postcode of the person who will stay"),
        help_text=_("We look for houses near this postcode. For example 3511."),
        max_length=7,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "text", "size": 8}),
        error_messages={"required": _("Fill in the postcode, for example 3511.")},
    )
    wanneer = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[(DATES, _("On these dates")), (WEEKEND, _("A weekend a month (Friday to Sunday)"))],
        widget=forms.RadioSelect,
        initial=DATES,
    )
    aankomst = forms.DateField(
        label=_("Arrival"), widget=DateInput, error_messages={"required": _("Fill in the day of arrival.")}
    )
    vertrek = forms.DateField(
        label=_("Departure"),
        widget=DateInput,
        error_messages={"required": _("Fill in the day of departure.")},
    )
    financiering = forms.ChoiceField(
        label=_("Who pays"),
        required=False,
        choices=[("", _("I don't know yet"))] + list(Funding.choices),
    )
    afstand = forms.TypedChoiceField(
        label=_("How far from the postcode"),
        required=False,
        choices=RADII,
        coerce=int,
        initial=25,
        empty_value=25,
    )
    soort = forms.ChoiceField(label=_("Kind of stay"), required=False)
    urgentie = forms.ChoiceField(label=_("How urgent"), required=False, choices=Urgency.choices)

    def __init__(self, *args, user=None, today: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        if self.is_bound and self.data.get("wanneer") != WEEKEND:
            self.data = self.data.copy()
            self.data["wanneer"] = DATES  # a link with dates only: the dates are chosen
        if self.is_bound and self.data.get("wanneer") == WEEKEND:
            self.fields["aankomst"].required = self.fields["vertrek"].required = False
        self.professional = is_professional(user)
        if self.professional:
            self.fields["soort"].choices = [("", _("Respite stay (logeerzorg)"))] + [
                (k.value, k.label) for k in Kind if k in PROFESSIONAL_KINDS
            ]
        else:
            del self.fields["soort"]
            del self.fields["urgentie"]

    def clean_postcode(self):
        return _postcode(self.cleaned_data["postcode"])

    def clean(self):
        data = super().clean()
        if data.get("wanneer") == WEEKEND:
            return data
        data["wanneer"] = DATES
        arrival, departure = data.get("aankomst"), data.get("vertrek")
        if arrival is None and not self.has_error("aankomst"):
            self.add_error(
                "aankomst", forms.ValidationError(_("Fill in the day of arrival."), code="required")
            )
        if departure is None and not self.has_error("vertrek"):
            self.add_error(
                "vertrek", forms.ValidationError(_("Fill in the day of departure."), code="required")
            )
        if arrival and arrival < self.today:
            self.add_error(
                "aankomst", forms.ValidationError(_("The day of arrival cannot be in the past."), code="past")
            )
        elif arrival and departure and departure <= arrival:
            self.add_error(
                "vertrek",
                forms.ValidationError(
                    _("The day of departure comes after the day of arrival."), code="order"
                ),
            )
        elif arrival and departure and (departure - arrival).days > availability.MAX_NIGHTS:
            self.add_error(
                "vertrek",
                forms.ValidationError(
                    _("A stay lasts at most %(nights)s nights.") % {"nights": availability.MAX_NIGHTS},
                    code="long",
                ),
            )
        return data

    @property
    def weekend(self) -> bool:
        return self.cleaned_data.get("wanneer") == WEEKEND

    def kind(self) -> str:
        return self.cleaned_data.get("soort") or ""

    def to_search(self) -> availability.Search:
        data = self.cleaned_data
        kind = self.kind()
        arrival = data.get("aankomst") or self.today
        departure = data.get("vertrek") or arrival + dt.timedelta(days=2)
        if self.weekend:
            arrival, departure = self.today, self.today + dt.timedelta(days=2)
        return availability.Search(
            place=data["postcode"],
            arrival=arrival,
            departure=departure,
            radius_km=data.get("afstand") or 25,
            kinds=frozenset({kind}) if kind else frozenset(PLANNED_KINDS),
            funding=data.get("financiering") or "",
            need=self.need(),
        )


NEW = "nieuw"


class GuestMixin(forms.Form):
    """Who stays: a guest from before (``gast`` one of ``guests``) or someone new (``naam``,
    ``geboortejaar`` and the form's own ``postcode``). Used by the request and the waiting list;
    the needs come from ``NeedsMixin`` of the same form."""

    gast = forms.ChoiceField(label=_("Who will stay?"), widget=forms.RadioSelect)
    naam = forms.CharField(
        label=_("Name of the person who will stay"),
        required=False,
        error_messages={"required": _("Fill in the name of the person who will stay.")},
        max_length=80,
        help_text=_("As the house may call them. First name is enough."),
    )
    geboortejaar = forms.IntegerField(label=_("Year of birth"), required=False, min_value=1900)

    # The fields needed for someone new only (checked in clean), so not marked "(optional)".
    new_guest_fields: tuple[str, ...] = ("naam",)

    def _guest_choices(self, guests) -> None:
        self.guests = {str(g.pk): g for g in guests}
        self.fields["gast"].choices = [(pk, g.name) for pk, g in self.guests.items()] + [
            (NEW, _("Someone new"))
        ]
        if not self.guests:
            self.fields["gast"].initial = NEW
            self.fields["gast"].widget = forms.HiddenInput()
        else:
            self.fields["gast"].initial = next(iter(self.guests))
        new = not self.is_bound or self.data.get("gast") == NEW
        for name in self.new_guest_fields:
            self.fields[name].required = new

    def clean_gast(self):
        value = self.cleaned_data["gast"]
        return value if value == NEW else self.guests[value]

    def _clean_guest(self, data) -> None:
        if data.get("gast") == NEW and not (data.get("naam") or "").strip() and not self.has_error("naam"):
            self.add_error(
                "naam",
                forms.ValidationError(_("Fill in the name of the person who will stay."), code="required"),
            )

    def guest_postcode(self) -> str:
        return self.cleaned_data["postcode"]

    def guest_fields(self) -> dict:
        """The keyword arguments of ``services.guest_save`` for the chosen or new guest."""
        data, need = self.cleaned_data, self.need()
        guest = data["gast"]
        fields = {
            "target_groups": [need.target_group] if need.target_group else [],
            "wheelchair": need.wheelchair,
            "night_care": need.night_care,
            "behaviour": need.behaviour,
        }
        if "netwerk" in self.fields:
            fields["network"] = data.get("netwerk")
        if guest == NEW:
            return {
                **fields,
                "name": data["naam"].strip(),
                "birth_year": data.get("geboortejaar"),
                "postcode": self.guest_postcode(),
            }
        return {
            **fields,
            "guest": guest,
            "name": guest.name,
            "birth_year": guest.birth_year,
            "postcode": guest.pc4,
        }


class RequestForm(GuestMixin, NeedsMixin):
    """The request: who stays (a guest from before, or someone new), what the house should know,
    how to reach the requester, the indication and who pays."""

    postcode = forms.CharField(
        label=_("Their postcode"),
        required=False,
        error_messages={"required": _("Fill in their postcode, for example 3511.")},
        max_length=7,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "size": 8}),
    )
    netwerk = forms.ChoiceField(
        label=_("Show the stay in a care network's agenda"),
        required=False,
        help_text=_("Everyone in that care network then sees when the stay is. Not the care details."),
    )
    toelichting = forms.CharField(
        label=_("What should the house know?"),
        required=False,
        max_length=2000,
        help_text=_("For example about medicines, food, sleep or what helps when they are upset."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    telefoon = forms.CharField(
        label=_("Your phone number"),
        max_length=20,
        help_text=_("The house calls you about the request."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        error_messages={"required": _("Fill in your phone number, so the house can call you.")},
    )
    indicatie = forms.CharField(
        label=_("Indication"),
        required=False,
        max_length=200,
        help_text=_(
            "If there is one: for example the Wmo decision of the gemeente, or the care profile of the Wlz."
        ),
    )
    financiering = forms.ChoiceField(
        label=_("Who pays"),
        choices=Funding.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who pays.")},
    )
    urgentie = forms.ChoiceField(label=_("How urgent"), required=False, choices=Urgency.choices)
    aankomst = forms.DateField(widget=forms.HiddenInput)
    vertrek = forms.DateField(widget=forms.HiddenInput)

    new_guest_fields = ("naam", "postcode")

    def __init__(self, *args, guests=(), networks=(), user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._guest_choices(guests)
        self.networks = {str(a.network.pk): a.network for a in networks}
        if self.networks:
            self.fields["netwerk"].choices = [("", _("No, not in an agenda"))] + [
                (pk, network.recipient_name) for pk, network in self.networks.items()
            ]
        else:
            del self.fields["netwerk"]
        if not is_professional(user):
            del self.fields["urgentie"]

    def clean(self):
        data = super().clean()
        self._clean_guest(data)
        if data.get("gast") == NEW:
            if self.has_error("postcode"):
                pass
            elif not data.get("postcode"):
                self.add_error(
                    "postcode",
                    forms.ValidationError(_("Fill in their postcode, for example 3511."), code="required"),
                )
            else:
                try:
                    _postcode(data["postcode"])
                except forms.ValidationError as error:
                    self.add_error("postcode", error)
        return data

    def clean_telefoon(self):
        return phones.validate(self.cleaned_data["telefoon"])

    def clean_netwerk(self):
        value = self.cleaned_data.get("netwerk") or ""
        return self.networks.get(value)


class WaitingForm(GuestMixin, SearchForm):
    """The waiting list: the search (its own fields, carried along hidden) and who will stay, so
    that an offer can be checked against the nights the guest's gemeente grants. A new guest's
    postcode is the search's."""

    def __init__(self, *args, guests=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._guest_choices(guests)
        for name in SEARCH_FIELDS:
            if name in self.fields:
                self.fields[name].widget = forms.HiddenInput()

    def search_errors(self) -> bool:
        """Errors in the carried search: only a tampered or outdated link has them."""
        return any(name in self.errors for name in (*SEARCH_FIELDS, "__all__"))

    def clean(self):
        data = super().clean()
        self._clean_guest(data)
        return data

    def guest_postcode(self) -> str:
        return self.cleaned_data["postcode"].pc4


class AllowanceForm(forms.Form):
    """The nights a gemeente grants a year, for ``years`` (this year and next): a field per year,
    empty for no maximum. ``prefix`` is the gemeente's code (several gemeenten on one page)."""

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        message = _("Fill in a whole number from 0 to 365, or leave it empty for no maximum.")
        self.years = list(years)
        for year in self.years:
            self.fields[f"nachten_{year}"] = forms.IntegerField(
                label=_("Nights in %(year)s") % {"year": year},
                required=False,
                min_value=0,
                max_value=365,
                help_text=_("Empty: no maximum."),
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 365, "size": 4}),
                error_messages={"invalid": message, "min_value": message, "max_value": message},
            )

    def nights(self) -> dict[int, int | None]:
        return {year: self.cleaned_data.get(f"nachten_{year}") for year in self.years}


class ReasonForm(forms.Form):
    reden = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        help_text=_("The person who asked reads this. Say what they can do now, for example other dates."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why, so the person asking knows what to do next.")},
    )
