"""The shared agenda through its pages: adding a weekly series, seeing it in the month, week and
list views, moving, cancelling and removing one occurrence, "this and following", the whole
series, who may add which kind, 404 for outsiders, one audit row per read and change, and query
budgets that do not grow with the number of series."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mantelzorg.core.models import LogEntry
from mantelzorg.network import recurrence
from mantelzorg.network.models import Appointment, Kind, OccurrenceChange, Role
from mantelzorg.network.recurrence import TZ

from . import factories

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2027, 3, 1)  # four Mondays before the change of clock on 28 March, then summer time


def at(day, hour=10, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


@pytest.fixture(autouse=True)
def english(client):
    """The pages in English (the msgids), whatever the translations say."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def world(cast):
    net = factories.network(cast.caregiver)
    member = factories.member(net, cast.network_member)
    professional = factories.member(net, cast.professional, role=Role.PROFESSIONAL, relation="professional")
    other = factories.network(cast.other_caregiver, name="Kees")
    return {"net": net, "member": member, "professional": professional, "other": other}


def url(net, rest=""):
    return f"/netwerk/{net.pk}/agenda/{rest}"


def form(**fields):
    data = {
        "kind": "appointment",
        "title": "Dagbesteding",
        "date": MONDAY.isoformat(),
        "start_time": "10:00",
        "end_time": "11:30",
        "place": "De Linde",
        "note": "",
        "repeat": "",
        "interval": "1",
        "ends": "never",
    }
    data.update(fields)
    return data


def weekly(client, net, **fields):
    response = client.post(url(net, "nieuw/"), form(repeat="WEEKLY", weekdays=["MO"], **fields))
    assert response.status_code == 302, response.content.decode()[:3000]
    return Appointment.objects.latest("created_at")


def key(value):
    return recurrence.occurrence_key(value)


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


# --- Adding and seeing ------------------------------------------------------------------------


def test_a_weekly_series_is_added_and_shown_in_the_month_week_and_list(cast, login_as, world):
    net = world["net"]
    client = login_as(cast.caregiver)
    series = weekly(client, net, goers=[str(world["member"].pk)], ends="count", count="10")
    assert series.rrule == "FREQ=WEEKLY;BYDAY=MO;COUNT=10"
    assert series.created_by.user == cast.caregiver and list(series.goers.all()) == [world["member"]]
    assert series.starts_at == at(MONDAY) and series.ends_at == at(MONDAY, 11, 30)
    month = page(client, url(net, "?weergave=maand&datum=2027-03-15"))
    assert month.count("Dagbesteding") == 5  # 1, 8, 15, 22, 29 March
    assert 'class="mz-month"' in month and "charlie" in month
    # After the change of clock still at 10:00.
    assert f"?op={key(at(dt.date(2027, 3, 29)))}" in month
    assert key(at(dt.date(2027, 3, 29))) == "20270329T080000Z"
    week = page(client, url(net, "?weergave=week&datum=2027-03-31"))
    assert week.count("Dagbesteding") == 1 and "10:00" in week and "11:30" in week
    listing = page(client, url(net, "?datum=2027-03-01"))
    assert listing.count("Dagbesteding") == 2  # 14 days
    assert "?weergave=lijst&amp;datum=2027-03-15" in listing  # later
    detail = page(client, url(net, f"{series.pk}/?op={key(at(dt.date(2027, 3, 8)))}"))
    assert "Every week on monday, 10 times" in detail and "De Linde" in detail and "charlie" in detail


def test_weekly_without_a_weekday_repeats_on_the_day_of_the_first_date(cast, login_as, world):
    client = login_as(cast.caregiver)
    response = client.post(url(world["net"], "nieuw/"), form(repeat="WEEKLY", date="2027-03-04"))
    assert response.status_code == 302
    assert Appointment.objects.get().rrule == "FREQ=WEEKLY;BYDAY=TH"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"end_time": "09:00"}, "end_time", "The end is before the start"),
        ({"repeat": "DAILY", "ends": "until", "until": "2027-02-01"}, "until", "The last date is before"),
        ({"repeat": "DAILY", "ends": "until"}, "until", "Fill in the last date"),
        ({"repeat": "DAILY", "ends": "count"}, "count", "Fill in how many times"),
        ({"repeat": "DAILY", "interval": "53"}, "interval", "from 1 to 52"),
        ({"start_time": ""}, "start_time", "Fill in a start time"),
        ({"title": ""}, "title", "Fill in what it is"),
        ({"all_day": "on", "end_date": "2027-02-27"}, "end_date", "The last day is before"),
    ],
)
def test_form_errors_are_shown_beside_the_field(cast, login_as, world, fields, field, message):
    client = login_as(cast.caregiver)
    response = client.post(url(world["net"], "nieuw/"), form(**fields))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Appointment.objects.exists()


def test_an_all_day_item_of_several_days_is_on_each_day(cast, login_as, world):
    net = world["net"]
    client = login_as(cast.caregiver)
    response = client.post(
        url(net, "nieuw/"),
        form(kind="respite", title="Logeeropvang", all_day="on", date="2027-03-26", end_date="2027-03-29"),
    )
    assert response.status_code == 302
    item = Appointment.objects.get()
    assert item.all_day and item.ends_at == dt.datetime(2027, 3, 30, tzinfo=TZ)
    month = page(client, url(net, "?weergave=maand&datum=2027-03-01"))
    assert month.count("Logeeropvang") == 4 and "mz-item--respite" in month and "Respite care" in month


# --- One occurrence ---------------------------------------------------------------------------


def test_one_occurrence_is_moved_without_changing_the_series(cast, login_as, world):
    net = world["net"]
    client = login_as(cast.caregiver)
    series = weekly(client, net)
    original = at(dt.date(2027, 3, 8))
    edit = url(net, f"{series.pk}/wijzigen/?welke=deze&op={key(original)}")
    assert page(client, edit).count('value="2027-03-08"') == 1
    response = client.post(edit, form(date="2027-03-09", start_time="14:00", end_time="15:00", title="Later"))
    assert response.status_code == 302
    assert response["Location"] == url(net, f"{series.pk}/?op={key(original)}")
    change = OccurrenceChange.objects.get()
    assert (change.original_start, change.starts_at, change.title) == (
        original,
        at(dt.date(2027, 3, 9), 14),
        "Later",
    )
    assert change.place == ""  # as the series
    week = page(client, url(net, "?weergave=week&datum=2027-03-08"))
    assert "Later" in week and "14:00" in week and "Dagbesteding" not in week
    series.refresh_from_db()
    assert series.rrule == "FREQ=WEEKLY;BYDAY=MO" and series.sequence == 1


def test_one_day_of_an_all_day_series_is_moved(cast, login_as, world):
    net = world["net"]
    client = login_as(cast.caregiver)
    response = client.post(
        url(net, "nieuw/"), form(kind="time_off", all_day="on", start_time="", end_time="", repeat="WEEKLY")
    )
    assert response.status_code == 302
    series = Appointment.objects.get()
    assert series.all_day and series.rrule == "FREQ=WEEKLY;BYDAY=MO"
    original = dt.datetime(2027, 3, 8, tzinfo=TZ)
    edit = url(net, f"{series.pk}/wijzigen/?welke=deze&op={key(original)}")
    response = client.post(edit, {"title": "Vrij", "date": "2027-03-10", "start_time": "", "end_time": ""})
    assert response.status_code == 302, response.context["form"].errors
    change = OccurrenceChange.objects.get()
    assert change.starts_at == dt.datetime(2027, 3, 10, tzinfo=TZ) and change.ends_at == dt.datetime(
        2027, 3, 11, tzinfo=TZ
    )


def test_one_occurrence_is_cancelled_and_stays_visible_struck_through(cast, login_as, world):
    net = world["net"]
    client = login_as(cast.caregiver)
    series = weekly(client, net)
    original = at(dt.date(2027, 3, 15))
    response = client.post(url(net, f"{series.pk}/afzeggen/"), {"op": key(original)})
    assert response.status_code == 302
    assert OccurrenceChange.objects.get().state == "cancelled"
    week = page(client, url(net, "?weergave=week&datum=2027-03-15"))
    assert "mz-item--cancelled" in week and "Cancelled" in week and "Dagbesteding" in week
    other_week = page(client, url(net, "?weergave=week&datum=2027-03-22"))
    assert "mz-item--cancelled" not in other_week
    detail = page(client, url(net, f"{series.pk}/?op={key(original)}"))
    assert "Cancel only this time" not in detail and "Cancelled" in detail


def test_one_occurrence_is_removed_after_a_question(cast, login_as, world):
    net = world["net"]
    client = login_as(cast.caregiver)
    series = weekly(client, net)
    delete = url(net, f"{series.pk}/verwijderen/?op={key(at(dt.date(2027, 3, 15)))}")
    assert "Remove only this time?" in page(client, delete)
    assert client.post(delete).status_code == 302
    assert OccurrenceChange.objects.get().state == "removed"
    assert "Dagbesteding" not in page(client, url(net, "?weergave=week&datum=2027-03-15"))
    assert client.get(url(net, f"{series.pk}/?op={key(at(dt.date(2027, 3, 15)))}")).status_code == 404
    assert (
        client.get(url(net, f"{series.pk}/?op={key(at(dt.date(2027, 3, 16)))}")).status_code == 404
    )  # no such


def test_a_single_item_is_cancelled_then_deleted(cast, login_as, world):
    net = world["net"]
    client = login_as(cast.caregiver)
    assert client.post(url(net, "nieuw/"), form()).status_code == 302
    item = Appointment.objects.get()
    assert client.post(url(net, f"{item.pk}/afzeggen/")).status_code == 302
    item.refresh_from_db()
    assert item.status == "cancelled" and item.sequence == 1
    assert "mz-item--cancelled" in page(client, url(net, "?datum=2027-03-01"))
    assert client.post(url(net, f"{item.pk}/verwijderen/")).status_code == 302
    assert not Appointment.objects.exists()


# --- This and following; the whole series -----------------------------------------------------


def test_this_and_following_splits_the_series_and_recomputes_count(cast, login_as, world):
    net = world["net"]
    client = login_as(cast.caregiver)
    series = weekly(client, net, ends="count", count="10")
    moved = at(dt.date(2027, 4, 5))
    client.post(url(net, f"{series.pk}/afzeggen/"), {"op": key(at(dt.date(2027, 3, 8)))})  # before: stays
    client.post(url(net, f"{series.pk}/afzeggen/"), {"op": key(at(dt.date(2027, 4, 12)))})  # after: moves
    split = at(dt.date(2027, 3, 29))
    edit = url(net, f"{series.pk}/wijzigen/?welke=vanaf&op={key(split)}")
    shown = page(client, edit)
    assert 'name="count" value="6"' in shown and 'value="2027-03-29"' in shown
    response = client.post(
        edit,
        form(
            date="2027-03-29",
            start_time="11:00",
            end_time="12:00",
            repeat="WEEKLY",
            weekdays=["MO"],
            ends="count",
            count="6",
        ),
    )
    assert response.status_code == 302
    new = Appointment.objects.get(split_from=series)
    series.refresh_from_db()
    assert series.rrule == "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270328T215959Z" and series.sequence == 3
    assert new.rrule == "FREQ=WEEKLY;BYDAY=MO;COUNT=6" and new.starts_at == at(split.date(), 11)
    assert list(series.changes.values_list("original_start", flat=True)) == [at(dt.date(2027, 3, 8))]
    assert list(new.changes.values_list("original_start", "state")) == [
        (at(dt.date(2027, 4, 12), 11), "cancelled")
    ]
    every = [
        o.starts_at
        for o in recurrence.occurrences(
            Appointment.objects.prefetch_related("changes"),
            at(MONDAY, 0),
            at(MONDAY, 0) + dt.timedelta(days=200),
        )
    ]
    assert (
        len(every) == 10
        and every[4] == at(split.date(), 11)
        and moved in [o - dt.timedelta(hours=1) for o in every]
    )


def test_this_and_following_keeps_the_series_end_by_the_service(cast, rf, world):
    """Without a new rule the new series repeats as the old one, with the times it had left."""
    from mantelzorg.network import services
    from mantelzorg.network.selectors import Access

    net = world["net"]
    access = Access(network=net, membership=factories.membership(net, cast.caregiver))
    request = rf.post("/")
    request.user = cast.caregiver
    series = factories.appointment(net, start=at(MONDAY), rrule="FREQ=WEEKLY;COUNT=10")
    new = services.appointment_update_following(
        request=request,
        access=access,
        appointment=series,
        original_start=at(dt.date(2027, 3, 22)),
        title="Nieuw",
    )
    assert (
        new.rrule == "FREQ=WEEKLY;COUNT=7"
        and new.title == "Nieuw"
        and new.ends_at - new.starts_at == dt.timedelta(hours=1)
    )
    with pytest.raises(ValueError):  # not an occurrence
        services.appointment_update_following(
            request=request, access=access, appointment=new, original_start=at(dt.date(2027, 3, 23))
        )


def test_changing_the_whole_series_carries_the_changed_occurrences_along(cast, login_as, world):
    net = world["net"]
    client = login_as(cast.caregiver)
    series = weekly(client, net)
    client.post(url(net, f"{series.pk}/afzeggen/"), {"op": key(at(dt.date(2027, 3, 15)))})
    edit = url(net, f"{series.pk}/wijzigen/")
    assert 'value="WEEKLY" selected' in page(client, edit)
    response = client.post(edit, form(start_time="09:00", end_time="10:00", repeat="WEEKLY", weekdays=["MO"]))
    assert response.status_code == 302
    assert list(OccurrenceChange.objects.values_list("original_start", flat=True)) == [
        at(dt.date(2027, 3, 15), 9)
    ]
    # Every three weeks: 15 March is no longer in the series, its cancellation goes.
    client.post(
        edit, form(start_time="09:00", end_time="10:00", repeat="WEEKLY", weekdays=["MO"], interval="3")
    )
    assert not OccurrenceChange.objects.exists()
    # Moving the whole series a day on the clock takes a changed occurrence along.
    client.post(url(net, f"{series.pk}/afzeggen/"), {"op": key(at(dt.date(2027, 3, 22), 9))})
    client.post(
        edit,
        form(
            date="2027-03-02",
            start_time="09:00",
            end_time="10:00",
            repeat="WEEKLY",
            weekdays=["TU"],
            interval="3",
        ),
    )
    assert list(OccurrenceChange.objects.values_list("original_start", flat=True)) == [
        at(dt.date(2027, 3, 23), 9)
    ]


def test_a_weekly_series_must_include_the_day_of_its_first_date(cast, login_as, world):
    client = login_as(cast.caregiver)
    response = client.post(url(world["net"], "nieuw/"), form(repeat="WEEKLY", weekdays=["WE"]))
    assert response.status_code == 200 and "weekdays" in response.context["form"].errors
    assert not Appointment.objects.exists()


# --- Who may -----------------------------------------------------------------------------------


def test_a_professional_adds_a_visit_but_not_respite(cast, login_as, world):
    net = world["net"]
    client = login_as(cast.professional)
    new = page(client, url(net, "nieuw/"))
    assert 'value="professional_visit"' in new and 'value="respite"' not in new
    assert client.post(url(net, "nieuw/"), form(kind="respite")).status_code == 200
    assert not Appointment.objects.exists()
    assert (
        client.post(url(net, "nieuw/"), form(kind="professional_visit", title="Wijkverpleging")).status_code
        == 302
    )
    visit = Appointment.objects.get()
    assert visit.kind == Kind.PROFESSIONAL_VISIT
    month = page(client, url(net, "?weergave=maand&datum=2027-03-01"))
    assert "mz-item--professional_visit" in month and "Visit by a professional" in month
    assert client.get(url(net, f"{visit.pk}/wijzigen/")).status_code == 200  # their own


def test_a_member_changes_only_what_they_may(cast, login_as, world):
    net = world["net"]
    theirs = factories.appointment(net, start=at(MONDAY), rrule="FREQ=DAILY", created_by=world["member"])
    coordinators = factories.appointment(
        net, start=at(MONDAY), created_by=factories.membership(net, cast.caregiver)
    )
    client = login_as(cast.network_member)
    assert client.get(url(net, f"{theirs.pk}/wijzigen/")).status_code == 200
    assert client.get(url(net, f"{coordinators.pk}/")).status_code == 200
    for path in (f"{coordinators.pk}/wijzigen/", f"{coordinators.pk}/verwijderen/"):
        assert client.get(url(net, path)).status_code == 404
        assert client.post(url(net, path), form()).status_code == 404
    assert client.post(url(net, f"{coordinators.pk}/afzeggen/")).status_code == 404
    assert "Change" not in page(client, url(net, f"{coordinators.pk}/")).split("</article>")[1]
    assert client.post(url(net, "nieuw/"), form(kind="time_off")).status_code == 200  # not their kind


def test_a_member_of_another_network_gets_404(cast, login_as, world):
    net, other = world["net"], world["other"]
    mine = factories.appointment(net, start=at(MONDAY), rrule="FREQ=WEEKLY")
    theirs = factories.appointment(other, start=at(MONDAY))
    client = login_as(cast.other_caregiver)
    for path in (
        "",
        "?weergave=maand",
        "nieuw/",
        f"{mine.pk}/",
        f"{mine.pk}/wijzigen/",
        f"{mine.pk}/verwijderen/",
    ):
        assert client.get(url(net, path)).status_code == 404, path
    assert client.post(url(net, f"{mine.pk}/afzeggen/")).status_code == 404
    # Their own network's path with an item of another network: 404 too.
    caregiver = login_as(cast.caregiver)
    assert caregiver.get(url(net, f"{theirs.pk}/")).status_code == 404
    assert caregiver.get(url(net, f"{theirs.pk}/wijzigen/")).status_code == 404
    assert caregiver.post(url(net, f"{theirs.pk}/afzeggen/")).status_code == 404
    assert Appointment.objects.get(pk=theirs.pk).status == "confirmed"


# --- Audit ------------------------------------------------------------------------------------


def _rows(action):
    return LogEntry.objects.filter(action=action, outcome="success").count()


def test_one_audit_row_per_read_and_per_change(cast, login_as, world):
    net = world["net"]
    client = login_as(cast.caregiver)
    before = _rows("network.appointment.created")
    series = weekly(client, net)
    assert _rows("network.appointment.created") == before + 1
    steps = [
        ("get", url(net, "?weergave=maand&datum=2027-03-01"), {}, "network.agenda.viewed"),
        ("get", url(net, f"{series.pk}/"), {}, "network.appointment.viewed"),
        (
            "post",
            url(net, f"{series.pk}/afzeggen/"),
            {"op": key(at(dt.date(2027, 3, 8)))},
            "network.occurrence.cancelled",
        ),
        (
            "post",
            url(net, f"{series.pk}/wijzigen/?welke=deze&op={key(at(dt.date(2027, 3, 15)))}"),
            form(date="2027-03-16"),
            "network.occurrence.changed",
        ),
        (
            "post",
            url(net, f"{series.pk}/verwijderen/?op={key(at(dt.date(2027, 3, 22)))}"),
            {},
            "network.occurrence.removed",
        ),
        (
            "post",
            url(net, f"{series.pk}/wijzigen/"),
            form(repeat="DAILY", title="Elke dag"),
            "network.appointment.changed",
        ),
        ("post", url(net, f"{series.pk}/afzeggen/"), {}, "network.appointment.cancelled"),
        ("post", url(net, f"{series.pk}/verwijderen/"), {}, "network.appointment.deleted"),
    ]
    for method, path, data, action in steps:
        total, count = LogEntry.objects.count(), _rows(action)
        response = getattr(client, method)(path, data)
        assert response.status_code in (200, 302), (path, response.status_code)
        assert _rows(action) == count + 1, action
        assert LogEntry.objects.count() == total + 1, action  # nothing else
        row = LogEntry.objects.filter(action=action).latest("created_at")
        assert row.subject_id == f"network:{net.pk}" and row.actor_id == str(cast.caregiver.pk)


# --- Query budgets ----------------------------------------------------------------------------

BUDGET = 14


def _seed(net, n, goers):
    for i in range(n):
        item = factories.appointment(
            net,
            start=at(MONDAY + dt.timedelta(days=i % 7), 8 + i % 10),
            rrule="FREQ=WEEKLY" if i % 2 else "FREQ=DAILY;INTERVAL=3",
            kind=list(Kind.values)[i % 4],
            title=f"Serie {i}",
        )
        item.goers.set(goers)
        OccurrenceChange.objects.create(
            appointment=item, original_start=item.starts_at + dt.timedelta(days=14), state="cancelled"
        )


@pytest.mark.parametrize(
    "path",
    [
        "?weergave=lijst&datum=2027-03-10",
        "?weergave=week&datum=2027-03-10",
        "?weergave=maand&datum=2027-03-10",
    ],
)
def test_the_query_count_does_not_grow_with_the_number_of_series(
    cast, login_as, world, path, django_assert_max_num_queries
):
    net = world["net"]
    client = login_as(cast.caregiver)
    goers = [world["member"], world["professional"]]
    counts = []
    seeded = 0
    for n in (1, 10, 100):
        _seed(net, n - seeded, goers)
        seeded = n
        with django_assert_max_num_queries(BUDGET), CaptureQueriesContext(connection) as queries:
            body = page(client, url(net, path))
        counts.append(len(queries))
        assert "Serie 0" in body
    assert counts[0] == counts[1] == counts[2], counts


def test_the_detail_and_form_pages_have_a_fixed_budget(cast, login_as, world, django_assert_max_num_queries):
    net = world["net"]
    client = login_as(cast.caregiver)
    series = factories.appointment(net, start=at(MONDAY), rrule="FREQ=WEEKLY")
    series.goers.set([world["member"], world["professional"]])
    for path in (f"{series.pk}/?op={key(at(dt.date(2027, 3, 8)))}", f"{series.pk}/wijzigen/", "nieuw/"):
        with django_assert_max_num_queries(BUDGET):
            page(client, url(net, path))


def test_texts_are_escaped_in_every_view(cast, login_as, world):
    net = world["net"]
    factories.appointment(
        net,
        start=at(MONDAY),
        rrule="FREQ=DAILY;COUNT=3",
        title="<script>x</script>",
        place='"><b>p',
        created_by=world["member"],
    ).goers.set([world["member"]])
    client = login_as(cast.caregiver)
    for view in ("lijst", "week", "maand"):
        body = page(client, url(net, f"?weergave={view}&datum=2027-03-01"))
        assert "<script>x" not in body and "&lt;script&gt;x&lt;/script&gt;" in body
        assert '"><b>p' not in body
