"""Pages of the care network (``/netwerk/``). Each view: decorators → selector (access, audit) →
form → service → render or redirect. Outsiders get 404 from ``selectors.network_access``."""

from __future__ import annotations

import datetime as dt
import itertools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from mantelzorg.core.http import mark_personal, personal
from mantelzorg.core.idempotency import idempotent

from . import feeds, forms, selectors, services
from .models import Membership
from .recurrence import TZ


def _member(access, member_id) -> Membership:
    member = (
        Membership.objects.select_related("user")
        .filter(pk=member_id, network=access.network, ended_at__isnull=True)
        .first()
    )
    if member is None:
        raise Http404
    return member


# --- The network and its members ----------------------------------------------------------


@login_required
@personal
@require_GET
def network_list(request):
    """My networks, with my role in each, and a way to open one."""
    rows = selectors.network_list_for_user(request.user)
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
    access = selectors.network_access(request, network_id, action="network.agenda.viewed")
    today = timezone.localdate(timezone=TZ)
    start = dt.datetime.combine(today, dt.time(), tzinfo=TZ)
    occurrences = selectors.agenda(request, access, start, start + dt.timedelta(days=7))
    days = [
        (day, list(items))
        for day, items in itertools.groupby(
            occurrences, key=lambda o: max(o.starts_at, start).astimezone(TZ).date()
        )
    ]
    open_tasks = selectors.open_tasks(request, access, limit=5)
    return render(
        request,
        "network/home.html",
        {"access": access, "days": days, "open_tasks": open_tasks, "today": today},
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
    found = selectors.invitation_by_token(token)
    if found is None:
        return render(request, "network/invitation_unusable.html", status=404)
    if request.method == "POST" and request.user.is_authenticated:
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
    member = _member(access, member_id)
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
    return render(request, "network/member_edit.html", {"access": access, "member": member, "form": form})


@login_required
@personal
@require_POST
@idempotent
def member_remove(request, network_id, member_id):
    access = selectors.network_access(request, network_id, action="network.member.removed", need="manages")
    member = _member(access, member_id)
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
    network = access.network
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
    return render(request, "network/settings.html", {"access": access, "form": form})


@login_required
@personal
@require_http_methods(["GET", "POST"])
@idempotent
def my_settings(request, network_id):
    """My own settings in this network: phone number and reminders."""
    access = selectors.network_access(request, network_id, action="network.member.changed")
    member = access.membership
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
    return render(request, "network/my_settings.html", {"access": access, "form": form})


# --- Diary ----------------------------------------------------------------------------------


@login_required
@personal
@require_http_methods(["GET", "POST"])
@idempotent
def diary(request, network_id):
    access = selectors.network_access(request, network_id, action="network.diary.viewed", need="sees_diary")
    form = forms.DiaryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.diary_add(request=request, access=access, text=form.cleaned_data["text"])
        messages.success(request, _("Added to the diary."))
        return redirect("network:diary", network_id=network_id)
    entries = selectors.diary_list(request, access)
    return render(request, "network/diary.html", {"access": access, "form": form, "entries": entries})


# --- Agenda (helper: agenda) ------------------------------------------------------------------


def agenda(request, network_id):  # placeholder until the agenda pages land
    raise Http404


# --- Tasks (helper: tasks) --------------------------------------------------------------------


def tasks(request, network_id):  # placeholder until the task pages land
    raise Http404


def load(request, network_id):  # placeholder until the load overview lands
    raise Http404


# --- Calendar feed (helper: feed) -------------------------------------------------------------


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
    url = _feed_url(request, access.membership.feed_token, alarm)
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
