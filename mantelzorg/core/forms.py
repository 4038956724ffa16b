from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting

WIDGET_CLASSES = {
    "checkbox": "utrecht-checkbox utrecht-checkbox--html-input",
    "radio": "utrecht-radio-button utrecht-radio-button--html-input",
    "radioselect": "utrecht-radio-button utrecht-radio-button--html-input",
    "checkboxselectmultiple": "utrecht-checkbox utrecht-checkbox--html-input",
    "select": "utrecht-select utrecht-select--html-select",
    "selectmultiple": "utrecht-select utrecht-select--html-select",
    "textarea": "utrecht-textarea utrecht-textarea--html-textarea",
}
TEXTBOX_CLASS = "utrecht-textbox utrecht-textbox--html-input"


class NLDSBoundField(BoundField):
    """Adds NLDS classes, ``aria-invalid`` and an ``aria-describedby`` that names both the
    description and the error message of the field."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        css = WIDGET_CLASSES.get(self.widget_type, TEXTBOX_CLASS)
        if self.errors:
            attrs["aria-invalid"] = "true"
            if css == TEXTBOX_CLASS:
                css += " utrecht-textbox--invalid"
        own = " ".join(
            c for c in (widget.attrs.get("class", ""), attrs.get("class", "")) if c
        )  # the widget's too
        attrs["class"] = f"{own} {css}".strip()
        if not self.use_fieldset:
            described = [f"{self.auto_id}_helptext"] if self.help_text else []
            if self.errors:
                described.append(f"{self.auto_id}_error")
            if described:
                attrs["aria-describedby"] = " ".join(described)
            else:
                attrs.pop("aria-describedby", None)
        return attrs

    @property
    def summary_target(self) -> str:
        """The id the error summary links to: the input itself, or the first option of a group."""
        return self.id_for_label or f"{self.auto_id}_0"

    @property
    def summary_errors(self) -> list[str]:
        """The field's errors as the error summary shows them. A specific message ("Vul je
        e-mailadres in.") stands alone; one of Django's stock messages ("Dit veld is vereist.")
        says nothing out of context, so the summary puts the field's label before it."""
        stock = set()
        for klass in type(self.field).__mro__:
            stock.update(str(m) for m in getattr(klass, "default_error_messages", {}).values())
        stock.update(str(type(v).message) for v in self.field.validators if hasattr(type(v), "message"))
        context = getattr(self.field, "summary_label", "")  # a short message that needs its question
        shown = []
        for error in self.errors.as_data():
            text = " ".join(error.messages)
            if context:
                shown.append(f"{lead(context)} {text}")
            else:
                shown.append(f"{self.label} – {text}" if str(error.message) in stock else text)
        return shown

    @property
    def described_by(self) -> str:
        ids = [f"{self.auto_id}_helptext"] if self.help_text else []
        if self.errors:
            ids.append(f"{self.auto_id}_error")
        return " ".join(ids)


def lead(label: str) -> str:
    """The first sentence of a label, so that a message can follow it: "Hoeveel uur werk je? Vul
    je werktijd in." reads better than "Hoeveel uur werk je? Vul 0 in als je niet werkt: …"."""
    text = str(label).strip()
    for index, char in enumerate(text):
        if char in ".?!" and (index + 1 == len(text) or text[index + 1] == " "):
            return text[: index + 1]
    return f"{text}:" if text else ""


class NLDSFormRenderer(TemplatesSetting):
    """Every ``{{ form }}`` renders in NL Design System form-field markup.

    The templates live in ``core/templates/django/forms/`` (overriding Django's defaults):
    label above, description, error beside the field tied with ``aria-describedby``, and
    an error summary at the top of the form that links to each field.
    """

    form_template_name = "django/forms/div.html"
    field_template_name = "django/forms/field.html"
    bound_field_class = NLDSBoundField
