"""The ``respite_expire_holds`` command: lapsed holds and offers expire, the freed nights go to the
waiting list, a second run does nothing, and the output holds counts only."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from conftest import make_user
from mantelzorg.accounts.models import Role
from mantelzorg.core import geo
from mantelzorg.core.models import LogEntry
from mantelzorg.respite import availability, services
from mantelzorg.respite.models import Funding, Stay, WaitingEntry

from .factories import days, make_house, request_for

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("respite_expire_holds", *args, stdout=out)
    return out.getvalue()


def test_lapsed_holds_expire_once_and_the_waiting_list_gets_the_nights():
    service, _ = make_house(units=1)
    alice = make_user("alice@example.org", Role.CAREGIVER)
    bob = make_user("bob@example.org", Role.CAREGIVER)
    guest = services.guest_save(owner=alice, postcode="3511", name="Voorbeeld Mien")
    stay = services.stay_request(
        request=request_for(alice), service=service, arrival=days(5), departure=days(7), guest=guest,
        funding=Funding.WMO,
    )  # fmt: skip
    search = availability.Search(
        place=geo.resolve_postcode("3511"), arrival=days(5), departure=days(7), funding=Funding.PRIVATE
    )
    services.waiting_join(request=request_for(bob), search=search, guest=None, kind=stay.unit.kind)
    assert (
        run()
        == "Respite holds expired: 0 requests, 0 waiting-list offers; new offers made: 0; changes pruned: 0\n"
    )
    later = (timezone.now() + dt.timedelta(hours=49)).isoformat()
    output = run("--now", later)
    assert (
        output
        == "Respite holds expired: 1 requests, 0 waiting-list offers; new offers made: 1; changes pruned: 0\n"
    )
    assert "Mien" not in output and "alice" not in output
    stay.refresh_from_db()
    assert stay.state == Stay.State.EXPIRED
    offer = Stay.objects.get(state=Stay.State.OFFERED)
    assert offer.requested_by == bob and WaitingEntry.objects.get().state == WaitingEntry.State.OFFERED
    assert LogEntry.objects.filter(action="respite.hold.expired").count() == 1
    assert (
        run("--now", later)
        == "Respite holds expired: 0 requests, 0 waiting-list offers; new offers made: 0; changes pruned: 0\n"
    )
    # The offer lapses in its turn (24 hours).
    even_later = (timezone.now() + dt.timedelta(hours=49 + 25)).isoformat()
    assert run("--now", even_later).startswith("Respite holds expired: 0 requests, 1 waiting-list offers")


@pytest.mark.parametrize("value", ["tomorrow", "2027-03-14T07:00"])
def test_a_bad_now_is_refused(value):
    with pytest.raises(CommandError):
        run("--now", value)
