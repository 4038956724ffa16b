"""Forms of the care network. Labels above, help below, errors beside the field and in the summary
(core's NLDS form renderer); messages say what to do."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mantelzorg.core import geo

from .models import DIARY_MAX, NOTE_MAX, Kind, Relation, Role, TaskKind
from .recurrence import INTERVAL_MAX, TZ, WEEKDAYS, local, make_aware, rrule_build, rrule_parse, starts
from .services import ACTIVITY_MAX_TASKS

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


# --- Agenda -------------------------------------------------------------------

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]
TIME_FORMATS = ["%H:%M", "%H.%M", "%H:%M:%S"]
WEEKDAY_CHOICES = [
    ("MO", _("Monday")),
    ("TU", _("Tuesday")),
    ("WE", _("Wednesday")),
    ("TH", _("Thursday")),
    ("FR", _("Friday")),
    ("SA", _("Saturday")),
    ("SU", _("Sunday")),
]
REPEAT_CHOICES = [
    ("", _("Does not repeat")),
    ("DAILY", pgettext_lazy("how often", "Every day")),
    ("WEEKLY", pgettext_lazy("how often", "Every week")),
    ("MONTHLY", pgettext_lazy("how often", "Every month")),
]
ENDS_CHOICES = [
    ("never", _("No end date")),
    ("until", _("On a date")),
    ("count", _("After a number of times")),
]


def _date_field(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Fill in a date."), "invalid": _("Fill in a date like 14-3-2027.")},
    )


def _time_field(label, required_message):
    return forms.TimeField(
        label=label,
        input_formats=TIME_FORMATS,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Fill in a time like 14:30."), "required": required_message},
    )


class OccurrenceForm(forms.Form):
    """One occurrence: what, when, where. The whole item adds kind, who goes and repeat
    (``AppointmentForm``). ``cleaned_data`` gets ``starts_at`` and ``ends_at`` (aware)."""

    title = forms.CharField(
        label=_("What"),
        max_length=120,
        help_text=_("For example: GP, day care, physiotherapy."),
        error_messages={"required": _("Fill in what it is.")},
    )
    all_day = forms.BooleanField(label=_("All day"), required=False)
    date = _date_field(_("Date"))
    start_time = _time_field(_("Start time"), _("Fill in a start time, or choose all day."))
    end_time = _time_field(_("End time"), _("Fill in an end time, or choose all day."))
    end_date = _date_field(
        _("Last day"), required=False, help_text=_("Only for something that lasts more than one day.")
    )
    place = forms.CharField(label=_("Where"), max_length=200, required=False)
    note = forms.CharField(
        label=_("Note"),
        help_text=NO_MEDICAL,
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Keep it shorter: at most %(limit_value)d characters.")},
    )

    def __init__(self, *args, fixed_all_day: bool | None = None, **kwargs):
        """``fixed_all_day``: one occurrence keeps its series' choice (the box is shown, disabled)."""
        super().__init__(*args, **kwargs)
        if fixed_all_day is not None:
            self.fields["all_day"].disabled = True
            self.initial["all_day"] = fixed_all_day
        all_day = self["all_day"].value() if self.is_bound else self.initial.get("all_day")
        for name in ("start_time", "end_time"):  # required, unless all day
            self.fields[name].required = not all_day

    def clean(self):
        data = super().clean()
        day = data.get("date")
        if day is None:
            return data
        end_day = data.get("end_date") or day
        if end_day < day:
            self.add_error("end_date", _("The last day is before the first day. Choose a later day."))
            return data
        if data.get("all_day"):
            data["starts_at"] = make_aware(dt.datetime.combine(day, dt.time()))
            data["ends_at"] = make_aware(dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time()))
            return data
        start, end = data.get("start_time"), data.get("end_time")
        if start is None or end is None:
            return data
        starts_at = make_aware(dt.datetime.combine(day, start))
        ends_at = make_aware(dt.datetime.combine(end_day, end))
        if ends_at < starts_at:
            self.add_error("end_time", _("The end is before the start. Choose a later end time."))
            return data
        data["starts_at"], data["ends_at"] = starts_at, ends_at
        return data

    @staticmethod
    def initial_for(starts_at, ends_at, *, all_day: bool, **texts) -> dict:
        start, end = local(starts_at), local(ends_at)
        last = (end - dt.timedelta(days=1)).date() if all_day else end.date()
        return {
            "date": start.date(),
            "start_time": None if all_day else start.time(),
            "end_time": None if all_day else end.time(),
            "end_date": last if last != start.date() else None,
            "all_day": all_day,
            **texts,
        }


class AppointmentForm(OccurrenceForm):
    """An item in the agenda, once or repeating. ``cleaned_data`` gets ``rrule`` too."""

    field_order = ["kind", "title", "all_day", "date", "start_time", "end_time", "end_date", "place", "note"]

    kind = forms.ChoiceField(
        label=_("Kind"),
        error_messages={"invalid_choice": _("Choose one of the kinds in the list.")},
    )
    goers = forms.MultipleChoiceField(
        label=_("Who goes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    repeat = forms.ChoiceField(label=_("How often"), choices=REPEAT_CHOICES, required=False)
    interval = forms.IntegerField(
        label=_("Every how many days, weeks or months"),
        help_text=_("1 is every time, 2 is every other time."),
        min_value=1,
        max_value=INTERVAL_MAX,
        initial=1,
        required=False,
        error_messages={
            "min_value": _("Fill in a number from 1 to 52."),
            "max_value": _("Fill in a number from 1 to 52."),
            "invalid": _("Fill in a whole number."),
        },
    )
    weekdays = forms.MultipleChoiceField(
        label=_("On which days"),
        help_text=_("For a weekly item. None chosen: the day of the first date."),
        choices=WEEKDAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    ends = forms.ChoiceField(
        label=_("Until when"), choices=ENDS_CHOICES, initial="never", required=False, widget=forms.RadioSelect
    )
    until = _date_field(_("Last date"), required=False)
    count = forms.IntegerField(
        label=_("Number of times"),
        min_value=1,
        max_value=999,
        required=False,
        error_messages={"invalid": _("Fill in a whole number."), "min_value": _("Fill in 1 or more.")},
    )

    def __init__(self, *args, access, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(v, label) for v, label in Kind.choices if v in access.agenda_kinds]
        self.fields["goers"].choices = [(str(m.pk), m.display_name) for m in members]

    def clean(self):
        data = super().clean()
        freq = data.get("repeat") or ""
        data["rrule"] = ""
        if not freq or "starts_at" not in data:
            return data
        first_day = data["date"]
        ends = data.get("ends") or "never"
        until = data.get("until") if ends == "until" else None
        count = data.get("count") if ends == "count" else None
        if ends == "until" and until is None and "until" not in self.errors:
            self.add_error("until", _("Fill in the last date, or choose another end."))
        if ends == "count" and count is None and "count" not in self.errors:
            self.add_error("count", _("Fill in how many times, or choose another end."))
        if until is not None and until < first_day:
            self.add_error("until", _("The last date is before the first date. Choose a later date."))
        weekdays = data.get("weekdays") or []
        if freq == "WEEKLY" and not weekdays:
            weekdays = [WEEKDAYS[first_day.weekday()]]  # the day of the first date
            data["weekdays"] = weekdays
        elif freq == "WEEKLY" and WEEKDAYS[first_day.weekday()] not in weekdays:
            # RFC 5545 leaves a first date outside the rule undefined (calendar apps differ).
            self.add_error(
                "weekdays",
                _("The first date is a %(day)s. Choose that day too, or change the first date.")
                % {"day": dict(WEEKDAY_CHOICES)[WEEKDAYS[first_day.weekday()]]},
            )
        if self.errors:
            return data
        data["rrule"] = rrule_build(
            freq, data.get("interval") or 1, weekdays, until, count, all_day=bool(data.get("all_day"))
        )
        return data

    @classmethod
    def initial_for_appointment(cls, appointment, *, starts_at=None, count=None) -> dict:
        """The form's values of an item (or, with ``starts_at``, of its series from there on with
        ``count`` times left)."""
        start = starts_at or appointment.starts_at
        initial = cls.initial_for(
            start,
            start + (appointment.ends_at - appointment.starts_at),
            all_day=appointment.all_day,
            title=appointment.title,
            place=appointment.place,
            note=appointment.note,
        )
        repeat = rrule_parse(appointment.rrule)
        if count is None:
            count = repeat.count
        initial.update(
            kind=appointment.kind,
            goers=[str(g.pk) for g in appointment.goers.all()],
            repeat=repeat.freq,
            interval=repeat.interval,
            weekdays=list(repeat.weekdays),
            ends="until" if repeat.until else "count" if count else "never",
            until=repeat.until,
            count=count,
        )
        return initial


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


# --- Tasks --------------------------------------------------------------------

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]
TIME_FORMATS = ["%H:%M", "%H.%M", "%H:%M:%S"]


def _date_field(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        help_text=help_text,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Fill in a date."), "invalid": _("Fill in a date like 14-3-2027.")},
    )


def _time_field(label, *, help_text=""):
    return forms.TimeField(
        label=label,
        help_text=help_text,
        required=False,
        input_formats=TIME_FORMATS,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Fill in a time like 14:30.")},
    )


class _TaskFields(forms.Form):
    """What the help is and when in a day; the schedule is the subclass's."""

    kind = forms.ChoiceField(label=_("Kind of help"), choices=TaskKind.choices)
    title = forms.CharField(
        label=_("What"),
        help_text=_("For example: shopping at the supermarket, driving to the hospital."),
        max_length=120,
        error_messages={"required": _("Fill in what the help is.")},
    )
    start_time = _time_field(_("From"), help_text=_("Empty: any time that day."))
    end_time = _time_field(_("Until"))
    hours = forms.DecimalField(
        label=_("How many hours does it take, about?"),
        help_text=_("With a time from and until, we count that time. For the overview of who does what."),
        required=False,
        min_value=Decimal("0.25"),
        max_value=24,
        decimal_places=2,
        error_messages={
            "invalid": _("Fill in a number of hours, like 1.5."),
            "min_value": _("Fill in at least a quarter of an hour (0.25)."),
            "max_value": _("Fill in at most 24 hours."),
        },
    )
    note = forms.CharField(
        label=_("Note"),
        help_text=NO_MEDICAL,
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        start, end, hours = data.get("start_time"), data.get("end_time"), data.get("hours")
        if end and not start:
            self.add_error("start_time", _("Fill in from when, or leave both times empty."))
        elif start and end and end <= start:
            self.add_error("end_time", _("Fill in a time after the start."))
        minutes = 60
        if start and end and end > start:
            minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        elif hours is not None:
            minutes = int(hours * 60)
        data["duration_minutes"] = minutes
        return data


class TaskForm(_TaskFields):
    """One-off help: a date, a time on a date, or a period of days."""

    day = _date_field(_("Date"))
    last_day = _date_field(
        _("Last day"),
        required=False,
        help_text=_("Only for help over several days, such as a week of night watch. Leave the times empty."),
    )

    field_order = ["kind", "title", "day", "start_time", "end_time", "last_day", "hours", "note"]

    def clean(self):
        data = super().clean()
        day, last = data.get("day"), data.get("last_day")
        if last and day and last < day:
            self.add_error("last_day", _("Fill in a last day on or after the date."))
        elif last and last != day and data.get("start_time"):
            self.add_error("last_day", _("Help over several days has no times. Leave the times empty."))
        return data


class ActivityForm(_TaskFields):
    """Repeating help: on these weekdays, for a number of weeks or until a date."""

    weekdays = forms.MultipleChoiceField(
        label=_("On which days?"),
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one day.")},
    )
    first_day = _date_field(_("From"), help_text=_("The first week starts on this date."))
    weeks = forms.IntegerField(
        label=_("For how many weeks?"),
        required=False,
        min_value=1,
        max_value=104,
        error_messages={
            "invalid": _("Fill in a number of weeks, like 6."),
            "min_value": _("Fill in at least 1 week."),
            "max_value": _("Fill in at most 104 weeks."),
        },
    )
    last_day = _date_field(_("Or until"), required=False, help_text=_("Fill in weeks or a last day."))

    field_order = [
        "kind",
        "title",
        "weekdays",
        "first_day",
        "weeks",
        "last_day",
        "start_time",
        "end_time",
        "hours",
        "note",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_day"].label = _("Starting on")
        self.fields["hours"].help_text = _(
            "With a time from and until, we count that time. At most %(max)d tasks are made."
        ) % {"max": ACTIVITY_MAX_TASKS}

    def clean(self):
        data = super().clean()
        first, weeks, last = data.get("first_day"), data.get("weeks"), data.get("last_day")
        if first is None or not data.get("weekdays"):
            return data
        if weeks and last:
            self.add_error("last_day", _("Fill in weeks or a last day, not both."))
            return data
        if not weeks and not last:
            self.add_error("weeks", _("Fill in for how many weeks, or until which day."))
            return data
        if last is None:
            last = first + dt.timedelta(days=7 * weeks - 1)
        if last < first:
            self.add_error("last_day", _("Fill in a last day on or after the first day."))
            return data
        days = ",".join(d for d in WEEKDAYS if d in data["weekdays"])
        data["rrule"] = f"FREQ=WEEKLY;BYDAY={days};UNTIL={last:%Y%m%d}T235959"
        start = data.get("start_time")
        data["starts_at"] = make_aware(dt.datetime.combine(first, start or dt.time()))
        data["all_day"] = start is None
        count = len(
            starts(
                data["rrule"],
                data["starts_at"],
                data["starts_at"],
                make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time()))
                + dt.timedelta(days=1),
            )
        )
        if count == 0:
            self.add_error("weekdays", _("None of these days falls in this period. Choose other days."))
        elif count > ACTIVITY_MAX_TASKS:
            self.add_error(
                "weeks",
                _("That makes %(count)d tasks; at most %(max)d can be made at once. Choose fewer weeks.")
                % {"count": count, "max": ACTIVITY_MAX_TASKS},
            )
        data["count"] = count
        return data

    @classmethod
    def initial_for(cls, activity) -> dict:
        """The form's values of an existing activity (its rule as this form writes it)."""
        parts = dict(p.split("=", 1) for p in activity.rrule.split(";") if "=" in p)
        local_start = activity.starts_at.astimezone(TZ)
        until = parts.get("UNTIL", "")
        last = dt.datetime.strptime(until[:8], "%Y%m%d").date() if until else None
        end = (
            None
            if activity.all_day
            else (local_start + dt.timedelta(minutes=activity.duration_minutes)).time()
        )
        return {
            "kind": activity.kind,
            "title": activity.title,
            "note": activity.note,
            "weekdays": parts.get("BYDAY", "").split(","),
            "first_day": local_start.date(),
            "last_day": last,
            "start_time": None if activity.all_day else local_start.time(),
            "end_time": end,
            "hours": Decimal(activity.duration_minutes) / 60 if activity.all_day else None,
        }
