"""A capacity change serves the waitlist at once, and never goes below the members going —
on the organiser's edit page and in the admin."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import translation

from events.models import RSVP, Event
from tests.conftest import make_event, make_member, make_staff
from tests.events.organising import paris

pytestmark = pytest.mark.django_db

START = paris(2027, 12, 2, 19)


@pytest.fixture
def full_event(series, venue):
    """Two seats, both taken; ana then bea are waiting (ana first)."""
    event = make_event(title="Soirée complète", start=START, series=series, venue=venue, capacity=2)
    for minute, (username, status) in enumerate(
        [
            ("gus", RSVP.Status.GOING),
            ("hugo", RSVP.Status.GOING),
            ("ana", RSVP.Status.WAITLISTED),
            ("bea", RSVP.Status.WAITLISTED),
        ]
    ):
        with time_machine.travel(paris(2027, 11, 1, 9, minute), tick=False):
            RSVP.objects.create(event=event, member=make_member(username), status=status)
    return event


def statuses(event: Event) -> dict[str, str]:
    return dict(event.rsvps.values_list("member__username", "status"))


def edit(client, event: Event, capacity) -> object:
    return client.post(
        reverse("events:organise_edit", args=[event.slug]),
        {
            "title": event.title,
            "start": "2027-12-02T19:00",
            "end": "2027-12-02T22:00",
            "venue": event.venue_id,
            "capacity": capacity,
            "description": "",
        },
    )


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    client.cookies["django_language"] = "en"
    return client


def test_removing_the_limit_lets_the_whole_waitlist_in(
    organiser_client, full_event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        edit(organiser_client, full_event, "")

    full_event.refresh_from_db()
    assert full_event.capacity is None
    assert set(statuses(full_event).values()) == {"going"}
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "bea@example.org"]


def test_the_capacity_error_is_in_french(client, organiser, full_event):
    client.force_login(organiser)

    response = edit(client, full_event, 1)

    assert response.context["form"].errors == {
        "capacity": [
            "2 personnes sont inscrites\u00a0: la capacité ne peut pas descendre en dessous."
        ]
    }


def test_lowering_to_the_members_going_is_allowed(organiser_client, full_event):
    edit(organiser_client, full_event, 2)

    full_event.refresh_from_db()
    assert full_event.capacity == 2
    assert statuses(full_event)["ana"] == "waitlisted"


def test_an_rsvp_arriving_during_the_edit_is_counted_under_the_lock(full_event):
    """The form saw 2 going; a third took a freed seat before the save: refused, rolled back."""
    from django.core.exceptions import ValidationError

    from events import organising

    full_event.capacity = 3
    full_event.save()
    RSVP.objects.filter(member__username="ana").update(status=RSVP.Status.GOING)

    with pytest.raises(ValidationError) as refused, translation.override("fr"):
        organising.change_capacity(event=full_event, capacity=2)

    full_event.refresh_from_db()
    assert refused.value.message_dict == {
        "capacity": [
            "3 personnes sont inscrites\u00a0: la capacité ne peut pas descendre en dessous."
        ]
    }
    assert full_event.capacity == 3


def admin_edit(client, event: Event, capacity) -> object:
    rsvps = list(event.rsvps.order_by("pk"))
    local = dt.timezone(dt.timedelta(hours=1))  # Paris in December
    data = {
        "series": event.series_id,
        "title": event.title,
        "slug": event.slug,
        "start_0": "2027-12-02",
        "start_1": "19:00:00",
        "end_0": "2027-12-02",
        "end_1": "22:00:00",
        "venue": event.venue_id,
        "capacity": capacity,
        "description": "",
        "status": event.status,
        "created_by": "",
        "links-TOTAL_FORMS": "0",
        "links-INITIAL_FORMS": "0",
        "rsvps-TOTAL_FORMS": str(len(rsvps)),
        "rsvps-INITIAL_FORMS": str(len(rsvps)),
    }
    for i, rsvp in enumerate(rsvps):
        changed = rsvp.status_changed_at.astimezone(local)
        data |= {
            f"rsvps-{i}-id": rsvp.pk,
            f"rsvps-{i}-event": event.pk,
            f"rsvps-{i}-member": rsvp.member_id,
            f"rsvps-{i}-status": rsvp.status,
            f"rsvps-{i}-status_changed_at_0": f"{changed:%Y-%m-%d}",
            f"rsvps-{i}-status_changed_at_1": f"{changed:%H:%M:%S}",
        }
    return client.post(reverse("admin:events_event_change", args=[event.pk]), data)


@pytest.fixture(params=["organiser page", "admin"])
def change(request, client, organiser):
    """Post a new capacity through the organiser's edit page or the admin; returns the
    response and the form it showed."""
    client.cookies["django_language"] = "en"
    if request.param == "admin":
        client.force_login(make_staff("root"))
        post, form = admin_edit, lambda response: response.context["adminform"].form
    else:
        client.force_login(organiser)
        post, form = edit, lambda response: response.context["form"]

    def change(event: Event, capacity):
        response = post(client, event, capacity)
        return response, form(response) if response.status_code == 200 else None

    return change


def test_raising_the_capacity_gives_the_seat_to_the_first_waiting(
    change, full_event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response, _ = change(full_event, 3)

    full_event.refresh_from_db()
    assert response.status_code == 302
    assert full_event.capacity == 3
    assert statuses(full_event) == {
        "gus": "going",
        "hugo": "going",
        "ana": "going",
        "bea": "waitlisted",
    }
    # The promotion email of `events.rsvps`, to ana only.
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    assert "Soirée complète" in mail.outbox[0].subject


def test_lowering_below_the_members_going_is_a_form_error(change, full_event):
    response, form = change(full_event, 1)

    full_event.refresh_from_db()
    assert response.status_code == 200
    assert form.errors == {"capacity": ["2 people are going: the capacity cannot go below that."]}
    assert full_event.capacity == 2
