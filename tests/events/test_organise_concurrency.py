"""Two organisers book the same venue at the same time: one wins, the other gets a form
error — never a 500, never two events."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from events.models import Event
from tests.conftest import make_organiser


@pytest.mark.django_db(transaction=True)
def test_simultaneous_bookings_of_a_venue_create_one_event(series, venue):
    organisers = [make_organiser(f"orga-{i}", series) for i in range(2)]
    barrier = threading.Barrier(2)
    statuses = []

    def book(user, title):
        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            response = client.post(
                reverse("events:organise_create", args=[series.slug]),
                {
                    "title": title,
                    "status": "published",
                    "start": "2027-12-02T19:00",
                    "end": "2027-12-02T22:00",
                    "venue": venue.pk,
                    "publish_anyway": "on",
                },
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=book, args=(user, f"Soirée {i}"))
        for i, user in enumerate(organisers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200, 302]
    assert Event.objects.filter(venue=venue).count() == 1
