"""The network's part of a person's data (core.personal_data): their memberships, the tasks they
claimed, their diary entries, the appointments they go to and the invitations sent to their
address.

Erasure keeps what the rest of the network needs and removes the person from it: each membership
is ended and loses its account, phone and feed (it then shows as "oud-lid", former member), so a
diary entry they wrote stays with "oud-lid" as its author and their done tasks stay in the load
overview without a name. Open tasks they had claimed become open again. A network in which they
were the only coordinator gets a new coordinator (the longest-standing caregiver, else member);
a network with nobody left in it is removed with everything in it."""

from __future__ import annotations

from mantelzorg.core import personal_data


def export(user) -> dict:
    from .models import DiaryEntry, Invitation, Membership, Task

    memberships = list(
        Membership.objects.filter(user=user).select_related("network").order_by("joined_at", "pk")
    )
    ids = [m.pk for m in memberships]
    return {
        "memberships": [
            {
                "network": str(m.network_id),
                "person_cared_for": m.network.recipient_name,
                "role": m.role,
                "relation": m.relation,
                "phone": m.phone,
                "sees_diary_and_contacts": m.sees_private,
                "reminders": m.reminders,
                "reminder_a_week_before": m.remind_week_before,
                "calendar_feed": bool(m.feed_token),
                "joined_at": m.joined_at.isoformat(),
                "ended_at": m.ended_at.isoformat() if m.ended_at else None,
                "goes_to": [str(a) for a in m.appointments.values_list("id", flat=True)],
            }
            for m in memberships
        ],
        "tasks_claimed": [
            {
                "id": str(t.id),
                "network": str(t.network_id),
                "title": t.title,
                "starts_at": t.starts_at.isoformat(),
                "status": t.status,
                "claimed_at": t.claimed_at.isoformat() if t.claimed_at else None,
            }
            for t in Task.objects.filter(claimed_by__in=ids).order_by("starts_at", "pk")
        ],
        "diary_entries": [
            {"network": str(e.network_id), "created_at": e.created_at.isoformat(), "text": e.text}
            for e in DiaryEntry.objects.filter(author__in=ids).order_by("created_at", "pk")
        ],
        "invitations_to_you": [
            {"network": str(i.network_id), "created_at": i.created_at.isoformat(), "role": i.role}
            for i in Invitation.objects.filter(email__iexact=user.email).order_by("created_at")
        ],
    }


def erase(user, request) -> None:
    from . import services

    services.person_erase(user=user, request=request)


PROVIDER = personal_data.Provider(
    app="network",
    export=export,
    erase=erase,
    models=("network.Membership", "network.Invitation"),
)
