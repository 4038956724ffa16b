"""Pages of the care network (``/netwerk/``). Each view: decorators → selector (access, audit) →
form → service → render or redirect. Outsiders get 404 from ``selectors.network_access``."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from mantelzorg.core.http import mark_personal, personal
from mantelzorg.core.idempotency import idempotent

from . import feeds, forms, selectors, services
from .models import Kind
from .recurrence import TZ, local, make_aware, rrule_parse

# --- The network and its members ----------------------------------------------------------


@login_required
@personal
@require_GET
def network_list(request):
    """My networks, with my role in each, and a way to open one."""
    rows = selectors.network_list(request)
    return render(request, "network/list.html", {"rows": rows})


@login_required
@personal
@require_http_methods(["GET", "POST"])
@idempotent
def network_create(request):
    form = forms.NetworkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        access = services.network_create(
            request=request,
            user=request.user,
            recipient_name=data["recipient_name"],
            relation=data["relation"],
            recipient_birth_date=data["recipient_birth_date"],
            place=data["postcode"],
        )
        messages.success(request, _("Your network is ready. Invite the people who help."))
        return redirect("network:members", network_id=access.network.pk)
    return render(request, "network/create.html", {"form": form})


@login_required
@personal
@require_GET
def network_home(request, network_id):
    """The answer first: what happens in the coming week, and which help is still open."""
    access = selectors.network_access(request, network_id, action="network.overview.viewed")
    page = selectors.overview(request, access)
    days = [
        (day, list(items))
        for day, items in itertools.groupby(
            page.occurrences, key=lambda o: max(o.starts_at, page.start).astimezone(TZ).date()
        )
    ]
    return render(
        request,
        "network/home.html",
        {"access": access, "days": days, "open_tasks": page.open_tasks, "today": page.today},
    )


@login_required
@personal
@require_GET
def members(request, network_id):
    access = selectors.network_access(request, network_id, action="network.member.listed")
    rows = selectors.member_list(request, access)
    invitations = selectors.invitation_list(request, access) if access.manages else []
    return render(
        request, "network/members.html", {"access": access, "rows": rows, "invitations": invitations}
    )


@login_required
@personal
@require_http_methods(["GET", "POST"])
@idempotent
def invite(request, network_id):
    access = selectors.network_access(request, network_id, action="network.member.invited", need="manages")
    form = forms.InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invitation = services.invitation_create(
            request=request,
            access=access,
            email=data["email"],
            name=data["name"],
            role=data["role"],
            relation=data["relation"],
            sees_private=data["sees_private"],
        )
        messages.success(
            request,
            _("We sent an invitation to %(email)s. The link works for %(days)d days.")
            % {"email": invitation.email, "days": services.INVITATION_DAYS},
        )
        return redirect("network:members", network_id=network_id)
    return render(request, "network/invite.html", {"access": access, "form": form})


@login_required
@personal
@require_POST
@idempotent
def invitation_revoke(request, network_id, invitation_id):
    access = selectors.network_access(
        request, network_id, action="network.invitation.revoked", need="manages"
    )
    invitation = access.network.invitations.filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    services.invitation_revoke(request=request, access=access, invitation=invitation)
    messages.success(request, _("The invitation no longer works."))
    return redirect("network:members", network_id=network_id)


@personal
@require_http_methods(["GET", "POST"])
@idempotent
def invitation(request, token):
    """An invitation link: signed in, accept it; otherwise sign in or create an account first
    (both come back here)."""
    accepting = request.method == "POST" and request.user.is_authenticated
    found = selectors.invitation_open(request, token, audited=not accepting)
    if found is None:
        return render(request, "network/invitation_unusable.html", status=404)
    if accepting:
        try:
            access = services.invitation_accept(request=request, invitation=found, user=request.user)
        except services.InvitationUnusable:
            return render(request, "network/invitation_unusable.html", status=404)
        messages.success(
            request, _("Welcome to the network around %(name)s.") % {"name": found.network.recipient_name}
        )
        return redirect("network:home", network_id=access.network.pk)
    here = request.get_full_path()
    return render(
        request,
        "network/invitation.html",
        {
            "invitation": found,
            "inviter": found.invited_by.display_name if found.invited_by else "",
            "login_url": reverse("accounts:login") + "?next=" + here,
            "signup_url": reverse("accounts:signup") + "?next=" + here,
        },
    )


@login_required
@personal
@require_http_methods(["GET", "POST"])
@idempotent
def member_edit(request, network_id, member_id):
    access = selectors.network_access(request, network_id, action="network.member.changed", need="manages")
    member = selectors.member_get(request, access, member_id, audited=request.method == "GET")
    initial = {"role": member.role, "relation": member.relation, "sees_private": member.sees_private}
    form = forms.MemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(request=request, access=access, member=member, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("role", error)
        else:
            messages.success(request, _("Saved."))
            return redirect("network:members", network_id=network_id)
    selectors.reshown(request, access, action="network.member.viewed", obj=member)
    return render(request, "network/member_edit.html", {"access": access, "member": member, "form": form})


@login_required
@personal
@require_POST
@idempotent
def member_remove(request, network_id, member_id):
    access = selectors.network_access(request, network_id, action="network.member.removed", need="manages")
    member = selectors.member_get(request, access, member_id, audited=False)
    try:
        services.member_remove(request=request, access=access, member=member)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("network:member_edit", network_id=network_id, member_id=member_id)
    messages.success(request, _("%(name)s is no longer in the network.") % {"name": member.display_name})
    return redirect("network:members", network_id=network_id)


@login_required
@personal
@require_http_methods(["GET", "POST"])
@idempotent
def leave(request, network_id):
    access = selectors.network_access(request, network_id, action="network.member.left")
    error = ""
    if request.method == "POST":
        try:
            services.member_leave(request=request, access=access)
        except ValidationError as refusal:
            error = refusal.messages[0]
        else:
            messages.success(request, _("You left the network."))
            return redirect("network:list")
    return render(request, "network/leave.html", {"access": access, "error": error})


@login_required
@personal
@require_http_methods(["GET", "POST"])
@idempotent
def network_settings(request, network_id):
    access = selectors.network_access(request, network_id, action="network.network.changed", need="manages")
    network = selectors.network_get(request, access, audited=request.method == "GET")
    initial = {
        "recipient_name": network.recipient_name,
        "recipient_birth_date": network.recipient_birth_date,
        "diary_for_members": network.diary_for_members,
        "feed_notes": network.feed_notes,
    }
    form = forms.NetworkSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.network_update(request=request, access=access, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("network:home", network_id=network_id)
    selectors.reshown(request, access, action="network.network.viewed")
    return render(request, "network/settings.html", {"access": access, "form": form})


@login_required
@personal
@require_http_methods(["GET", "POST"])
@idempotent
def my_settings(request, network_id):
    """My own settings in this network: phone number and reminders."""
    access = selectors.network_access(request, network_id, action="network.member.changed")
    member = selectors.my_membership(request, access, audited=request.method == "GET")
    initial = {
        "phone": member.phone,
        "reminders": member.reminders,
        "remind_week_before": member.remind_week_before,
    }
    form = forms.MySettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.member_settings_update(request=request, access=access, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("network:home", network_id=network_id)
    selectors.reshown(request, access, action="network.member.viewed", obj=member)
    return render(request, "network/my_settings.html", {"access": access, "form": form})


# --- Diary ----------------------------------------------------------------------------------


@login_required
@personal
@require_http_methods(["GET", "POST"])
@idempotent
def diary(request, network_id):
    action = "network.diary.written" if request.method == "POST" else "network.diary.viewed"
    access = selectors.network_access(request, network_id, action=action, need="sees_diary")
    form = forms.DiaryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.diary_add(request=request, access=access, text=form.cleaned_data["text"])
        messages.success(request, _("Added to the diary."))
        return redirect("network:diary", network_id=network_id)
    entries = selectors.diary_list(request, access)
    return render(request, "network/diary.html", {"access": access, "form": form, "entries": entries})


# --- Agenda ------------------------------------------------------------------

AGENDA_VIEWS = ("lijst", "week", "maand")
LIST_DAYS = 14


def _agenda_date(value) -> dt.date:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate(timezone=TZ)


def _midnight(day: dt.date) -> dt.datetime:
    return make_aware(dt.datetime.combine(day, dt.time()))


def _by_day(occurrences, first: dt.date, last: dt.date) -> dict[dt.date, list]:
    """Each day from ``first`` to ``last`` with the occurrences on it (an item of several days is
    on each of them)."""
    days: dict[dt.date, list] = {first + dt.timedelta(days=n): [] for n in range((last - first).days + 1)}
    for item in occurrences:
        day = max(local(item.starts_at).date(), first)
        while day <= min(item.last_day, last):
            days[day].append(item)
            day += dt.timedelta(days=1)
    return days


def _month_bounds(day: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """The first and last day of the month grid (whole weeks, Monday first) and of the month."""
    month_first = day.replace(day=1)
    month_last = (month_first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    first = month_first - dt.timedelta(days=month_first.weekday())
    last = month_last + dt.timedelta(days=6 - month_last.weekday())
    return first, last, month_first, month_last


def _agenda_rows(access, occurrences) -> dict:
    """What the agenda pages show of each occurrence, formatted once (a month has hundreds of
    entries: formatting in the template per day cell would cost more than the expansion).

    Each ``<li>`` is three pieces: what the series and the occurrence's title, place and state
    give (built once per such combination: its link, kind, goers and labels), the occurrence's
    own link and time, and the rest. ``format_html`` escapes every value; the pieces it made
    itself are already safe."""
    base = reverse("network:agenda", kwargs={"network_id": access.network.pk})
    kinds = {value: str(label) for value, label in Kind.choices}
    all_day, to = _("All day"), _("%(first)s to %(last)s")
    labels = {"cancelled": _("Cancelled"), "repeats": _("Repeats"), "goers": _("Who goes:")}
    pieces: dict = {}
    rows: dict[int, str] = {}
    for item in occurrences:
        appointment = item.appointment
        key = (appointment.pk, item.title, item.place, item.cancelled)
        if key not in pieces:
            pieces[key] = _item_pieces(appointment, item, f"{base}{appointment.pk}/", kinds, labels)
        head, tail = pieces[key]
        start, end = local(item.starts_at), local(item.ends_at)
        if item.all_day:
            first, last = start.date(), item.last_day
            when = (
                to % {"first": date_format(first, "j F"), "last": date_format(last, "j F")}
                if last != first
                else all_day
            )
        elif end.date() == start.date():
            when = f"{start:%H:%M}–{end:%H:%M}"
        else:
            when = f"{start:%H:%M}–{date_format(end, 'j F')} {end:%H:%M}"
        rows[id(item)] = format_html(
            '{}{}"><strong>{}</strong></a>{}</p><p class="nl-paragraph mz-meta"><time datetime="{}">{}</time>{}',
            head,
            f"?op={item.key}" if item.recurring else "",
            item.title,
            tail[0],
            start.isoformat(),
            when,
            tail[1],
        )
    return rows


def _item_pieces(appointment, item, url: str, kinds: dict, labels: dict) -> tuple:
    """The parts of an occurrence's ``<li>`` its series, title, place and state decide: the start
    up to its link's address, and (the badge, the rest after the time)."""
    head = format_html(
        '<li class="mz-card mz-item mz-item--{}{}"><p class="nl-paragraph"><a class="nl-link" href="{}',
        appointment.kind,
        " mz-item--cancelled" if item.cancelled else "",
        url,
    )
    badge = (
        format_html(' <span class="mz-badge mz-badge--cancelled">{}</span>', labels["cancelled"])
        if item.cancelled
        else ""
    )
    kind_label = kinds[appointment.kind] if appointment.kind != Kind.APPOINTMENT else ""
    goers = ", ".join(g.display_name for g in appointment.goers.all())
    rest = format_html(
        "{}{}{}</p>{}</li>",
        format_html(' · <span class="mz-item__kind">{}</span>', kind_label) if kind_label else "",
        format_html('<span class="mz-item__place"> · {}</span>', item.place) if item.place else "",
        format_html('<span class="mz-item__repeats"> · {}</span>', labels["repeats"])
        if item.recurring
        else "",
        format_html('<p class="nl-paragraph mz-meta mz-item__goers">{} {}</p>', labels["goers"], goers)
        if goers
        else "",
    )
    return head, (badge, rest)


@login_required
@personal
@require_GET
def agenda(request, network_id):
    """The agenda as a list of the next 14 days (the default, for a phone), a week or a month."""
    access = selectors.network_access(request, network_id, action="network.agenda.viewed")
    view = request.GET.get("weergave") if request.GET.get("weergave") in AGENDA_VIEWS else "lijst"
    day = _agenda_date(request.GET.get("datum"))
    month_first = month_last = None
    if view == "maand":
        first, last, month_first, month_last = _month_bounds(day)
        earlier, later = month_first - dt.timedelta(days=1), month_last + dt.timedelta(days=1)
        earlier = earlier.replace(day=1)
    else:
        first = day - dt.timedelta(days=day.weekday()) if view == "week" else day
        last = first + dt.timedelta(days=6 if view == "week" else LIST_DAYS - 1)
        step = dt.timedelta(days=7 if view == "week" else LIST_DAYS)
        earlier, later = first - step, first + step
    occurrences = selectors.agenda(request, access, _midnight(first), _midnight(last + dt.timedelta(days=1)))
    rows = _agenda_rows(access, occurrences)
    today = timezone.localdate(timezone=TZ)
    days = [
        {
            "date": date,
            "iso": date.isoformat(),
            "label": date_format(date, "l j F"),
            "weekday": date_format(date, "l"),
            "number": date.day,
            "month": date_format(date, "F"),
            "today": date == today,
            "outside": month_first is not None and not month_first <= date <= month_last,
            "items": [rows[id(o)] for o in items],
        }
        for date, items in _by_day(occurrences, first, last).items()
    ]
    context = {
        "access": access,
        "view": view,
        "day": day,
        "first": first,
        "last": last,
        "earlier": earlier,
        "later": later,
        "today": today,
        "days": days,
        "weeks": [days[i : i + 7] for i in range(0, len(days), 7)] if view == "maand" else [],
        "month_first": month_first,
        "month_last": month_last,
        "occurrences": occurrences,
        "may_add": bool(access.agenda_kinds),
    }
    return render(request, "network/agenda.html", context)


def _repeat_text(appointment) -> str:
    """ "Every 2 weeks on Monday and Thursday, until 30 June 2027" for a series, "" otherwise."""
    if not appointment.rrule:
        return ""
    from django.utils.text import get_text_list

    repeat = rrule_parse(appointment.rrule)
    n = repeat.interval
    if repeat.freq == "DAILY":
        text = ngettext("Every day", "Every %(n)d days", n) % {"n": n}
    elif repeat.freq == "WEEKLY":
        text = ngettext("Every week", "Every %(n)d weeks", n) % {"n": n}
        names = dict(forms.WEEKDAY_CHOICES)
        if repeat.weekdays:
            days = get_text_list([str(names[d]).lower() for d in repeat.weekdays], _("and"))
            text = _("%(every)s on %(days)s") % {"every": text, "days": days}
    else:
        text = ngettext("Every month", "Every %(n)d months", n) % {"n": n}
        text = _("%(every)s on day %(day)d") % {"every": text, "day": local(appointment.starts_at).day}
    if repeat.until:
        text = _("%(repeat)s, until %(date)s") % {"repeat": text, "date": date_format(repeat.until, "j F Y")}
    elif repeat.count:
        text = ngettext("%(repeat)s, %(count)d time", "%(repeat)s, %(count)d times", repeat.count) % {
            "repeat": text,
            "count": repeat.count,
        }
    return text


def _editable(access, appointment):
    if not access.may_edit(appointment):
        raise Http404
    return appointment


def _detail_url(appointment, key: str = "") -> str:
    url = reverse(
        "network:appointment", kwargs={"network_id": appointment.network_id, "appointment_id": appointment.pk}
    )
    return f"{url}?op={key}" if key and appointment.rrule else url


@login_required
@personal
@require_GET
def appointment(request, network_id, appointment_id):
    """One item, or one occurrence of a series (``?op=<its series start>``)."""
    access = selectors.network_access(request, network_id, action="network.appointment.viewed")
    item = selectors.appointment_get(request, access, appointment_id)
    occurrence = selectors.occurrence_get(item, request.GET.get("op", ""))
    context = {
        "access": access,
        "appointment": item,
        "occurrence": occurrence,
        "may_edit": access.may_edit(item),
        "repeats": _repeat_text(item),
    }
    return render(request, "network/appointment.html", context)


@login_required
@personal
@require_http_methods(["GET", "POST"])
@idempotent
def appointment_new(request, network_id):
    access = selectors.network_access(request, network_id, action="network.appointment.created")
    if not access.agenda_kinds:
        raise Http404
    kinds = [k for k in Kind.values if k in access.agenda_kinds]
    initial = {
        "date": _agenda_date(request.GET.get("datum")),
        "kind": kinds[0],
        "interval": 1,
        "ends": "never",
    }
    members = selectors.agenda_goer_choices(access, request=request if request.method == "GET" else None)
    form = forms.AppointmentForm(request.POST or None, access=access, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.appointment_create(request=request, access=access, **_appointment_fields(form))
        except PermissionError:
            raise Http404 from None
        messages.success(request, _("Added to the agenda."))
        return redirect(_detail_url(item))
    selectors.reshown(request, access, action="network.member.listed")  # the goers' names again
    return render(request, "network/appointment_form.html", {"access": access, "form": form, "which": "new"})


def _appointment_fields(form) -> dict:
    data = form.cleaned_data
    names = ("kind", "title", "place", "note", "starts_at", "ends_at", "all_day", "rrule")
    return {**{name: data[name] for name in names}, "goers": [int(pk) for pk in data["goers"]]}


@login_required
@personal
@require_http_methods(["GET", "POST"])
@idempotent
def appointment_edit(request, network_id, appointment_id):
    """Change an item: ``?welke=deze&op=…`` this occurrence, ``vanaf`` this and following,
    otherwise the whole item or series."""
    access = selectors.network_access(request, network_id, action="network.appointment.changed")
    item = _editable(
        access, selectors.appointment_get(request, access, appointment_id, audited=request.method == "GET")
    )
    which = (
        request.GET.get("welke") if item.rrule and request.GET.get("welke") in ("deze", "vanaf") else "alle"
    )
    occurrence = selectors.occurrence_get(item, request.GET.get("op", "")) if which != "alle" else None
    data = request.POST if request.method == "POST" else None
    if occurrence is not None and which == "deze":
        initial = forms.OccurrenceForm.initial_for(
            occurrence.starts_at,
            occurrence.ends_at,
            all_day=item.all_day,
            title=occurrence.title,
            place=occurrence.place,
            note=occurrence.note,
        )
        form = forms.OccurrenceForm(data, initial=initial, fixed_all_day=item.all_day)
    else:
        start = occurrence.original_start if occurrence is not None else None
        count = selectors.remaining_count(item, start) if start is not None else None
        initial = forms.AppointmentForm.initial_for_appointment(item, starts_at=start, count=count)
        members = selectors.agenda_goer_choices(access)
        form = forms.AppointmentForm(data, access=access, members=members, initial=initial)
    if data is not None and form.is_valid():
        try:
            if which == "deze":
                keep = ("starts_at", "ends_at", "title", "place", "note")
                services.occurrence_change(
                    request=request,
                    access=access,
                    appointment=item,
                    original_start=occurrence.original_start,
                    **{k: form.cleaned_data[k] for k in keep},
                )
                target, key = item, occurrence.key
            elif which == "vanaf":
                target = services.appointment_update_following(
                    request=request,
                    access=access,
                    appointment=item,
                    original_start=occurrence.original_start,
                    **_appointment_fields(form),
                )
                key = ""
            else:
                target = services.appointment_update(
                    request=request, access=access, appointment=item, **_appointment_fields(form)
                )
                key = ""
        except PermissionError:
            raise Http404 from None
        messages.success(request, _("Saved."))
        return redirect(_detail_url(target, key))
    selectors.reshown(request, access, action="network.appointment.viewed", obj=item)
    context = {"access": access, "form": form, "which": which, "appointment": item, "occurrence": occurrence}
    return render(request, "network/appointment_form.html", context)


@login_required
@personal
@require_POST
@idempotent
def appointment_cancel(request, network_id, appointment_id):
    """Cancel one occurrence (``op``) or an item: it stays in the agenda, marked cancelled."""
    access = selectors.network_access(request, network_id, action="network.appointment.cancelled")
    item = _editable(access, selectors.appointment_get(request, access, appointment_id, audited=False))
    key = request.POST.get("op") or request.GET.get("op", "")
    try:
        if item.rrule and key:
            occurrence = selectors.occurrence_get(item, key)
            services.occurrence_cancel(
                request=request, access=access, appointment=item, original_start=occurrence.original_start
            )
        else:
            services.appointment_cancel(request=request, access=access, appointment=item)
    except PermissionError:
        raise Http404 from None
    messages.success(request, _("Cancelled. It stays in the agenda, struck through."))
    return redirect(_detail_url(item, key))


@login_required
@personal
@require_http_methods(["GET", "POST"])
@idempotent
def appointment_delete(request, network_id, appointment_id):
    """Remove one occurrence (``?op=``) or delete an item or whole series, after a question."""
    access = selectors.network_access(request, network_id, action="network.appointment.deleted")
    item = _editable(
        access, selectors.appointment_get(request, access, appointment_id, audited=request.method == "GET")
    )
    key = request.GET.get("op", "") if item.rrule else ""
    occurrence = selectors.occurrence_get(item, key)
    if request.method == "POST":
        try:
            if key:
                services.occurrence_remove(
                    request=request, access=access, appointment=item, original_start=occurrence.original_start
                )
            else:
                services.appointment_delete(request=request, access=access, appointment=item)
        except PermissionError:
            raise Http404 from None
        messages.success(request, _("Removed from the agenda."))
        day = local(occurrence.starts_at).date().isoformat()
        return redirect(reverse("network:agenda", kwargs={"network_id": network_id}) + f"?datum={day}")
    context = {"access": access, "appointment": item, "occurrence": occurrence, "one": bool(key)}
    return render(request, "network/appointment_delete.html", context)


# --- Tasks --------------------------------------------------------------------


TASK_TABS = {"open": "open", "mijn": "mine", "alle": "all"}  # ?toon= in the URL → task_list


@login_required
@personal
@require_GET
def tasks(request, network_id):
    """Who does what when: open help first (flagged for coordinators), my tasks, all tasks."""
    access = selectors.network_access(request, network_id, action="network.task.listed")
    tab = request.GET.get("toon", "open")
    if tab not in TASK_TABS:
        tab = "open"
    everything = request.GET.get("alles") == "1"
    rows, flagged = selectors.task_board(request, access, which=TASK_TABS[tab], everything=everything)
    context = {
        "access": access,
        "tab": tab,
        "tabs": TASK_TABS,
        "rows": rows,
        "flagged": flagged,
        "everything": everything,
    }
    return render(request, "network/tasks.html", context)


@login_required
@personal
@require_http_methods(["GET", "POST"])
@idempotent
def task_new(request, network_id):
    access = selectors.network_access(request, network_id, action="network.task.created", need="plans_tasks")
    form = forms.TaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starts_at, ends_at, all_day = services.task_times(
            day=data["day"], start=data["start_time"], end_day=data["last_day"],
            duration_minutes=data["duration_minutes"],
        )  # fmt: skip
        task = services.task_create(
            request=request, access=access, kind=data["kind"], title=data["title"], note=data["note"],
            starts_at=starts_at, ends_at=ends_at, all_day=all_day, duration_minutes=data["duration_minutes"],
        )  # fmt: skip
        messages.success(request, _("The task is in the list. Members can now say they will do it."))
        return redirect("network:task", network_id=network_id, task_id=task.pk)
    return render(request, "network/task_form.html", {"access": access, "form": form, "repeating": False})


@login_required
@personal
@require_http_methods(["GET", "POST"])
@idempotent
def activity_new(request, network_id):
    access = selectors.network_access(
        request, network_id, action="network.activity.created", need="plans_tasks"
    )
    form = forms.ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.activity_create(
            request=request, access=access, kind=data["kind"], title=data["title"], note=data["note"],
            starts_at=data["starts_at"], rrule=data["rrule"], all_day=data["all_day"],
            duration_minutes=data["duration_minutes"],
        )  # fmt: skip
        messages.success(
            request,
            ngettext("%(count)d task is in the list.", "%(count)d tasks are in the list.", data["count"])
            % {"count": data["count"]},
        )
        return redirect(reverse("network:tasks", kwargs={"network_id": network_id}) + "?toon=alle")
    context = {"access": access, "form": form, "repeating": True, "max_tasks": services.ACTIVITY_MAX_TASKS}
    return render(request, "network/task_form.html", context)


@login_required
@personal
@require_http_methods(["GET", "POST"])
@idempotent
def activity_edit(request, network_id, activity_id):
    """Change repeating help: future open tasks are made again; claimed ones stay (listed)."""
    access = selectors.network_access(
        request, network_id, action="network.activity.changed", need="plans_tasks"
    )
    activity = selectors.activity_get(request, access, activity_id, audited=request.method == "GET")
    form = forms.ActivityForm(request.POST or None, initial=forms.ActivityForm.initial_for(activity))
    kept = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {k: data[k] for k in ("kind", "title", "note", "starts_at", "rrule", "all_day")}
        kept = services.activity_update(
            request=request,
            access=access,
            activity=activity,
            duration_minutes=data["duration_minutes"],
            **fields,
        )
        if not kept:
            messages.success(request, _("Saved. The tasks to come follow the new plan."))
            return redirect(reverse("network:tasks", kwargs={"network_id": network_id}) + "?toon=alle")
    if kept is None:  # kept tasks listed after a change: the service's row is the one
        selectors.reshown(request, access, action="network.activity.viewed", obj=activity)
    context = {"access": access, "form": form, "repeating": True, "activity": activity, "kept": kept}
    return render(request, "network/task_form.html", context)


@login_required
@personal
@require_POST
@idempotent
def activity_cancel(request, network_id, activity_id):
    access = selectors.network_access(
        request, network_id, action="network.activity.cancelled", need="plans_tasks"
    )
    activity = selectors.activity_get(request, access, activity_id, audited=False)
    kept = services.activity_cancel(request=request, access=access, activity=activity)
    messages.success(request, _("The repeating help has stopped. Open tasks to come are cancelled."))
    if kept:
        messages.warning(
            request,
            ngettext(
                "%(count)d task that someone already does is kept. Tell them yourself if it is not needed.",
                "%(count)d tasks that someone already does are kept. Tell them yourself if they are not needed.",
                len(kept),
            )
            % {"count": len(kept)},
        )
    return redirect(reverse("network:tasks", kwargs={"network_id": network_id}) + "?toon=alle")


def _task_page(request, access, task, *, status=200, refused="", taken_by=None):
    context = {
        "access": access,
        "task": task,
        "plan_changed": selectors.plan_changed(task),
        "mine": task.claimed_by_id == access.membership.pk,
        "refused": refused,  # the action that could not be done (409), with who has the task
        "taken_by": taken_by,
    }
    return render(request, "network/task.html", context, status=status)


@login_required
@personal
@require_GET
def task(request, network_id, task_id):
    access = selectors.network_access(request, network_id, action="network.task.viewed")
    return _task_page(request, access, selectors.task_get(request, access, task_id))


@login_required
@personal
@require_http_methods(["GET", "POST"])
@idempotent
def task_edit(request, network_id, task_id):
    access = selectors.network_access(request, network_id, action="network.task.changed", need="plans_tasks")
    found = selectors.task_get(request, access, task_id, audited=request.method == "GET")
    local_start, local_end = found.starts_at.astimezone(TZ), found.ends_at.astimezone(TZ)
    last = (local_end - dt.timedelta(days=1)).date() if found.all_day else None
    initial = {
        "kind": found.kind, "title": found.title, "note": found.note, "day": local_start.date(),
        "last_day": last if last and last != local_start.date() else None,
        "start_time": None if found.all_day else local_start.time(),
        "end_time": None if found.all_day else local_end.time(),
        "hours": Decimal(found.duration_minutes) / 60 if found.all_day else None,
    }  # fmt: skip
    form = forms.TaskForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starts_at, ends_at, all_day = services.task_times(
            day=data["day"], start=data["start_time"], end_day=data["last_day"],
            duration_minutes=data["duration_minutes"],
        )  # fmt: skip
        services.task_update(
            request=request, access=access, task=found, kind=data["kind"], title=data["title"],
            note=data["note"], starts_at=starts_at, ends_at=ends_at, all_day=all_day,
            duration_minutes=data["duration_minutes"],
        )  # fmt: skip
        messages.success(request, _("Saved."))
        return redirect("network:task", network_id=network_id, task_id=task_id)
    selectors.reshown(request, access, action="network.task.viewed", obj=found)
    context = {"access": access, "form": form, "repeating": False, "task": found}
    return render(request, "network/task_form.html", context)


# What each button on a task page does: the service, the capability it needs, the message.
TASK_ACTIONS = {
    "nemen": (services.task_claim, "claims_tasks", "network.task.claimed", _("You do this task. Thank you!")),
    "teruggeven": (services.task_release, "", "network.task.released", _("You handed the task back. It is open again.")),
    "vervanger-gezocht": (
        services.task_request_standin, "", "network.task.standin_requested",
        _("We show the others that you look for someone to take over. Until then, the task is still yours."),
    ),
    "gedaan": (services.task_done, "", "network.task.done", _("Marked as done. Thank you!")),
    "annuleren": (services.task_cancel, "plans_tasks", "network.task.cancelled", _("The task is cancelled.")),
}  # fmt: skip


@login_required
@personal
@require_POST
@idempotent
def task_action(request, network_id, task_id, action):
    """One button on a task: claim, hand back, ask for a stand-in, done, cancel. A claim that
    loses answers 409 with who has the task."""
    if action not in TASK_ACTIONS:
        raise Http404
    service, need, audit_action, message = TASK_ACTIONS[action]
    access = selectors.network_access(request, network_id, action=audit_action, need=need)
    found = selectors.task_get(request, access, task_id, audited=False)  # the service's row
    try:
        service(request=request, access=access, task=found)
    except services.TaskTaken as taken:  # its refusal row is the one row
        current = selectors.task_get(request, access, task_id, audited=False)
        return _task_page(request, access, current, status=409, refused=action, taken_by=taken.holder)
    messages.success(request, message)
    return redirect("network:task", network_id=network_id, task_id=task_id)


@login_required
@personal
@require_GET
def load(request, network_id):
    """How the load is spread: per member tasks done and hours, 4 and 12 weeks, chart and table."""
    access = selectors.network_access(request, network_id, action="network.load.viewed")
    rows = selectors.load_spread(request, access)
    mine = next((r for r in rows if r.member.pk == access.membership.pk), None)
    top = max([r.hours_12 for r in rows] + [0])
    context = {
        "access": access,
        "rows": rows,
        "chart": [{"row": r, "pct_4": _pct(r.hours_4, top), "pct_12": _pct(r.hours_12, top)} for r in rows],
        "anything": any(r.tasks_12 for r in rows),
        "mine": mine,
        "my_week_hours": selectors.care_hours_per_week(request.user) if access.main_carer else None,
    }
    return render(request, "network/load.html", context)


def _pct(value: float, top: float) -> int:
    """A bar's length in percent of the longest; at least 1 for any hours so it stays visible."""
    if not value or not top:
        return 0
    return max(1, round(100 * value / top))


# --- Calendar feed -------------------------------------------------------------


# The reminder choices on the feed page (minutes before; "" none); the feed takes any 0..10080.
FEED_ALARMS = {"": None, "30": 30, "60": 60, "1440": 1440}


def _feed_url(request, token: str | None, alarm: str) -> str:
    if not token:
        return ""
    url = request.build_absolute_uri(reverse("network:feed_ics", kwargs={"token": token}))
    return url + (f"?alarm={alarm}" if alarm else "")


@login_required
@personal
@require_GET
def feed(request, network_id):
    """My calendar link: how to subscribe, with a reminder of my choice; renew or revoke it."""
    access = selectors.network_access(request, network_id, action="network.feed.viewed")
    alarm = request.GET.get("alarm", "")
    alarm = alarm if alarm in FEED_ALARMS else ""
    url = _feed_url(request, selectors.my_feed_token(request, access), alarm)
    context = {
        "access": access,
        "feed_url": url,
        "webcal_url": "webcal://" + url.split("://", 1)[1] if url else "",
        "alarm": alarm,
        "alarms": [
            ("", _("No reminder")),
            ("30", _("30 minutes before")),
            ("60", _("1 hour before")),
            ("1440", _("1 day before")),
        ],
    }
    return render(request, "network/feed.html", context)


@login_required
@personal
@require_POST
@idempotent
def feed_renew(request, network_id):
    """Make my calendar link, or a new one (the old one stops working at once)."""
    access = selectors.network_access(request, network_id, action="network.feed.renewed")
    had_one = bool(access.membership.feed_token)
    services.feed_token_renew(request=request, access=access)
    if had_one:
        messages.success(request, _("You have a new calendar link. The old link no longer works."))
    else:
        messages.success(request, _("Your calendar link is ready."))
    return redirect("network:feed", network_id=network_id)


@login_required
@personal
@require_POST
@idempotent
def feed_revoke(request, network_id):
    access = selectors.network_access(request, network_id, action="network.feed.revoked")
    services.feed_token_revoke(request=request, access=access)
    messages.success(request, _("Your calendar link no longer works."))
    return redirect("network:feed", network_id=network_id)


@require_safe
def feed_ics(request, token):
    """The feed itself, for calendar apps: no login, the token is the key (404 when it opens
    nothing, from the very next request after it was revoked or renewed)."""
    try:
        alarm = feeds.parse_alarm(request.GET.get("alarm"))
    except ValueError:
        message = _("alarm must be a number of minutes from 0 to 10080, or left out.")
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    membership = feeds.feed_for_token(request, token)
    if membership is None:
        raise Http404
    body = feeds.feed(membership, alarm=alarm, language=settings.LANGUAGE_CODE)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="zorgnetwerk.ics"'
    return mark_personal(response)
