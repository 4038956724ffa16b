"""Pages of the Balanscheck: the anonymous five-step check (answers only in the session), the
result with local offers, print/PDF, saving (account or e-mail link), history, deletion."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mantelzorg.accounts import ratelimit
from mantelzorg.accounts.selectors import is_platform_admin, is_staff_of
from mantelzorg.core import geo, pdf
from mantelzorg.core.http import personal
from mantelzorg.core.idempotency import idempotent
from mantelzorg.core.models import Municipality

from . import engine, evaluation, local_offers, registry, selectors, services
from .forms import STEPS, EmailForm, PostcodeForm, QuestionsForm, ReminderForm, step_items
from .models import LocalThresholds

SESSION_KEY = "assessment_balanscheck"


# ------------------------------------------------------------------------------ session state


def _state(request, key=SESSION_KEY) -> dict:
    return request.session.get(key) or {"answers": {}, "postcode": "", "done": []}


def _prefill(request, state) -> None:
    """A new check of someone with a saved check starts from its stable answers (once)."""
    if state["answers"] or state["done"] or "prefilled" in state:
        return
    found = selectors.prefill_for(request)
    state["prefilled"] = None
    if found is not None:
        answers, pc4, created_at = found
        state["answers"] = answers
        state["postcode"] = pc4 or state["postcode"]
        state["prefilled"] = timezone.localdate(created_at).isoformat()  # the date as the page shows it
    # The hours of the caregiver's own tasks in their care network, as a suggestion: filled in when
    # the question has no answer yet, else only shown beside the earlier answer.
    hours = selectors.network_care_hours(request)
    state["suggested_hours"] = hours
    state["suggestion_filled"] = hours is not None and selectors.CARE_HOURS not in state["answers"]
    if state["suggestion_filled"]:
        state["answers"][selectors.CARE_HOURS] = hours
    _store(request, state)


def _store(request, state, key=SESSION_KEY) -> None:
    request.session[key] = state


def _place(postcode):
    if not postcode:
        return None
    try:
        return geo.resolve_postcode(postcode)
    except geo.PostcodeError:
        return None


def _session_outcome(request):
    """(outcome, None) for the finished check in the session, or (None, redirect to the step to do)."""
    state = _state(request)
    missing = next((i for i in range(len(STEPS)) if i not in state["done"]), None)
    if missing is not None:
        return None, redirect("assessment:step", number=missing + 1)
    instrument = registry.instrument_get(registry.BALANSCHECK)
    try:
        return evaluation.evaluate(instrument, state["answers"], place=_place(state["postcode"])), None
    except engine.ResponseValidationError as error:
        link_ids = {e["linkId"] for e in error.errors}
        for index in range(len(STEPS)):
            if any(i.link_id in link_ids for i in step_items(instrument, index)):
                messages.error(request, _("Some answers are missing. Please check this step."))
                return None, redirect("assessment:step", number=index + 1)
        raise


# ------------------------------------------------------------------------------ the check


@require_GET
@personal
def start(request):
    state = _state(request)
    return render(
        request,
        "assessment/start.html",
        {
            "started": bool(state["done"]),
            "steps": STEPS,
            "saved": selectors.check_list_for_user(request.user, request)[:1],
        },
    )


@require_http_methods(["GET", "POST"])
@personal
def step(request, number):
    if not 1 <= number <= len(STEPS):
        raise Http404
    index = number - 1
    state = _state(request)
    first_missing = next((i for i in range(index) if i not in state["done"]), None)
    if first_missing is not None:
        return redirect("assessment:step", number=first_missing + 1)
    if index == 0 and request.method == "GET":
        _prefill(request, state)
    instrument = registry.instrument_get(registry.BALANSCHECK)
    enabled = engine.enabled_items(instrument, state["answers"])
    items = [i for i in step_items(instrument, index) if i.link_id in enabled]
    form = QuestionsForm(
        request.POST or None,
        instrument=instrument,
        items=items,
        answers=state["answers"],
        checkboxes=STEPS[index][0] == "tasks",
        ask_postcode=index == 0,
        postcode=state["postcode"],
        compact=STEPS[index][0] == "details",
    )
    if request.method == "POST":
        back = request.POST.get("direction") == "back"
        valid = form.is_valid()
        if valid or back:
            _merge(state, form, index, complete=valid)
            _store(request, state)
            if back:
                return (
                    redirect("assessment:step", number=number - 1) if index else redirect("assessment:start")
                )
            return (
                redirect("assessment:step", number=number + 1)
                if number < len(STEPS)
                else redirect("assessment:result")
            )
    context = {
        "form": form,
        "number": number,
        "total": len(STEPS),
        "steps": STEPS,
        "title": STEPS[index][1],
        "slug": STEPS[index][0],
        "index": index,
        "prefilled": state.get("prefilled") if index == 0 else None,
        "suggested_hours": state.get("suggested_hours") if index == 0 else None,
        "suggestion_filled": state.get("suggestion_filled"),
    }
    return render(request, "assessment/step.html", context)


def _merge(state, form, index, *, complete) -> None:
    for link_id, value in form.answers(partial=not complete).items():
        if value is None:
            state["answers"].pop(link_id, None)
        else:
            state["answers"][link_id] = value
    if "postcode" in getattr(form, "cleaned_data", {}):
        state["postcode"] = form.cleaned_data["postcode"]
    if complete and index not in state["done"]:
        state["done"] = sorted(state["done"] + [index])


@require_POST
@personal
def reset(request):
    request.session.pop(SESSION_KEY, None)
    if request.POST.get("empty") == "yes":  # start again with empty questions, not the saved answers
        _store(request, {"answers": {}, "postcode": "", "done": [], "prefilled": None})
        return redirect("assessment:step", number=1)
    messages.success(request, _("Your answers have been removed from this device."))
    return redirect("assessment:start")


def _result_context(request, outcome, **extra):
    """What every page that shows a Balanscheck result needs (page, print, PDF, saved check)."""
    offers = local_offers.offers_for(outcome.place, outcome.advice) if outcome.level else None
    steps = local_offers.next_steps(outcome, offers)
    in_steps = {step.card.code for step in steps}
    return {
        "outcome": outcome,
        "level": outcome.level,
        "offers": offers,
        "steps": steps,
        "more_cards": [c for c in outcome.other_cards if c.code not in in_steps],
        "domains": local_offers.domain_labels(),
        "here": request.get_full_path(),  # the way back from an offer's page
        **extra,
    }


def _result_page(request, outcome, postcode_form=None):
    contributed = request.session.get("assessment_contributed", False)
    if postcode_form is None and outcome.place is None:
        postcode_form = PostcodeForm()
    context = _result_context(
        request,
        outcome,
        postcode_form=postcode_form,
        can_contribute=bool(outcome.municipality) and not contributed,
        contributed=contributed,
        print_url=reverse("assessment:result_print"),
        pdf_url=reverse("assessment:result_pdf"),
    )
    return render(request, "assessment/result.html", context)


@require_GET
@personal
def result(request):
    outcome, redirect_to = _session_outcome(request)
    if redirect_to:
        return redirect_to
    return _result_page(request, outcome)


@require_POST
@personal
def result_postcode(request):
    """Add a postcode to a finished check (from the result page), to see help nearby."""
    outcome, redirect_to = _session_outcome(request)
    if redirect_to:
        return redirect_to
    form = PostcodeForm(request.POST)
    if not form.is_valid():
        return _result_page(request, outcome, postcode_form=form)
    state = _state(request)
    state["postcode"] = form.cleaned_data["postcode"]
    _store(request, state)
    return redirect("assessment:result")


def _pdf_response(request, context, filename):
    return pdf.pdf_response(request, "assessment/print.html", context, filename)


@require_GET
@personal
def result_print(request):
    outcome, redirect_to = _session_outcome(request)
    if redirect_to:
        return redirect_to
    return render(
        request,
        "assessment/print.html",
        _result_context(request, outcome, back_url=reverse("assessment:result")),
    )


@require_GET
@personal
def result_pdf(request):
    outcome, redirect_to = _session_outcome(request)
    if redirect_to:
        return redirect_to
    return _pdf_response(request, _result_context(request, outcome), "mijn-balans.pdf")


@require_POST
@personal
@idempotent
def contribute(request):
    outcome, redirect_to = _session_outcome(request)
    if redirect_to:
        return redirect_to
    # The button itself is the consent: it says what is stored, and nothing is stored without it.
    if request.session.get("assessment_contributed"):
        messages.info(request, _("You have already added this result to the figures."))
    elif request.POST.get("consent") == "yes" and (refusal := ratelimit.hit(request, "contribution")):
        messages.error(request, refusal.message)
        response = _result_page(request, outcome)
        response.status_code = 429
        return response
    elif request.POST.get("consent") == "yes" and services.contribution_create(
        request=request, outcome=outcome
    ):
        request.session["assessment_contributed"] = True
        messages.success(request, _("Thank you. Your result has been added anonymously to the figures."))
    else:
        messages.error(request, _("Nothing was added."))
    return redirect("assessment:result")


# ------------------------------------------------------------------------------ saving


@require_http_methods(["GET", "POST"])
@personal
@idempotent
def save(request):
    key = request.POST.get("vragenlijst") or request.GET.get("vragenlijst") or ""
    outcome, redirect_to = _questionnaire_outcome(request, key) if key else _session_outcome(request)
    if redirect_to:
        return redirect_to
    email_form = EmailForm(request.POST if request.POST.get("action") == "email" else None)
    if request.method == "POST" and request.POST.get("action") == "account" and request.user.is_authenticated:
        check = services.check_save(request=request, outcome=outcome, user=request.user)
        messages.success(request, _("Your check has been saved."))
        return redirect("assessment:check_detail", check_id=check.id)
    refusal = None
    if request.method == "POST" and email_form.is_valid():
        refusal = ratelimit.hit(request, "check_email_link", address=email_form.cleaned_data["email"])
        if refusal:  # nothing saved, nothing sent; the form says why and still works
            email_form.add_error(None, refusal.message)
    if request.method == "POST" and email_form.is_valid():
        check = services.check_save_by_email(
            request=request, outcome=outcome, email=email_form.cleaned_data["email"]
        )
        return render(request, "assessment/email_sent.html", {"check": check})
    return render(
        request,
        "assessment/save.html",
        {"email_form": email_form, "questionnaire": key or "", "next": request.get_full_path()},
        status=429 if refusal else 200,
    )


@require_GET
@personal
def magic_link(request, token):
    check = services.magic_link_open(request=request, token=token)
    if check is None:
        return render(request, "assessment/link_invalid.html", status=404)
    request.session.cycle_key()  # the link grants access: a new session id, as after a login
    return redirect("assessment:check_detail", check_id=check.id)


@require_GET
@personal
def history(request):
    checks = selectors.check_history_for_user(request)
    if not checks and not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    reminder = selectors.reminder_for_user(request.user)
    form = ReminderForm(initial={"interval_months": reminder.interval_months if reminder else ""})
    series = selectors.trend(checks)
    return render(
        request,
        "assessment/history.html",
        {
            "checks": checks,
            "series": series,
            "more_series": sum(1 for entry in series if not entry["main"]),
            "reminder_form": form,
            "reminder": reminder,
        },
    )


@login_required
@require_POST
@personal
@idempotent
def reminder(request):
    form = ReminderForm(request.POST)
    if form.is_valid():
        services.reminder_set(
            request=request, user=request.user, interval_months=form.cleaned_data["interval_months"]
        )
        messages.success(request, _("Your reminder setting has been saved."))
    return redirect("assessment:history")


@require_GET
@personal
def check_detail(request, check_id):
    check = selectors.check_get_for_user(request, check_id)
    outcome = selectors.check_outcome(check)
    owner = selectors.is_owner(request, check)
    context = (
        _result_context(
            request,
            outcome,
            check=check,
            owner=owner,
            pdf_url=reverse("assessment:check_pdf", args=[check.id]),
        )
        if outcome
        else {"check": check}
    )
    return render(request, "assessment/check_detail.html", context)


@require_GET
@personal
def check_pdf(request, check_id):
    check = selectors.check_get_for_user(request, check_id)
    outcome = selectors.check_outcome(check)
    if outcome is None:
        raise Http404
    return _pdf_response(request, _result_context(request, outcome, check=check), "mijn-balans.pdf")


@require_http_methods(["GET", "POST"])
@personal
@idempotent
def check_delete(request, check_id):
    if request.method == "GET":
        check = selectors.check_get_to_manage(request, check_id, purpose="delete confirmation")
        return render(request, "assessment/check_delete.html", {"check": check})
    check, _purpose = selectors.check_access(request, check_id, manage=True)
    if request.method == "POST":
        services.check_delete(request=request, check=check)
        messages.success(request, _("The check has been deleted."))
        return (
            redirect("assessment:history") if request.user.is_authenticated else redirect("assessment:start")
        )
    return render(request, "assessment/check_delete.html", {"check": check})


# ------------------------------------------------------------------------------ other questionnaires


def _questionnaire_outcome(request, questionnaire_id):
    instrument = registry.instrument_get(questionnaire_id)
    state = _state(request, f"assessment_q_{instrument.id}")
    try:
        return evaluation.evaluate(instrument, state["answers"]), None
    except engine.ResponseValidationError:
        return None, redirect("assessment:questionnaire", questionnaire_id=instrument.id)


@require_http_methods(["GET", "POST"])
@personal
def questionnaire(request, questionnaire_id=registry.CARERQOL):
    instrument = registry.instrument_get(questionnaire_id)
    if instrument.id == registry.BALANSCHECK:
        return redirect("assessment:start")
    key = f"assessment_q_{instrument.id}"
    state = _state(request, key)
    enabled = engine.enabled_items(instrument, state["answers"])
    items = [i for i in instrument.questions if i.link_id in enabled and not i.read_only]
    form = QuestionsForm(request.POST or None, instrument=instrument, items=items, answers=state["answers"])
    if request.method == "POST" and form.is_valid():
        state["answers"] = {k: v for k, v in form.answers().items() if v is not None}
        _store(request, state, key)
        return redirect("assessment:questionnaire_result", questionnaire_id=instrument.id)
    intro = [
        evaluation.label(i.text)
        for i in instrument.items.values()
        if i.type == "display" and i.parent is None
    ]
    return render(
        request,
        "assessment/questionnaire.html",
        {
            "form": form,
            "instrument": instrument,
            "intro": intro,
            "title": evaluation.label(instrument.title_label),
        },
    )


@require_GET
@personal
def questionnaire_result(request, questionnaire_id):
    outcome, redirect_to = _questionnaire_outcome(request, questionnaire_id)
    if redirect_to:
        return redirect_to
    return render(
        request,
        "assessment/questionnaire_result.html",
        {"outcome": outcome, "questionnaire": outcome.instrument.id},
    )


# ------------------------------------------------------------------------------ local policy


@login_required
@require_http_methods(["GET", "POST"])
@personal
@idempotent
def thresholds_edit(request, code):
    """A gemeente's staff set their own thresholds (local policy) without code."""
    municipality = get_object_or_404(Municipality, code=code.upper())
    if not (is_platform_admin(request.user) or is_staff_of(request.user, municipality)):
        raise Http404
    from . import balance
    from .forms import ThresholdsForm

    rules = balance.load_level_rules()
    row = LocalThresholds.objects.filter(municipality=municipality).first()
    form = ThresholdsForm(
        request.POST or None,
        rules=rules,
        overrides=row.overrides if row else {},
        note=row.note if row else "",
    )
    if request.method == "POST" and form.is_valid():
        services.thresholds_update(
            request=request,
            municipality=municipality,
            overrides=form.overrides(),
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("The thresholds have been saved."))
        return redirect("assessment:thresholds", code=municipality.code)
    return render(request, "assessment/thresholds.html", {"form": form, "municipality": municipality})
