"""The provider's forms for its beds and places (``units.py``): a unit's place, kind and care
profile, and a closure (closed days or maintenance). The place is one choice of "house –
location" among the provider's own services, so a unit never lands at another provider's
location."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Closure, Funding, Kind, TargetGroup, Unit

WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]
# How far ahead a closure may be planned.
CLOSURE_HORIZON_DAYS = 2 * 365


def places_of(service_ids) -> list[tuple[str, str, object, object]]:
    """(value, label, service, location) for every location of the provider's services."""
    from mantelzorg.directory.models import ServiceAtLocation

    rows = (
        ServiceAtLocation.objects.filter(service_id__in=service_ids)
        .select_related("service", "location")
        .prefetch_related("location__addresses")
        .order_by("service__name", "location__name")
    )
    places = []
    for link in rows:
        address = next(iter(link.location.addresses.all()), None)
        where = f"{address.address_1}, {address.city}" if address else link.location.name
        label = f"{link.service.name} – {where}" if where else link.service.name
        places.append((f"{link.service_id}:{link.location_id}", label, link.service, link.location))
    return places


class UnitForm(forms.Form):
    place = forms.ChoiceField(
        label=_("House and location"), help_text=_("Your offers in the sociale kaart, with their address.")
    )
    name = forms.CharField(
        label=_("Name of the bed or place"),
        error_messages={"required": _("Give the bed or place a name.")},
        max_length=80,
        help_text=_("For example: Room 3, or Bed by the garden."),
    )
    kind = forms.ChoiceField(
        label=_("Kind of stay"),
        choices=Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of stay.")},
    )
    target_groups = forms.MultipleChoiceField(
        label=_("For whom"),
        required=False,
        choices=TargetGroup.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    wheelchair = forms.BooleanField(label=_("Wheelchair accessible"), required=False)
    night_care = forms.BooleanField(label=_("Care at night"), required=False)
    behaviour = forms.BooleanField(label=_("Room for behaviour that needs extra attention"), required=False)
    min_nights = forms.IntegerField(label=_("Shortest stay (nights)"), min_value=1, max_value=42, initial=1)
    max_nights = forms.IntegerField(label=_("Longest stay (nights)"), min_value=1, max_value=42, initial=14)
    admission_days = forms.TypedMultipleChoiceField(
        label=_("Arrival days"),
        help_text=_("Choose none if guests may arrive on any day."),
        required=False,
        coerce=int,
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
    )
    funding = forms.MultipleChoiceField(
        label=_("Funding"),
        choices=Funding.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one way a stay can be paid.")},
    )
    price_per_night = forms.DecimalField(
        label=_("Price per night (euros)"),
        required=False,
        min_value=0,
        max_digits=7,
        decimal_places=2,
        help_text=_("For a stay you pay yourself. Leave empty when there is no price."),
    )

    def __init__(self, *args, places=(), unit: Unit | None = None, **kwargs):
        if unit is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "place": f"{unit.service_id}:{unit.location_id}",
                **{
                    name: getattr(unit, name)
                    for name in (
                        "name",
                        "kind",
                        "target_groups",
                        "wheelchair",
                        "night_care",
                        "behaviour",
                        "min_nights",
                        "max_nights",
                        "admission_days",
                        "funding",
                        "price_per_night",
                    )
                },
            }
        super().__init__(*args, **kwargs)
        self.places = {value: (service, location) for value, _label, service, location in places}
        self.fields["place"].choices = [(value, label) for value, label, _s, _l in places]

    def clean(self):
        data = super().clean()
        low, high = data.get("min_nights"), data.get("max_nights")
        if low and high and high < low:
            self.add_error("max_nights", _("The longest stay cannot be shorter than the shortest stay."))
        return data

    def apply(self, unit: Unit) -> Unit:
        """Copy the cleaned data onto ``unit`` (new or existing); ``services.unit_save`` saves it."""
        data = self.cleaned_data
        unit.service, unit.location = self.places[data["place"]]
        for name in (
            "name",
            "kind",
            "target_groups",
            "wheelchair",
            "night_care",
            "behaviour",
            "min_nights",
            "max_nights",
            "admission_days",
            "funding",
            "price_per_night",
        ):
            setattr(unit, name, data[name])
        unit.admission_days = sorted(unit.admission_days)
        return unit


class ClosureForm(forms.Form):
    first_day = forms.DateField(
        label=_("First closed day"),
        error_messages={"required": _("Fill in the first closed day."), "invalid": _("Fill in a date.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    last_day = forms.DateField(
        label=_("Last closed day"),
        help_text=_("The same day as the first for one day."),
        error_messages={"required": _("Fill in the last closed day."), "invalid": _("Fill in a date.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.ChoiceField(
        label=_("Why"),
        choices=Closure.Reason.choices,
        initial=Closure.Reason.CLOSED,
        widget=forms.RadioSelect,
    )

    def clean(self):
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        today = timezone.localdate()
        if first and first < today:
            self.add_error("first_day", _("The first closed day cannot be in the past."))
        if first and last and last < first:
            self.add_error("last_day", _("The last closed day cannot come before the first."))
        elif last and last > today + dt.timedelta(days=CLOSURE_HORIZON_DAYS):
            self.add_error("last_day", _("Plan a closure at most two years ahead."))
        return data
