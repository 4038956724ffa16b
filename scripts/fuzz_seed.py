"""The setup of scripts/fuzz_api.py in its fresh database, after load_demo_data; run there as
``manage.py shell -c <this file's text>``, never on its own. Prints one JSON line: the session
of the demo caregiver, a CSRF token and the real ids of each kind (five or so each), so that the
detail operations answer for real (200, and for a claim 409) in half of their cases.

The care network operations get two networks the demo caregiver is an active member of:

- the demo network around "Voorbeeld Mien" (``network.demo``), where she coordinates;
- one seeded here, "Voorbeeld Fuzz", where she is an ordinary member (so the CareTeam leaves out
  contact details and the agenda shows another role's view): a weekly series since 1990 without
  an end (a window anywhere in 1990-2999 has occurrences), a moved and a cancelled occurrence of
  it, a daily series with COUNT, a one-off and an all-day item over several days, and a task in
  every state: open, taken by someone else, taken with a stand-in request, done, cancelled.

The claim gets nine tasks of both: taken by someone else (409 taken), done and cancelled (409),
a stand-in request (taken over: 200), open ones (the first claim is a 200, every next one by her
too). The fuzzer sends the session cookie with a ``csrftoken`` cookie and the same value as
``X-CSRFToken``, as the site's own JavaScript does (DRF ``SessionAuthentication`` checks it).
"""

import datetime as dt
import json

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from django.utils.crypto import get_random_string

from mantelzorg.accounts.models import User
from mantelzorg.assessment.demo import DEMO_EMAIL
from mantelzorg.assessment.models import SavedCheck
from mantelzorg.directory import models as d
from mantelzorg.network import demo as network_demo
from mantelzorg.network.models import (
    Appointment,
    Kind,
    Membership,
    Network,
    OccurrenceChange,
    Relation,
    Role,
    Task,
    TaskKind,
)
from mantelzorg.network.recurrence import TZ, starts

user = User.objects.get(email=DEMO_EMAIL)
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
# CsrfViewMiddleware takes a 32-character secret (letters and digits) as the cookie and the same
# value, unmasked, as the header.
csrf = get_random_string(32)

now = timezone.now()
today = timezone.localdate(timezone=TZ)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


demo = Network.objects.get(recipient_name=network_demo.RECIPIENT)
assert Membership.objects.filter(network=demo, user=user, ended_at__isnull=True).exists()

fuzz = Network.objects.create(recipient_name="Voorbeeld Fuzz", recipient_pc4="3511")
bram = Membership.objects.create(
    network=fuzz,
    user=User.objects.get(email="mantelzorger2@example.nl"),
    role=Role.COORDINATOR,
    relation=Relation.CHILD,
    sees_private=True,
    phone="06 1111 2222",
)
anna = Membership.objects.create(network=fuzz, user=user, role=Role.MEMBER, relation=Relation.FRIEND)


def appointment(title, start, minutes, rrule="", **fields):
    return Appointment.objects.create(
        network=fuzz,
        kind=fields.pop("kind", Kind.APPOINTMENT),
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        rrule=rrule,
        created_by=bram,
        **fields,
    )


weekly = appointment(
    "Koffie bij de buren", at(dt.date(1990, 1, 2), 10), 90, "FREQ=WEEKLY;BYDAY=TU,SA", place="Buurthuis"
)
weekly.goers.set([anna, bram])
moved, cancelled = starts(weekly.rrule, weekly.starts_at, at(today, 0), at(today + dt.timedelta(days=30), 0))[
    :2
]
OccurrenceChange.objects.create(
    appointment=weekly,
    original_start=moved,
    starts_at=moved + dt.timedelta(hours=2),
    ends_at=moved + dt.timedelta(hours=3, minutes=30),
    title="Koffie, later",
    sequence=1,
)
OccurrenceChange.objects.create(appointment=weekly, original_start=cancelled, state="cancelled", sequence=1)
appointment(
    "Thuiszorg", at(today - dt.timedelta(days=20), 8), 30, "FREQ=DAILY;COUNT=60", kind=Kind.PROFESSIONAL_VISIT
)
appointment("Tandarts", at(today + dt.timedelta(days=6), 15, 30), 30, note="Pasje meenemen")
appointment(
    "Logeren",
    at(today + dt.timedelta(days=14), 0),
    3 * 24 * 60,
    kind=Kind.RESPITE,
    all_day=True,
)


def task(title, days, status=Task.Status.OPEN, claimer=None, **fields):
    start = at(today + dt.timedelta(days=days), 14)
    return Task.objects.create(
        network=fuzz,
        kind=fields.pop("kind", TaskKind.SHOPPING),
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        status=status,
        claimed_by=claimer,
        claimed_at=now if claimer else None,
        created_by=bram,
        **fields,
    )


# Those that stay a 409 first: schemathesis draws the first values of a dictionary most often, and
# an open task is the caller's own (200) from its first claim on.
fuzz_tasks = [
    task("Naar de huisarts rijden", 3, Task.Status.CLAIMED, bram, kind=TaskKind.DRIVING),
    task("Soep koken", -3, Task.Status.DONE, bram, done_at=now, kind=TaskKind.COOKING),
    task("Tuin", 5, Task.Status.CANCELLED),
    task("Post ophalen", 4, Task.Status.CLAIMED, bram, standin_requested_at=now),
    task("Boodschappen", 2),
    task("Ramen lappen", 9, kind=TaskKind.HOUSEHOLD),
]
demo_open = Task.objects.filter(network=demo, status=Task.Status.OPEN).order_by("starts_at")[:2]
demo_taken = Task.objects.filter(
    network=demo, status=Task.Status.CLAIMED, standin_requested_at__isnull=True
).exclude(claimed_by__user=user)[:1]


# Respite (issue 15): a logeerhuis with three beds and stays of the demo caregiver: three held
# requests (cancel: 200, then 409; accept: 409; read: 200) and two waiting-list offers (accept:
# 200, then 409). Confirm and decline are the provider's: 404 for her.
from mantelzorg.respite import services as respite_services  # noqa: E402
from mantelzorg.respite.models import Funding as RespiteFunding  # noqa: E402
from mantelzorg.respite.models import Stay  # noqa: E402
from mantelzorg.respite.tests.factories import make_house, request_for  # noqa: E402

house, _ = make_house("Voorbeeld Logeerhuis Fuzz", units=3)
respite_stays = [
    respite_services.stay_request(
        request=request_for(user),
        service=house,
        arrival=today + dt.timedelta(days=10 + 3 * n),
        departure=today + dt.timedelta(days=12 + 3 * n),
        guest=None,
        funding=RespiteFunding.PRIVATE,
    )
    for n in range(5)
]
Stay.objects.filter(pk__in=[s.pk for s in respite_stays[3:]]).update(
    state=Stay.State.OFFERED, hold_until=now + dt.timedelta(hours=24)
)


def ids(qs):
    return [str(i) for i in qs.order_by("id").values_list("id", flat=True)[:5]]


published = d.Service.objects.published()
print(
    json.dumps(
        {
            "session": session.session_key,
            "csrf": csrf,
            "service": ids(published),
            "organization": ids(d.Organization.objects.published()),
            "service_at_location": ids(d.ServiceAtLocation.objects.filter(service__in=published)),
            "taxonomy": ids(d.Taxonomy.objects),
            "taxonomy_term": ids(d.TaxonomyTerm.objects),
            "check": ids(SavedCheck.objects.filter(owner=user)),
            "network": [str(demo.pk), str(fuzz.pk)],
            "task": [str(t.pk) for t in [*fuzz_tasks[:3], *demo_taken, *fuzz_tasks[3:], *demo_open]],
            "stay": [str(s.pk) for s in respite_stays],
        }
    )
)
