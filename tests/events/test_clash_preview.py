"""The clash preview of the organiser event form (static/js/clash_preview.js calls it)."""

import pytest
from django.urls import reverse

from tests.conftest import make_event
from tests.events.organising import attended, make_series, paris

pytestmark = pytest.mark.django_db


def preview(client, series, **params):
    return client.get(reverse("events:clash_preview", args=[series.slug]), params)


def test_organiser_sees_the_clashes_of_the_dates_picked(client, series, venue, organiser):
    other = make_series("Mercredi Web Analytics")
    attended(series, ["ana", "bea"])
    attended(other, ["ana", "bea", "cyr"])
    make_event(title="Mesure d'audience", start=paris(2027, 12, 2, 18), series=other, venue=venue)
    client.force_login(organiser)

    data = preview(
        client, series, start="2027-12-02T19:30", end="2027-12-02T22:30", venue=venue.pk
    ).json()

    assert data["count"] == 1
    assert "<strong>Mesure d&#x27;audience</strong>" in data["html"]
    assert "Gravité élevée · 67 % de public commun" in data["html"]


def test_the_event_being_edited_is_not_its_own_clash(client, series, venue, organiser):
    mine = make_event(title="La nôtre", start=paris(2027, 12, 2, 19), series=series, venue=venue)
    client.force_login(organiser)

    data = preview(
        client, series, start="2027-12-02T19:30", end="2027-12-02T22:30", event=mine.slug
    ).json()

    assert data["count"] == 0
    assert "La nôtre" not in data["html"]


def test_unreadable_dates_give_no_clash_and_no_error(client, series, organiser):
    client.force_login(organiser)

    for params in [{"start": "2027-13-40T99:00", "end": "x"}, {}, {"start": "9999-01-01T10:00"}]:
        response = preview(client, series, **params)
        assert response.json() == {"count": 0, "html": ""}


def test_someone_who_does_not_organise_the_series_is_refused(client, series, venue, outsider):
    make_event(title="Secret hold", start=paris(2027, 12, 2, 18), series=series, status="hold")
    client.force_login(outsider)

    response = preview(client, series, start="2027-12-02T19:30", end="2027-12-02T22:30")

    assert response.status_code == 403
    assert b"Secret hold" not in response.content
