import csv
import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse

from events.models import RSVP, ClashAcknowledgement, Event
from tests.conftest import make_event, make_member, make_organiser
from tests.events.organising import make_series, paris

pytestmark = pytest.mark.django_db

NOW = paris(2027, 6, 1, 12)


@pytest.fixture
def frozen():
    # Started before logging in, so the session does not expire in the frozen future.
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def frozen_client(frozen, client, organiser):
    client.force_login(organiser)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    client.cookies["django_language"] = "en"
    return client


def rsvp(event, username, *, status=RSVP.Status.GOING, when=None):
    member = make_member(username)
    with time_machine.travel(when or NOW, tick=False):
        return RSVP.objects.create(event=event, member=member, status=status)


def past_edition(series, *, start, going_early: int, going_late: int, lead: dt.timedelta):
    """A past edition with `going_early` RSVPs taken more than `lead` before its start."""
    event = make_event(title=f"Édition {start:%m}", start=start, series=series)
    for i in range(going_early):
        rsvp(event, f"early-{start:%m}-{i}", when=start - lead - dt.timedelta(days=1))
    for i in range(going_late):
        rsvp(event, f"late-{start:%m}-{i}", when=start - dt.timedelta(days=1))
    return event


def test_workspace_lists_counts_and_trend(frozen_client, series, venue):
    lead = dt.timedelta(days=10)
    past_edition(series, start=paris(2027, 3, 4, 19), going_early=4, going_late=6, lead=lead)
    past_edition(series, start=paris(2027, 4, 1, 19), going_early=6, going_late=2, lead=lead)
    upcoming = make_event(title="Juin", start=NOW + lead, series=series, venue=venue, capacity=2)
    rsvp(upcoming, "ana")
    rsvp(upcoming, "bea")
    rsvp(upcoming, "cyr", status=RSVP.Status.WAITLISTED)
    hold = make_event(
        title="Juillet", start=paris(2027, 7, 1, 19), series=series, status=Event.Status.HOLD
    )

    response = frozen_client.get(reverse("events:organise"))

    [(shown_series, events)] = response.context["series_list"]
    assert shown_series == series
    assert [e.title for e in events] == ["Juin", "Juillet"]
    june = events[0]
    assert (june.going_count, june.capacity, june.waitlist_count) == (2, 2, 1)
    # Past editions had 4 and 6 going ten days before: 5 expected, 2 is behind.
    assert june.trend == {"expected": 5.0, "on_track": False}
    assert events[1].trend is None
    body = response.content.decode()
    assert '<span class="badge trend-behind">behind — more promotion needed</span>' in body
    assert hold.title in body


def test_behind_reads_as_a_call_to_promote_in_french(frozen, client, organiser, series):
    lead = dt.timedelta(days=10)
    past_edition(series, start=paris(2027, 3, 4, 19), going_early=4, going_late=0, lead=lead)
    make_event(title="Juin", start=NOW + lead, series=series)
    client.force_login(organiser)

    body = client.get(reverse("events:organise")).content.decode()

    assert '<span class="badge trend-behind">en retard — il faut relancer la promotion</span>' in (
        body
    )


def test_trend_on_track(frozen_client, series):
    lead = dt.timedelta(days=5)
    past_edition(series, start=paris(2027, 3, 4, 19), going_early=2, going_late=9, lead=lead)
    upcoming = make_event(title="Juin", start=NOW + lead, series=series)
    rsvp(upcoming, "ana")
    rsvp(upcoming, "bea")

    response = frozen_client.get(reverse("events:organise"))

    [(_, [june])] = response.context["series_list"]
    assert june.trend == {"expected": 2.0, "on_track": True}
    assert "on track" in response.content.decode()


@pytest.mark.parametrize("count", [1, 12])
def test_workspace_query_count_does_not_grow(
    frozen_client, series, django_assert_num_queries, count
):
    other = make_series("Mercredi Web Analytics")
    past_edition(
        series, start=paris(2027, 3, 4, 19), going_early=2, going_late=2, lead=dt.timedelta(days=3)
    )
    for i in range(count):
        event = make_event(title=f"E{i}", start=NOW + dt.timedelta(days=i + 1), series=series)
        theirs = make_event(
            title=f"T{i}", start=NOW + dt.timedelta(days=i + 1, hours=-4), series=other
        )
        ClashAcknowledgement.objects.create(event=theirs, other_event=event, severity=20)
        rsvp(event, f"m{i}")

    # session, user, organiser check, second factor, series, events with trend, past RSVP
    # curves (forecast and no-shows), acknowledgements, other calendars with a problem, the
    # data version, and the header's photo and organiser flag (read once per data version)
    with django_assert_num_queries(12):
        frozen_client.get(reverse("events:organise"))
    with django_assert_num_queries(10):
        response = frozen_client.get(reverse("events:organise"))

    assert len(response.context["series_list"][0][1]) == count
    assert len(response.context["acks"]) == count


def test_other_organisers_see_publish_anyway_on_their_workspace(client, series, organiser):
    other = make_series("Mercredi Web Analytics")
    otto = make_organiser("otto", other)
    theirs = make_event(title="Mesure", start=paris(2027, 12, 2, 12), series=other)
    mine = make_event(title="Ma soirée", start=paris(2027, 12, 2, 19), series=series)
    ClashAcknowledgement.objects.create(
        event=mine, other_event=theirs, severity=40, confirmed_by=organiser
    )
    client.force_login(otto)
    client.cookies["django_language"] = "en"

    response = client.get(reverse("events:organise"))

    assert [a.event for a in response.context["acks"]] == [mine]
    assert "Severity high · 40% shared audience" in response.content.decode()


def test_attendee_csv_lists_going_and_waitlisted_with_rsvp_time(organiser_client, event):
    rsvp(event, "ana", when=paris(2027, 5, 2, 9, 15))
    rsvp(event, "=cmd", when=paris(2027, 5, 3, 10))
    rsvp(event, "bea", status=RSVP.Status.WAITLISTED, when=paris(2027, 5, 4, 11))
    rsvp(event, "dan", status=RSVP.Status.DECLINED)

    response = organiser_client.get(reverse("events:organise_attendees", args=[event.slug]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["Name", "Status", "RSVP time"],
        ["Ana", "Going", "2027-05-02 09:15"],
        ["'=Cmd", "Going", "2027-05-03 10:00"],
        ["Bea", "On the waitlist", "2027-05-04 11:00"],
    ]


def test_attendee_csv_is_in_the_organisers_language(client, organiser, event):
    rsvp(event, "ana", when=paris(2027, 5, 2, 9, 15))
    rsvp(event, "bea", status=RSVP.Status.WAITLISTED, when=paris(2027, 5, 4, 11))
    client.force_login(organiser)  # no language cookie: French, the site's default

    response = client.get(reverse("events:organise_attendees", args=[event.slug]))

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["Nom", "Statut", "Date d’inscription"],
        ["Ana", "Inscrit·e", "2027-05-02 09:15"],
        ["Bea", "En liste d’attente", "2027-05-04 11:00"],
    ]


@pytest.mark.parametrize(
    ("name", "cell"),
    [
        ("=cmd", "'=cmd"),
        ("+33 6", "'+33 6"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\u200b=cmd", "'\u200b=cmd"),
        ("\ufeff=cmd", "'\ufeff=cmd"),
        ("＝cmd", "'＝cmd"),
        ("＋cmd", "'＋cmd"),
        ("－cmd", "'－cmd"),
        ("＠cmd", "'＠cmd"),
        ("\u200c=cmd", "'\u200c=cmd"),  # zero-width non-joiner
        ("\u2060+cmd", "'\u2060+cmd"),  # word joiner
        ("\u00a0=cmd", "'\u00a0=cmd"),  # no-break space
        (" =cmd", "' =cmd"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("﹦cmd", "'﹦cmd"),  # small equals sign
        ("﹢cmd", "'﹢cmd"),
        ("﹣cmd", "'﹣cmd"),
        ("﹫cmd", "'﹫cmd"),
        ("\u2212" + "1", "'\u2212" + "1"),  # minus sign
        ("Ana", "Ana"),
        ("Éloïse", "Éloïse"),
        ("Ｚoé", "Ｚoé"),  # a full-width letter is no formula
        ("Ana=Bea", "Ana=Bea"),
        ("", ""),
    ],
)
def test_csv_cell_defuses_formulas_and_their_look_alikes(name, cell):
    from events.organising import csv_cell

    assert csv_cell(name) == cell


def test_add_organiser_by_email_or_username(organiser_client, series):
    otto = make_member("otto")
    ines = make_member("ines")
    url = reverse("events:organise_series", args=[series.slug])

    organiser_client.post(url, {"who": "OTTO@example.org"})
    organiser_client.post(url, {"who": "ines"})
    unknown = organiser_client.post(url, {"who": "nobody"})

    assert set(series.organisers.filter(username__in=["otto", "ines"])) == {otto, ines}
    assert unknown.status_code == 200
    assert "who" in unknown.context["add_form"].errors


def test_series_page_lists_free_dates(frozen_client, series):
    # Blog en Nord prefers Thursdays; 10 June is taken.
    make_event(title="Pris", start=paris(2027, 6, 10, 19), series=series)

    response = frozen_client.get(
        reverse("events:organise_series", args=[series.slug]), {"count": 2}
    )

    assert response.context["free_dates"] == [dt.date(2027, 6, 3), dt.date(2027, 6, 17)]


def test_nav_shows_organise_link_to_organisers_only(client, organiser, member):
    client.cookies["django_language"] = "en"
    client.force_login(organiser)
    assert reverse("events:organise") in client.get("/").content.decode()

    client.force_login(member)
    assert reverse("events:organise") not in client.get("/").content.decode()


def test_free_date_link_prefills_the_new_event_form(organiser_client, series):
    url = reverse("events:organise_create", args=[series.slug])

    response = organiser_client.get(url, {"day": "2027-06-03"})
    tampered = organiser_client.get(url, {"day": "June"})

    assert response.context["form"]["start"].value() == dt.datetime(2027, 6, 3, 19)
    assert tampered.status_code == 200
    assert tampered.context["form"]["start"].value() is None
