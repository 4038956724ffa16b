"""The shared error summary (core/_error_summary.html, part of every {{ form }}): each message
once, linked to its field; Django's stock messages get the field's label in front."""

import re

from django import forms
from django.template import Context, Template
from django.utils import translation


class ExampleForm(forms.Form):
    works = forms.ChoiceField(
        label="Werk je of studeer je?", choices=[("yes", "Ja"), ("no", "Nee")], widget=forms.RadioSelect
    )
    hours = forms.IntegerField(label="Uren per week", max_value=100)
    email = forms.EmailField(label="E-mailadres", error_messages={"required": "Vul je e-mailadres in."})


def summary(form) -> list[tuple[str, str]]:
    html = Template('{% include "core/_error_summary.html" %}').render(Context({"form": form}))
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', html)


def test_specific_messages_stand_alone_and_stock_messages_get_the_label():
    with translation.override("nl"):
        form = ExampleForm(data={"hours": "200"})
        assert summary(form) == [
            ("id_works_0", "Werk je of studeer je? – Dit veld is vereist."),  # the first radio button
            ("id_hours", "Uren per week – Zorg ervoor dat deze waarde hoogstens 100 is."),
            ("id_email", "Vul je e-mailadres in."),
        ]


def test_summary_takes_the_focus_without_javascript_and_says_what_it_is():
    form = ExampleForm(data={})
    html = form.render()
    assert html.count('class="mz-error-summary"') == 1
    box = re.search(r'<div class="mz-error-summary"[^>]*>', html).group(0)
    assert 'tabindex="-1"' in box and "autofocus" in box and 'role="alert"' in box
    assert 'aria-labelledby="form-errors-title"' in box and 'id="form-errors-title"' in html


def test_a_valid_or_unbound_form_has_no_summary():
    assert "mz-error-summary" not in ExampleForm().render()
    assert (
        "mz-error-summary" not in ExampleForm(data={"works": "yes", "hours": "3", "email": "a@b.nl"}).render()
    )


def test_prefixed_forms_get_their_own_summary_id():
    html = ExampleForm(data={}, prefix="second").render()
    assert 'id="second-errors"' in html and 'href="#id_second-hours"' in html
