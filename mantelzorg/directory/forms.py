from django import forms
from django.utils.translation import gettext_lazy as _

from mantelzorg.core.geo import PostcodeError, resolve_postcode

from . import phones, taxonomy
from .models import Service
from .schedules import DAY_ORDER


def term_choices(tax: str):
    from django.utils.translation import get_language

    english = (get_language() or "nl").startswith("en")
    return [(code, en if english else nl) for code, nl, en, _ in taxonomy.TERMS[tax]]


class LazyTermChoices:
    """Choices evaluated per request, in the active language. A callable, not an iterable:
    Django (5.x ``normalize_choices``) turns an iterable into a list once, when the form class
    is defined, which froze the Dutch labels on the English pages."""

    def __init__(self, tax):
        self.tax = tax

    def __call__(self):
        return term_choices(self.tax)


DEFAULT_RADIUS = "10"  # km, when a postcode is given without a distance
RADIUS_CHOICES = [
    ("5", _("5 km")),
    ("10", _("10 km")),
    ("25", _("25 km")),
    ("gemeente", _("Whole municipality")),
]


class SearchForm(forms.Form):
    postcode = forms.CharField(
        label=_("Postcode"), required=False, max_length=10, help_text=_("For example 1012 or 1012 AB.")
    )
    gemeente = forms.CharField(label=_("Or municipality"), required=False, max_length=100)
    afstand = forms.ChoiceField(
        label=_("Distance"), choices=RADIUS_CHOICES, required=False, initial=DEFAULT_RADIUS
    )
    q = forms.CharField(
        label=_("Search words"),
        required=False,
        max_length=100,
        help_text=_("For example: logeren, dementie, lotgenoten."),
    )
    vraaggebied = forms.MultipleChoiceField(
        label=_("What do you need help with?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=LazyTermChoices(taxonomy.SUPPORT_DOMAINS),
    )
    trede = forms.MultipleChoiceField(
        label=_("Step on the care ladder"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=LazyTermChoices(taxonomy.CARE_LADDER),
    )
    respijt = forms.MultipleChoiceField(
        label=_("Form of respite care"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=LazyTermChoices(taxonomy.RESPITE_FORMS),
    )
    doelgroep = forms.MultipleChoiceField(
        label=_("For whom"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=LazyTermChoices(taxonomy.TARGET_GROUPS),
    )
    gratis = forms.BooleanField(label=_("Only free offers"), required=False)

    def __init__(self, data=None, *args, **kwargs):
        # The form shows what was searched: without a distance a postcode is searched within
        # DEFAULT_RADIUS, and a gemeente without a postcode in the whole gemeente (whatever
        # distance was chosen: there is no point to measure from).
        if data is not None:
            only_gemeente = data.get("gemeente", "").strip() and not data.get("postcode", "").strip()
            if only_gemeente or not data.get("afstand"):
                data = data.copy()
                data["afstand"] = "gemeente" if only_gemeente else DEFAULT_RADIUS
        super().__init__(data, *args, **kwargs)

    def clean_postcode(self):
        raw = self.cleaned_data.get("postcode", "").strip()
        if not raw:
            return None
        try:
            return resolve_postcode(raw)
        except PostcodeError as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def clean_gemeente(self):
        raw = self.cleaned_data.get("gemeente", "").strip()
        if not raw:
            return None
        return _one_municipality(raw)

    def radius_km(self) -> int | None:
        """The distance searched around a postcode (None: the whole gemeente)."""
        return RADII.get(self.cleaned_data.get("afstand") or DEFAULT_RADIUS)

    def chosen_filters(self) -> int:
        """How many filter options are ticked (shown on the folded "More filters")."""
        names = ("vraaggebied", "trede", "respijt", "doelgroep")
        count = sum(len(self[name].value() or ()) for name in names)
        return count + (1 if self["gratis"].value() else 0)

    def has_location(self) -> bool:
        return bool(self.cleaned_data.get("postcode") or self.cleaned_data.get("gemeente"))

    def has_criteria(self) -> bool:
        """Words or filters to search the whole country with (when no place is given)."""
        data = self.cleaned_data
        return bool(
            data.get("q", "").strip()
            or data.get("vraaggebied")
            or data.get("trede")
            or data.get("respijt")
            or data.get("doelgroep")
            or data.get("gratis")
        )


RADII = {"5": 5, "10": 10, "25": 25, "gemeente": None}


def _one_municipality(raw: str):
    """The gemeente ``raw`` names (``selectors.municipality_lookup``), or a clear error."""
    from .selectors import municipality_lookup

    found = municipality_lookup(raw)
    if len(found) == 1:
        return found[0]
    if found:
        names = [m.name_everyday for m in found[:6]]
        raise forms.ValidationError(
            _("Which municipality do you mean? For example: %(names)s.") % {"names": ", ".join(names)},
            code="ambiguous",
        )
    raise forms.ValidationError(_("We do not know this municipality. Check the spelling."), code="unknown")


class ServiceForm(forms.ModelForm):
    support_domains = forms.MultipleChoiceField(
        label=_("Support domains"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=LazyTermChoices(taxonomy.SUPPORT_DOMAINS),
    )
    ladder_steps = forms.MultipleChoiceField(
        label=_("Steps on the care ladder"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=LazyTermChoices(taxonomy.CARE_LADDER),
    )
    respite_forms = forms.MultipleChoiceField(
        label=_("Forms of respite care"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=LazyTermChoices(taxonomy.RESPITE_FORMS),
    )
    target_groups = forms.MultipleChoiceField(
        label=_("Target groups"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=LazyTermChoices(taxonomy.TARGET_GROUPS),
    )
    cost_amount = forms.DecimalField(
        label=_("Amount in euros"), required=False, min_value=0, max_digits=9, decimal_places=2
    )
    cost_per = forms.CharField(
        label=_("Per"), required=False, max_length=200, help_text=_("For example: per day part, per night.")
    )
    is_national = forms.BooleanField(label=_("Available in the whole country"), required=False)
    areas = forms.CharField(
        label=_("Municipalities served"),
        required=False,
        help_text=_("Names or CBS codes, separated by commas. For example: Amsterdam, GM0344."),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=30,
        help_text=_("For example 030 760 60 55, 0800-0113 or +31 30 760 60 55."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    location_name = forms.CharField(label=_("Name of the location"), required=False, max_length=200)
    address_1 = forms.CharField(label=_("Street and number"), required=False, max_length=200)
    postal_code = forms.CharField(label=_("Postcode"), required=False, max_length=10)
    city = forms.CharField(label=_("Place"), required=False, max_length=100)
    accessibility = forms.CharField(
        label=_("Accessibility"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        help_text=_("Language codes separated by commas, for example: nl, en, tr."),
    )
    opening_days = forms.MultipleChoiceField(
        label=_("Opening days"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(d, d) for d in DAY_ORDER],
    )
    opens_at = forms.TimeField(label=_("Opens at"), required=False, help_text=_("For example 09:00."))
    closes_at = forms.TimeField(label=_("Closes at"), required=False, help_text=_("For example 17:00."))
    verified_now = forms.BooleanField(label=_("I checked that this information is correct"), required=False)

    class Meta:
        model = Service
        fields = [
            "organization",
            "name",
            "description",
            "application_process",
            "what_to_expect",
            "eligibility_description",
            "cost_kind",
            "fees_description",
            "needs_indication",
            "needs_referral",
            "law",
            "url",
            "email",
            "status",
            "publication",
        ]
        error_messages = {
            "organization": {"required": _("Choose the organisation that offers this.")},
            "name": {"required": _("Fill in the name of the offer.")},
            "description": {"required": _("Describe in a few sentences what the offer is.")},
        }
        widgets = {
            f: forms.Textarea(attrs={"rows": 3})
            for f in [
                "description",
                "application_process",
                "what_to_expect",
                "eligibility_description",
                "fees_description",
            ]
        }

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        from .schedules import day_names

        self.fields["organization"].queryset = organizations
        self.fields["opening_days"].choices = list(day_names().items())
        if self.instance.publication != Service.Publication.WITHDRAWN:
            # Withdrawing has its own page (views.service_withdraw): it also leaves the menukaart
            # and is audited as such. A withdrawn offer keeps the choice, so saving it keeps it off.
            publication = self.fields["publication"]
            publication.choices = [c for c in publication.choices if c[0] != Service.Publication.WITHDRAWN]
        self.place = None

    def clean_areas(self):
        raw = [p.strip() for p in (self.cleaned_data.get("areas") or "").split(",") if p.strip()]
        found, unknown = [], []
        from .selectors import municipality_lookup

        for item in raw:
            matches = municipality_lookup(item)  # name, code or everyday alias ("Den Bosch")
            (found.append(matches[0]) if len(matches) == 1 else unknown.append(item))
        if unknown:
            raise forms.ValidationError(_("Unknown municipality: %(names)s") % {"names": ", ".join(unknown)})
        return found

    def clean_phone(self):
        return phones.validate(self.cleaned_data.get("phone") or "")

    def clean_languages(self):
        codes = [
            c.strip().lower() for c in (self.cleaned_data.get("languages") or "").split(",") if c.strip()
        ]
        if any(not (2 <= len(c) <= 3 and c.isalpha()) for c in codes):
            raise forms.ValidationError(_("Use language codes of 2 or 3 letters, such as nl or tr."))
        return codes

    def clean(self):
        data = super().clean()
        postcode = (data.get("postal_code") or "").strip()
        if postcode:
            try:
                self.place = resolve_postcode(postcode)
            except PostcodeError as error:
                self.add_error("postal_code", error.message)
            if not data.get("address_1"):
                self.add_error("address_1", _("Fill in the street and number, or leave the postcode empty."))
            if not data.get("city"):
                self.add_error("city", _("Fill in the place, or leave the postcode empty."))
        if not data.get("is_national") and not data.get("areas") and not postcode:
            self.add_error("areas", _("Give a municipality served, an address, or choose the whole country."))
        if data.get("opening_days") and not data.get("opens_at"):
            self.add_error("opens_at", _("Fill in when it opens on the chosen days."))
        if (
            data.get("cost_kind") != Service.CostKind.FREE
            and data.get("cost_kind")
            and not (data.get("cost_amount") is not None or data.get("fees_description"))
        ):
            self.add_error("fees_description", _("Explain the costs or give an amount."))
        return data

    @classmethod
    def initial_for(cls, service: Service) -> dict:
        by_tax = {}
        for attr in service.attributes.select_related("taxonomy_term__taxonomy"):
            by_tax.setdefault(attr.taxonomy_term.taxonomy.code, []).append(attr.taxonomy_term.code)
        areas = list(service.service_areas.select_related("municipality"))
        # The first row of each kind by pk: the one services._edit_first changes.
        sal = service.service_at_locations.select_related("location").first()
        address = sal.location.addresses.order_by("pk").first() if sal else None
        cost = service.cost_options.order_by("pk").first()
        phone = service.phones.order_by("pk").first()
        schedule = service.schedules.order_by("pk").first()
        access = sal.location.accessibility.order_by("pk").first() if sal else None
        return {
            "support_domains": by_tax.get(taxonomy.SUPPORT_DOMAINS, []),
            "ladder_steps": by_tax.get(taxonomy.CARE_LADDER, []),
            "respite_forms": by_tax.get(taxonomy.RESPITE_FORMS, []),
            "target_groups": by_tax.get(taxonomy.TARGET_GROUPS, []),
            "is_national": any(a.is_national for a in areas),
            "areas": ", ".join(a.municipality.name_everyday for a in areas if a.municipality),
            "cost_amount": cost.amount if cost else None,
            "cost_per": cost.amount_description if cost else "",
            "phone": phone.number if phone else "",
            "location_name": sal.location.name if sal else "",
            "address_1": address.address_1 if address else "",
            "postal_code": address.postal_code if address else "",
            "city": address.city if address else "",
            "accessibility": access.description if access else "",
            "languages": ", ".join(service.languages.values_list("code", flat=True)),
            "opening_days": [d for d in (schedule.byday.split(",") if schedule else []) if d],
            "opens_at": schedule.opens_at if schedule else None,
            "closes_at": schedule.closes_at if schedule else None,
        }


class RespiteMenuForm(forms.Form):
    """The intro and the order of a gemeente's menukaart. ``services`` come from
    ``selectors.respite_menu`` (with their forms and locations); ``rows`` gives per offer its
    position field and a description that tells it apart from every other offer on the menu."""

    intro = forms.CharField(
        label=_("Introduction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A short local text at the top of the menu."),
    )

    def __init__(self, *args, services=(), positions=None, **kwargs):
        super().__init__(*args, **kwargs)
        positions = positions or {}
        self.services = list(services)
        self.descriptions = offer_descriptions(self.services)
        for index, service in enumerate(self.services):
            name, details = self.descriptions[service.id]
            # The accessible name is the visible "Position" label and the offer it belongs to.
            labelled_by = f"id_pos_{service.id}_label offer_{service.id}"
            self.fields[f"pos_{service.id}"] = forms.IntegerField(
                label=_("Position of %(offer)s") % {"offer": f"{name}, {details}"},
                min_value=0,
                max_value=999,
                initial=positions.get(service.id, index + 1),
                widget=forms.NumberInput(attrs={"aria-labelledby": labelled_by}),
                error_messages={
                    "required": _("Give a number, for example %(n)s.") % {"n": index + 1},
                    "invalid": _("Give a whole number, for example %(n)s.") % {"n": index + 1},
                    "min_value": _("Give a number from 0 to 999."),
                    "max_value": _("Give a number from 0 to 999."),
                },
            )

    def rows(self):
        """[(service, name, details, bound position field)] in the menu's current order."""
        return [
            (service, *self.descriptions[service.id], self[f"pos_{service.id}"]) for service in self.services
        ]

    def positions(self) -> dict:
        return {s.id: self.cleaned_data[f"pos_{s.id}"] for s in self.services}


def offer_descriptions(services) -> dict:
    """Service id → (name, "organisation (respite forms), first place"): unique on one menu
    (the demo data has four "Voorbeeld Logeerhuis Amsterdam" of different organisations and
    two of one organisation; a description that is still the same gets a number)."""
    from django.utils.translation import gettext

    counted: dict[str, int] = {}
    found = {}
    for service in services:
        first = service.menu_locations[0].address if service.menu_locations else ""
        where = first or (
            gettext("the whole country") if service.menu_national else gettext("no visiting address")
        )
        forms_ = ", ".join(term.label for term in service.menu_forms)
        details = f"{service.organization.name} ({forms_}), {where}"
        key = (service.name, details)
        counted[key] = counted.get(key, 0) + 1
        found[service.id] = (service.name, details if counted[key] == 1 else f"{details} ({counted[key]})")
    return found


MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("HSDS file"),
        help_text=_("A JSON file with services (.json) or a zip file with the HSDS CSV tables (.zip)."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 50 MB)."))
        if not name.endswith((".json", ".zip")):
            raise forms.ValidationError(_("Choose a .json or .zip file."))
        return upload
