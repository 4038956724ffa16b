"""Forms built from the instrument (the Questionnaire JSON is the single source of the questions)."""

from __future__ import annotations

import fnmatch
import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mantelzorg.core import geo

from . import balance, engine
from .evaluation import label
from .models import InstrumentDefinition, LocalThresholds, ReminderSetting

YES, NO = "yes", "no"

# The five steps of the Balanscheck: (slug, title, linkId patterns).
STEPS = [
    ("about", _("About you"), ["about.*"]),
    ("tasks", _("Your tasks"), ["task.*.does"]),
    (
        "details",
        _("About each task"),
        ["task.*.hours", "task.*.energy", "task.*.transferable", "task.*.description"],
    ),
    ("pressure", _("Pressure and help"), ["pressure.*", "network.*"]),
    ("overall", _("How are you?"), ["overall_burden", "wellbeing.*"]),
]


def field_name(link_id: str) -> str:
    return link_id.replace(".", "__")


def step_items(instrument: engine.Instrument, index: int) -> list[engine.Item]:
    patterns = STEPS[index][2]
    return [i for i in instrument.questions if any(fnmatch.fnmatchcase(i.link_id, p) for p in patterns)]


def help_text_of(instrument: engine.Instrument, item: engine.Item) -> str:
    parts = [label(instrument.items[c].text) for c in item.children if instrument.items[c].type == "display"]
    return " ".join(parts)


def _task_of(instrument: engine.Instrument, item: engine.Item) -> engine.Item | None:
    parent = instrument.items.get(item.parent) if item.parent else None
    return (
        parent
        if parent is not None and parent.type == "group" and parent.link_id.startswith("task.")
        else None
    )


def _number_messages(item: engine.Item) -> dict:
    """One clear message for every way a number can be wrong (instead of Django's defaults)."""
    if item.min_value is not None and item.max_value is not None:
        text = _("Fill in a whole number from %(min)s to %(max)s.") % {
            "min": item.min_value,
            "max": item.max_value,
        }
    else:
        text = _("Fill in a whole number, for example 4.")
    return {key: text for key in ("required", "invalid", "min_value", "max_value", "step_size")}


def build_field(
    instrument: engine.Instrument, item: engine.Item, *, checkbox: bool = False, compact: bool = False
) -> forms.Field:
    """The form field for one question. ``compact``: the task details as one short row (hours
    and energy side by side, energy as a select); the task's name is the row's legend."""
    help_text = "" if compact else help_text_of(instrument, item)
    text = label(item.text)
    choose = {"required": _("Choose an answer."), "invalid_choice": _("Choose one of the answers.")}
    if item.type == "choice" and compact:
        return forms.ChoiceField(
            label=_("What does it do to your energy?"),
            required=item.required,
            choices=[("", _("Choose…"))] + [(o.code, label(o.display)) for o in item.options],
            error_messages={
                "required": _("Choose what this task does to your energy."),
                "invalid_choice": _("Choose one of the answers."),
            },
        )
    if item.type == "choice":
        return forms.ChoiceField(
            label=text,
            help_text=help_text,
            required=item.required,
            choices=[(o.code, label(o.display)) for o in item.options],
            widget=forms.RadioSelect,
            error_messages=choose,
        )
    if item.type == "boolean" and checkbox:
        group = _task_of(instrument, item)
        group_help = " ".join(
            label(instrument.items[c].text)
            for c in (group.children if group else ())
            if instrument.items[c].type == "display"
        )
        return forms.BooleanField(
            label=label(group.text) if group else text, help_text=group_help, required=False
        )
    if item.type == "boolean":
        return forms.ChoiceField(
            label=text,
            help_text=help_text,
            required=item.required,
            choices=[(YES, _("Yes")), (NO, _("No"))],
            widget=forms.RadioSelect,
            error_messages=choose,
        )
    if item.type in ("integer", "decimal"):
        kwargs = {"min_value": item.min_value, "max_value": item.max_value}
        attrs = {"inputmode": "numeric" if item.type == "integer" else "decimal"}
        if compact:
            attrs["class"] = "mz-hours"
        widget = forms.NumberInput(attrs=attrs)
        cls = forms.IntegerField if item.type == "integer" else forms.FloatField
        return cls(
            label=_("Hours a week") if compact else text,
            help_text=help_text,
            required=item.required,
            widget=widget,
            error_messages=_number_messages(item),
            **kwargs,
        )
    return forms.CharField(
        label=text,
        help_text=help_text,
        required=item.required,
        max_length=item.max_length or 200,
        widget=forms.Textarea(attrs={"rows": 3}) if item.type == "text" else forms.TextInput,
        error_messages={"required": _("Fill in an answer.")},
    )


def initial_value(item: engine.Item, value, *, checkbox: bool = False):
    if item.type == "boolean" and not checkbox and value is not None:
        return YES if value else NO
    return value


def answer_value(item: engine.Item, value):
    """A cleaned form value as an engine answer (None when unanswered)."""
    if value in (None, ""):
        return None
    if item.type == "boolean" and isinstance(value, str):
        return value == YES
    return value


TRANSFERABLE = "transferable"  # the details step asks "who could take over" once, for every task


class QuestionsForm(forms.Form):
    """One page of questions. ``items`` are engine Items; fields are named after their linkIds.

    ``compact`` (the details step): per task one row with hours and energy, and one checkbox list
    "which of these could someone else take over" instead of a yes/maybe/no per task (ticked
    means ``yes``, not ticked ``no``; an earlier ``maybe`` shows as ticked)."""

    def __init__(
        self,
        *args,
        instrument,
        items,
        answers=None,
        checkboxes=False,
        ask_postcode=False,
        postcode="",
        compact=False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.items = list(items)
        self.checkboxes = checkboxes
        self.compact = compact
        answers = answers or {}
        if ask_postcode:
            self.fields["postcode"] = forms.CharField(
                label=_("Your postcode"),
                help_text=_("With your postcode we show help near you, for example 1012 AB or 1012."),
                required=False,
                max_length=10,
                widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
            )
            self.initial["postcode"] = postcode
        self.transferable_items = (
            [i for i in self.items if i.link_id.endswith(".transferable")] if compact else []
        )
        for item in self.items:
            if item in self.transferable_items:
                continue
            name = field_name(item.link_id)
            self.fields[name] = build_field(
                instrument, item, checkbox=checkboxes and item.type == "boolean", compact=compact
            )
            # The error summary puts the question before a short message ("Kies een antwoord.").
            task = _task_of(instrument, item) if compact else None
            question = self.fields[name].label
            self.fields[name].summary_label = f"{label(task.text)}: {question}" if task else question
            value = initial_value(item, answers.get(item.link_id), checkbox=checkboxes)
            if value is not None:
                self.initial[name] = value
        if self.transferable_items:
            self.fields[TRANSFERABLE] = forms.MultipleChoiceField(
                label=_("Which of these tasks could someone else take over, at least partly?"),
                help_text=_("For example family, friends, neighbours, a volunteer or a professional."),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                choices=[(i.link_id, label(_task_of(instrument, i).text)) for i in self.transferable_items],
            )
            self.initial[TRANSFERABLE] = [
                i.link_id for i in self.transferable_items if answers.get(i.link_id) in ("yes", "maybe")
            ]
        self.place = None

    def clean_postcode(self):
        raw = self.cleaned_data.get("postcode", "").strip()
        if not raw:
            return ""
        try:
            self.place = geo.resolve_postcode(raw)
        except geo.PostcodeError as error:
            raise ValidationError(error.message, code=error.code) from None
        return self.place.postcode

    def answers(self, *, partial: bool = False) -> dict:
        """{linkId: value or None} of this page; ``partial``: only the fields that were valid."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        result = {}
        for item in self.items:
            if item in self.transferable_items:
                if partial and TRANSFERABLE not in data:
                    continue
                ticked = item.link_id in data.get(TRANSFERABLE, ())
                result[item.link_id] = "yes" if ticked else "no"  # the option codes of .transferable
                continue
            name = field_name(item.link_id)
            if partial and name not in data:
                continue
            result[item.link_id] = answer_value(item, data.get(name))
        return result

    def groups(self):
        """Fields grouped per task (for the details step): [(task name, [bound fields])]."""
        groups: list = []
        for item in self.items:
            if item in self.transferable_items:
                continue
            task = _task_of(self.instrument, item)
            title = label(task.text) if task else ""
            if not groups or groups[-1][0] != title:
                groups.append((title, []))
            groups[-1][1].append(self[field_name(item.link_id)])
        return groups

    def field_for(self, link_id: str):
        return self[field_name(link_id)]


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_(
            "We send you a link to open this check again. We store your address only in a coded form."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class PostcodeForm(forms.Form):
    """The postcode alone, to add help nearby to a finished check."""

    postcode = forms.CharField(
        label=_("Your postcode"),
        help_text=_("For example 1012 AB or 1012. We keep only the first four digits."),
        max_length=10,
        error_messages={"required": _("Fill in your postcode, for example 1012 AB.")},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )

    def clean_postcode(self):
        try:
            return geo.resolve_postcode(self.cleaned_data["postcode"]).postcode
        except geo.PostcodeError as error:
            raise ValidationError(error.message, code=error.code) from None


class ReminderForm(forms.Form):
    interval_months = forms.TypedChoiceField(
        label=_("Remind me to do the check again"),
        choices=[("", _("No reminder"))] + list(ReminderSetting.Interval.choices),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


def _questionnaire_json(value) -> dict:
    if isinstance(value, dict):
        return value
    try:
        return json.loads(value)
    except (TypeError, ValueError) as error:
        raise ValidationError(_("This is not valid JSON: %(error)s"), params={"error": error}) from None


class InstrumentDefinitionForm(forms.ModelForm):
    """Admin form: paste or upload a Questionnaire; the engine checks it before it is stored."""

    upload = forms.FileField(label=_("or upload a JSON file"), required=False)

    class Meta:
        model = InstrumentDefinition
        fields = ["json", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["json"].required = False

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        data = (
            _questionnaire_json(upload.read().decode("utf-8", "replace")) if upload else cleaned.get("json")
        )
        if not data:
            raise ValidationError(_("Paste the Questionnaire JSON or upload a file."))
        try:
            instrument = engine.load_instrument(data)
        except engine.DefinitionError as error:
            raise ValidationError([ValidationError(p) for p in error.problems]) from None
        cleaned["json"] = data
        self.instance.questionnaire_id = instrument.id
        self.instance.url = instrument.url
        self.instance.version = instrument.version
        self.instance.title = instrument.title
        return cleaned


class LocalThresholdsForm(forms.ModelForm):
    class Meta:
        model = LocalThresholds
        fields = ["municipality", "overrides", "note"]

    def clean_overrides(self):
        overrides = self.cleaned_data.get("overrides") or {}
        if not isinstance(overrides, dict):
            raise ValidationError(_("Give an object of threshold names and numbers."))
        try:
            balance.effective_thresholds(balance.load_level_rules(), overrides)
        except engine.DefinitionError as error:
            raise ValidationError([ValidationError(p) for p in error.problems]) from None
        return overrides


class ThresholdsForm(forms.Form):
    """One number per threshold of rules/levels.json; empty means the national default."""

    note = forms.CharField(
        label=_("Reason for the local policy"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, rules, overrides, note="", **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = rules
        for name, threshold in rules.thresholds.items():
            self.fields[f"t_{name}"] = forms.FloatField(
                label=label(threshold.description),
                help_text=_("Default: %(value)s. Source: %(source)s")
                % {"value": threshold.value, "source": label(threshold.source)},
                required=False,
                min_value=0,
            )
            if name in overrides:
                self.initial[f"t_{name}"] = overrides[name]
        self.initial["note"] = note
        self.order_fields([f"t_{n}" for n in rules.thresholds] + ["note"])

    def overrides(self) -> dict:
        result = {}
        for name in self.rules.thresholds:
            value = self.cleaned_data.get(f"t_{name}")
            if value is not None:
                result[name] = int(value) if float(value).is_integer() else value
        return result
