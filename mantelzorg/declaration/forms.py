"""The verifier's form: paste the MZ1 text or upload a picture of the QR code. Either one is
enough, so neither field is required: the shared field template (core/templates/django/forms/
field.html) then adds "(optional)" to both labels; ``clean`` asks for one of the two."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


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
