import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from events.models import RSVP, ClashAcknowledgement, Event, Venue
from tests.conftest import make_event, make_member, make_organiser
from tests.events.organising import make_series, paris

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def other_series(db):
    series = make_series("Mercredi Web Analytics")
    make_organiser("otto", series)
    return series


def form_data(venue=None, **extra) -> dict:
    data = {
        "title": "Soirée de décembre",
        "status": "published",
        "start": "2027-12-02T19:00",
        "end": "2027-12-02T22:00",
        "venue": venue.pk if venue else "",
        "capacity": "40",
        "description": "Apéro et blogs.",
    }
    data.update(extra)
    return data


def test_create_event_in_paris_time(organiser_client, series, venue, organiser):
    response = organiser_client.post(
        reverse("events:organise_create", args=[series.slug]), form_data(venue)
    )

    assert response.status_code == 302
    event = Event.objects.get(title="Soirée de décembre")
    assert (event.series, event.venue, event.capacity) == (series, venue, 40)
    assert event.start == paris(2027, 12, 2, 19)
    assert event.created_by == organiser
    assert event.is_published


def test_create_hold(organiser_client, series):
    organiser_client.post(
        reverse("events:organise_create", args=[series.slug]), form_data(status="hold")
    )

    assert Event.objects.get(title="Soirée de décembre").is_hold


def test_clash_is_shown_before_saving_and_needs_publish_anyway(
    organiser_client, series, venue, other_series, organiser
):
    theirs = make_event(
        title="Mesure d'audience", start=paris(2027, 12, 2, 18), series=other_series
    )
    url = reverse("events:organise_create", args=[series.slug])

    first = organiser_client.post(url, form_data(venue))

    assert first.status_code == 200
    assert not Event.objects.filter(title="Soirée de décembre").exists()
    assert [c.other for c in first.context["form"].clashes] == [theirs]
    body = first.content.decode()
    assert "Mesure d&#x27;audience" in body
    assert "Severity low" in body

    organiser_client.post(url, form_data(venue, publish_anyway="on"))

    event = Event.objects.get(title="Soirée de décembre")
    ack = ClashAcknowledgement.objects.get(event=event)
    assert (ack.other_event, ack.confirmed_by, ack.severity) == (theirs, organiser, 0)


def test_editing_with_an_already_acknowledged_clash_needs_no_new_confirmation(
    organiser_client, series, other_series, organiser
):
    theirs = make_event(title="Leur soirée", start=paris(2027, 12, 2, 12), series=other_series)
    mine = make_event(title="Ma soirée", start=paris(2027, 12, 2, 19), series=series)
    ClashAcknowledgement.objects.create(event=mine, other_event=theirs, confirmed_by=organiser)

    response = organiser_client.post(
        reverse("events:organise_edit", args=[mine.slug]),
        form_data(title="Ma soirée renommée", status=""),
    )

    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.title == "Ma soirée renommée"


def test_same_venue_overlap_is_a_form_error_not_a_500(organiser_client, series, venue):
    make_event(title="Déjà là", start=paris(2027, 12, 2, 20), series=series, venue=venue)

    response = organiser_client.post(
        reverse("events:organise_create", args=[series.slug]),
        form_data(venue, publish_anyway="on"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "venue": ["This venue is already booked at these times."]
    }
    assert Event.objects.filter(venue=venue).count() == 1


def test_moving_a_published_event_onto_a_booked_venue_is_a_form_error(
    organiser_client, series, venue
):
    """The edit form has no status field; the venue rule depends on the status all the same."""
    make_event(title="Déjà là", start=paris(2027, 12, 9, 20), series=series, venue=venue)
    mine = make_event(title="Ma soirée", start=paris(2027, 12, 2, 19), series=series)

    response = organiser_client.post(
        reverse("events:organise_edit", args=[mine.slug]),
        form_data(
            venue,
            title="Ma soirée",
            start="2027-12-09T19:00",
            end="2027-12-09T22:00",
            publish_anyway="on",
        ),
    )

    mine.refresh_from_db()
    assert response.context["form"].errors == {
        "venue": ["This venue is already booked at these times."]
    }
    assert (mine.start, mine.venue) == (paris(2027, 12, 2, 19), None)


def test_a_cancelled_event_leaves_its_venue_free(organiser_client, series, venue):
    make_event(
        title="Annulée",
        start=paris(2027, 12, 2, 20),
        series=series,
        venue=venue,
        status=Event.Status.CANCELLED,
    )

    organiser_client.post(reverse("events:organise_create", args=[series.slug]), form_data(venue))

    assert Event.objects.get(title="Soirée de décembre").venue == venue


def test_end_before_start_is_a_form_error(organiser_client, series):
    response = organiser_client.post(
        reverse("events:organise_create", args=[series.slug]),
        form_data(end="2027-12-02T18:00"),
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["end"]


def test_time_skipped_by_spring_dst_is_a_form_error(organiser_client, series):
    response = organiser_client.post(
        reverse("events:organise_create", args=[series.slug]),
        form_data(start="2027-03-28T02:30", end="2027-03-28T05:00"),
    )

    assert response.status_code == 200
    assert "start" in response.context["form"].errors
    assert not Event.objects.exists()


def test_event_crossing_midnight_can_be_created(organiser_client, series):
    organiser_client.post(
        reverse("events:organise_create", args=[series.slug]),
        form_data(start="2027-12-02T22:00", end="2027-12-03T02:00"),
    )

    event = Event.objects.get()
    assert event.end - event.start == dt.timedelta(hours=4)


def test_publish_hold_lists_clashes_then_publishes_with_confirmation(
    organiser_client, series, other_series, organiser
):
    theirs = make_event(title="Leur soirée", start=paris(2027, 12, 2, 12), series=other_series)
    hold = make_event(
        title="Ma date", start=paris(2027, 12, 2, 19), series=series, status=Event.Status.HOLD
    )
    url = reverse("events:organise_publish", args=[hold.slug])

    page = organiser_client.get(url)
    refused = organiser_client.post(url, {})
    hold.refresh_from_db()
    assert [c.other for c in page.context["form"].clashes] == [theirs]
    assert refused.status_code == 200
    assert hold.is_hold

    organiser_client.post(url, {"publish_anyway": "on"})

    hold.refresh_from_db()
    assert hold.is_published
    assert ClashAcknowledgement.objects.filter(event=hold, other_event=theirs).exists()


def test_release_hold_deletes_it(organiser_client, series):
    hold = make_event(title="Ma date", series=series, status=Event.Status.HOLD)

    organiser_client.post(reverse("events:organise_cancel", args=[hold.slug]))

    assert not Event.objects.filter(pk=hold.pk).exists()


def test_cancel_event_keeps_rsvps_and_emails_members(
    organiser_client, event, member, django_capture_on_commit_callbacks
):
    RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)

    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(reverse("events:organise_cancel", args=[event.slug]))

    event.refresh_from_db()
    assert event.is_cancelled
    assert RSVP.objects.filter(event=event, member=member, status=RSVP.Status.GOING).exists()
    assert [m.to for m in mail.outbox] == [[member.email]]


def test_cancelled_event_cannot_be_edited(organiser_client, series):
    gone = make_event(title="Annulée", series=series, status=Event.Status.CANCELLED)

    response = organiser_client.post(
        reverse("events:organise_edit", args=[gone.slug]), form_data(title="Ressuscitée")
    )

    gone.refresh_from_db()
    assert response.status_code == 302
    assert gone.title == "Annulée"


def test_other_city_venue_is_listed_in_form(organiser_client, series):
    Venue.objects.create(name="La Condition", address="1 rue", city="Roubaix")

    response = organiser_client.get(reverse("events:organise_create", args=[series.slug]))

    assert "La Condition" in response.content.decode()


def test_moving_a_hold_onto_a_clash_needs_confirmation(organiser_client, series, other_series):
    theirs = make_event(title="Leur soirée", start=paris(2027, 12, 9, 19), series=other_series)
    hold = make_event(
        title="Ma date", start=paris(2027, 12, 2, 19), series=series, status=Event.Status.HOLD
    )
    url = reverse("events:organise_edit", args=[hold.slug])
    moved = form_data(
        title="Ma date", status="hold", start="2027-12-09T12:00", end="2027-12-09T14:00"
    )

    refused = organiser_client.post(url, moved)
    hold.refresh_from_db()

    assert [c.other for c in refused.context["form"].clashes] == [theirs]
    assert hold.start == paris(2027, 12, 2, 19)

    organiser_client.post(url, {**moved, "publish_anyway": "on"})

    hold.refresh_from_db()
    assert hold.start == paris(2027, 12, 9, 12)
    assert ClashAcknowledgement.objects.filter(event=hold, other_event=theirs).exists()


def test_venue_booked_meanwhile_is_a_form_error(organiser_client, series, venue, monkeypatch):
    """The form's check passes, then another organiser books the venue before the insert: the
    database refuses and the form says so on the venue field."""
    from events.forms import EventForm

    checked = EventForm.validate_constraints

    def booked_right_after_the_check(form):
        checked(form)
        make_event(title="Arrivé entre-temps", start=paris(2027, 12, 2, 20), venue=venue)

    monkeypatch.setattr(EventForm, "validate_constraints", booked_right_after_the_check)

    response = organiser_client.post(
        reverse("events:organise_create", args=[series.slug]),
        form_data(venue, publish_anyway="on"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "venue": ["This venue is already booked at these times."]
    }
    assert list(Event.objects.filter(venue=venue).values_list("title", flat=True)) == [
        "Arrivé entre-temps"
    ]


def test_zero_capacity_is_a_field_error(organiser_client, series):
    response = organiser_client.post(
        reverse("events:organise_create", args=[series.slug]), form_data(capacity="0")
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["capacity"]
    assert not Event.objects.exists()


@pytest.mark.parametrize("year", ["9999", "0001"])
def test_a_year_far_off_is_a_form_error_on_start_and_end(organiser_client, series, year):
    response = organiser_client.post(
        reverse("events:organise_create", args=[series.slug]),
        form_data(start=f"{year}-12-31T19:00", end=f"{year}-12-31T22:00"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "start": ["Choose a date between 1900 and 2100."],
        "end": ["Choose a date between 1900 and 2100."],
    }
    assert not Event.objects.exists()


LINE_MESSAGE = "Line breaks and control characters are not allowed here."


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("Soirée\r\nBcc: tous", LINE_MESSAGE),
        ("Soirée\nsuite", LINE_MESSAGE),
        ("Soi\x07rée", LINE_MESSAGE),
        ("Soi\x00rée", "Null characters are not allowed."),
    ],
)
def test_a_title_with_line_breaks_or_control_characters_is_refused(
    organiser_client, series, title, message
):
    response = organiser_client.post(
        reverse("events:organise_create", args=[series.slug]), form_data(title=title)
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"title": [message]}
    assert not Event.objects.exists()


def test_a_description_keeps_its_lines_but_not_other_control_characters(organiser_client, series):
    url = reverse("events:organise_create", args=[series.slug])

    refused = organiser_client.post(url, form_data(description="Apéro\x1b[31m"))
    organiser_client.post(url, form_data(description="Apéro\r\n\tBlogs"))

    assert refused.context["form"].errors == {
        "description": ["Control characters are not allowed here."]
    }
    assert Event.objects.get().description == "Apéro\r\n\tBlogs"


def test_clash_message_points_at_the_list_above_it(organiser_client, series, other_series):
    make_event(title="Leur soirée", start=paris(2027, 12, 2, 12), series=other_series)

    response = organiser_client.post(
        reverse("events:organise_create", args=[series.slug]), form_data()
    )

    body = response.content.decode()
    message = (
        "This date clashes with the events listed above. Tick “publish anyway” to confirm; "
        "their organisers will see your confirmation."
    )
    assert response.context["form"].errors == {"publish_anyway": [message]}
    assert body.index("Leur soirée") < body.index("This date clashes with the events listed above")


def test_cancel_asks_first_and_says_how_many_members_are_emailed(
    organiser_client, event, member, outsider
):
    RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
    RSVP.objects.create(event=event, member=outsider, status=RSVP.Status.WAITLISTED)
    RSVP.objects.create(event=event, member=make_member("denis"), status=RSVP.Status.DECLINED)
    url = reverse("events:organise_cancel", args=[event.slug])

    edit_page = organiser_client.get(reverse("events:organise_edit", args=[event.slug]))
    page = organiser_client.get(url)

    event.refresh_from_db()
    assert event.is_published
    assert mail.outbox == []
    assert f'<a class="button danger" href="{url}">Cancel this event</a>' in (
        edit_page.content.decode()
    )
    body = page.content.decode()
    assert (
        "The event stays on the site, marked as cancelled, and 2 members going or on the "
        "waitlist are emailed at once. This cannot be undone."
    ) in body
    assert '<button type="submit" class="danger">Yes, cancel this event</button>' in body


def test_cancel_confirmation_is_in_french(client, organiser, event, member):
    RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
    client.force_login(organiser)

    page = client.get(reverse("events:organise_cancel", args=[event.slug]))

    assert (
        "L’événement reste sur le site, marqué comme annulé, et 1 membre inscrit ou en "
        "liste d’attente reçoit un e-mail aussitôt. Impossible de revenir en arrière."
    ) in page.content.decode()


def test_release_confirmation_says_nobody_is_emailed(organiser_client, series):
    hold = make_event(title="Ma date", series=series, status=Event.Status.HOLD)

    page = organiser_client.get(reverse("events:organise_cancel", args=[hold.slug]))

    assert Event.objects.filter(pk=hold.pk).exists()
    assert "Nobody is emailed: only organisers knew of it." in page.content.decode()
