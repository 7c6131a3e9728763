"""At the door: the organisers' check-in page, walk-ins and guests, and the members' passes."""

import re

import pytest
from django.urls import reverse

from community.models import User
from events import checkin
from events.models import RSVP, Guest
from tests.conftest import make_event, make_member, make_organiser

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


def going(event, *names, **extra):
    members = [make_member(name, **extra) for name in names]
    for member in members:
        RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
    return members


def page_url(event, **query):
    url = reverse("events:check_in", args=[event.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def arrival_url(rsvp):
    return reverse("events:check_in_arrival", args=[rsvp.event.slug, rsvp.pk])


def names_listed(response) -> list[str]:
    return [str(rsvp.member) for rsvp in response.context["rsvps"]]


# -- The check-in page ----------------------------------------------------------------------


def test_the_page_lists_going_then_waiting_members_with_the_counts(organiser_client, event):
    going(event, "zoe", "bruno")
    waiting = make_member("wanda")
    RSVP.objects.create(event=event, member=waiting, status=RSVP.Status.WAITLISTED)

    response = organiser_client.get(page_url(event))

    assert names_listed(response) == ["Bruno", "Zoe", "Wanda"]
    counts = response.context["counts"]
    assert (counts.arrived_total, counts.expected_total) == (0, 2)
    html = response.content.decode()
    assert 'aria-label="Pointer l’arrivée de Bruno"' in html
    assert 'aria-label="Faire entrer Wanda depuis la liste d’attente"' in html


def test_the_search_narrows_the_list_and_offers_other_members_as_walk_ins(organiser_client, event):
    going(event, "marie-dupont", "bruno")
    make_member("marie-curie")  # no RSVP

    response = organiser_client.get(page_url(event, q="mar"))

    assert names_listed(response) == ["Marie Dupont"]
    assert [str(m) for m in response.context["walk_ins"]] == ["Marie Curie"]


def test_the_fragment_is_the_live_part_alone_for_the_script(organiser_client, event):
    going(event, "bruno")

    response = organiser_client.get(page_url(event, q="bru", fragment=1))

    html = response.content.decode()
    assert html.strip().startswith('<div class="checkin-live"')
    assert "Bruno" in html
    assert "<html" not in html


def test_one_tap_checks_a_member_in_and_another_undoes_it(organiser_client, event):
    [bruno] = going(event, "bruno")
    rsvp = bruno.rsvps.get()

    response = organiser_client.post(arrival_url(rsvp), {"action": "arrived", "q": "bru"})

    assert response.status_code == 302
    assert response["Location"] == page_url(event, q="bru") + f"#rsvp-{rsvp.pk}"
    rsvp.refresh_from_db()
    first = rsvp.arrived_at
    assert first is not None
    # A second tap (two organisers at the door) keeps the first arrival time.
    organiser_client.post(arrival_url(rsvp), {"action": "arrived"})
    rsvp.refresh_from_db()
    assert rsvp.arrived_at == first

    organiser_client.post(arrival_url(rsvp), {"action": "undo"})

    rsvp.refresh_from_db()
    assert rsvp.arrived_at is None


def test_the_script_gets_the_live_part_back_with_what_happened(organiser_client, event):
    [bruno] = going(event, "bruno")
    rsvp = bruno.rsvps.get()

    response = organiser_client.post(
        arrival_url(rsvp), {"action": "arrived"}, headers={"X-Requested-With": "fetch"}
    )

    assert response.status_code == 200
    assert response.context["status"] == "Bruno est arrivé·e."
    assert response.context["counts"].arrived_total == 1
    assert 'data-status="Bruno est arrivé·e."' in response.content.decode()


def test_a_member_without_rsvp_walks_in_going_and_arrived(organiser_client, event):
    marie = make_member("marie")

    organiser_client.post(
        reverse("events:check_in_walk_in", args=[event.slug]), {"member": marie.pk}
    )

    rsvp = marie.rsvps.get(event=event)
    assert rsvp.status == RSVP.Status.GOING
    assert rsvp.arrived_at is not None


def test_a_waiting_member_let_in_is_going_and_arrived_even_when_full(organiser_client, event):
    event.capacity = 1
    event.save()
    going(event, "bruno")
    wanda = make_member("wanda")
    RSVP.objects.create(event=event, member=wanda, status=RSVP.Status.WAITLISTED)

    organiser_client.post(
        reverse("events:check_in_walk_in", args=[event.slug]), {"member": wanda.pk}
    )

    rsvp = wanda.rsvps.get(event=event)
    assert (rsvp.status, rsvp.arrived_at is not None) == (RSVP.Status.GOING, True)
    assert checkin.counts(event).going == 2


def test_a_guest_is_checked_in_by_name_and_can_be_removed(organiser_client, organiser, event):
    going(event, "bruno")

    organiser_client.post(
        reverse("events:check_in_guest", args=[event.slug]), {"name": "  Jeanne Martin "}
    )

    guest = Guest.objects.get(event=event)
    assert (guest.name, guest.added_by) == ("Jeanne Martin", organiser)
    counts = checkin.counts(event)
    assert (counts.arrived_total, counts.expected_total, counts.guests) == (1, 2, 1)

    organiser_client.post(
        reverse("events:check_in_guest_remove", args=[event.slug, guest.pk]), {"q": ""}
    )
    assert not Guest.objects.filter(event=event).exists()


@pytest.mark.parametrize("name", ["", "   ", "Jeanne\u0000Martin", "x" * 121])
def test_a_bad_guest_name_is_a_form_error_and_nothing_is_added(organiser_client, event, name):
    response = organiser_client.post(
        reverse("events:check_in_guest", args=[event.slug]), {"name": name, "q": "bru"}
    )

    assert response.status_code == 400
    assert response.context["guest_form"].errors["name"]
    assert response.context["q"] == "bru"
    assert not Guest.objects.exists()


def test_a_member_who_hides_everything_is_still_found_by_the_organisers(organiser_client, event):
    going(
        event,
        "discrete",
        listed_in_attendees=False,
        ties_visibility=User.Visibility.NOBODY,
    )

    response = organiser_client.get(page_url(event, q="discr"))

    assert names_listed(response) == ["Discrete"]


def test_the_page_costs_the_same_queries_with_one_or_many_members(
    organiser_client, event, django_assert_max_num_queries
):
    going(event, "bruno")
    # the organiser's session, user, event, organiser and second-factor checks, the list
    with django_assert_max_num_queries(13) as one:
        organiser_client.get(page_url(event))
    going(event, *[f"member-{n}" for n in range(30)])
    Guest.objects.create(event=event, name="Jeanne")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = organiser_client.get(page_url(event))
    assert len(response.context["rsvps"]) == 31


# -- Refusals ---------------------------------------------------------------------------------


def test_an_organiser_of_another_series_cannot_check_in(client, event):
    from events.models import Series

    other = Series.objects.create(name="MWA", slug="mwa")
    client.force_login(make_organiser("rival", other))
    [bruno] = going(event, "bruno")
    rsvp = bruno.rsvps.get()

    assert client.get(page_url(event)).status_code == 403
    response = client.post(arrival_url(rsvp), {"action": "arrived"})

    assert response.status_code == 403
    rsvp.refresh_from_db()
    assert rsvp.arrived_at is None
    assert (
        client.post(reverse("events:check_in_guest", args=[event.slug]), {"name": "X"}).status_code
        == 403
    )
    assert not Guest.objects.exists()


def test_a_member_cannot_check_in_nor_walk_in(client, event, outsider):
    client.force_login(outsider)

    response = client.post(
        reverse("events:check_in_walk_in", args=[event.slug]), {"member": outsider.pk}
    )

    assert response.status_code == 403
    assert not RSVP.objects.filter(member=outsider).exists()


def test_anonymous_visitors_are_sent_to_log_in(client, event):
    response = client.get(page_url(event))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_date_hold_has_no_check_in(organiser_client, series):
    hold = make_event(series=series, status="hold")

    assert organiser_client.get(page_url(hold)).status_code == 403


def test_an_rsvp_of_another_event_cannot_be_checked_in_through_this_one(
    organiser_client, series, event
):
    other = make_event(series=series, title="Autre soirée", days=14)
    [bruno] = going(other, "bruno")
    rsvp = bruno.rsvps.get()

    response = organiser_client.post(
        arrival_url(rsvp).replace(other.slug, event.slug), {"action": "arrived"}
    )

    assert response.status_code == 404
    rsvp.refresh_from_db()
    assert rsvp.arrived_at is None


# -- Door passes ------------------------------------------------------------------------------


def same_page(response) -> str:
    """The page without what differs with every request anyway (CSRF token, own address)."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r"\?next=[^\"]+", "", html)


def door_path(event, member):
    return reverse("events:door", args=[event.slug, checkin.door_token(event=event, member=member)])


def test_the_pass_names_nobody_in_clear(event):
    [bruno] = going(event, "bruno")
    token = checkin.door_token(event=event, member=bruno)

    assert str(bruno.pk) not in token.split("-") and len(token) == checkin.TOKEN_LENGTH
    assert checkin.door_url(event=event, member=bruno).endswith(door_path(event, bruno))


def test_an_organiser_opening_a_pass_checks_the_member_in(organiser_client, event):
    [bruno] = going(event, "bruno")

    response = organiser_client.get(door_path(event, bruno))

    assert response.status_code == 200
    assert response.context["member"] == bruno
    assert "Arrivée pointée." in response.content.decode()
    rsvp = bruno.rsvps.get()
    assert rsvp.arrived_at is not None
    again = organiser_client.get(door_path(event, bruno))
    assert "Déjà arrivé·e à" in again.content.decode()


def test_anyone_else_gets_the_same_403_for_a_valid_or_forged_pass(client, event, outsider):
    [bruno] = going(event, "bruno")
    client.force_login(outsider)

    valid = client.get(door_path(event, bruno))
    forged = client.get(reverse("events:door", args=[event.slug, "A" * checkin.TOKEN_LENGTH]))
    unknown = client.get(reverse("events:door", args=["no-such-event", "A" * checkin.TOKEN_LENGTH]))

    assert valid.status_code == forged.status_code == unknown.status_code == 403
    assert same_page(valid) == same_page(forged) == same_page(unknown)
    assert "Bruno" not in valid.content.decode()
    assert bruno.rsvps.get().arrived_at is None


def test_an_organiser_of_another_series_gets_403_from_a_valid_pass(client, event):
    from events.models import Series

    [bruno] = going(event, "bruno")
    client.force_login(make_organiser("rival", Series.objects.create(name="MWA", slug="mwa")))

    response = client.get(door_path(event, bruno))

    assert response.status_code == 403
    assert bruno.rsvps.get().arrived_at is None


def test_a_forged_pass_or_another_events_pass_checks_nobody_in(organiser_client, series, event):
    [bruno] = going(event, "bruno")
    other = make_event(series=series, title="Autre soirée", days=14)
    RSVP.objects.create(event=other, member=bruno, status=RSVP.Status.GOING)
    token_elsewhere = checkin.door_token(event=other, member=bruno)

    forged = organiser_client.get(reverse("events:door", args=[event.slug, "B" * 32]))
    elsewhere = organiser_client.get(reverse("events:door", args=[event.slug, token_elsewhere]))

    assert forged.status_code == elsewhere.status_code == 404
    assert "Ce pass n’est pas valable pour cet événement" in elsewhere.content.decode()
    assert RSVP.objects.filter(arrived_at__isnull=False).count() == 0


def test_a_member_no_longer_going_has_no_valid_pass(organiser_client, event):
    [bruno] = going(event, "bruno")
    path = door_path(event, bruno)
    bruno.rsvps.update(status=RSVP.Status.DECLINED)

    assert organiser_client.get(path).status_code == 404


def test_anonymous_opening_a_pass_is_asked_to_log_in_then_lands_on_it(client, event):
    [bruno] = going(event, "bruno")
    path = door_path(event, bruno)

    response = client.get(path)

    assert response.status_code == 302
    assert "next=" in response["Location"]
    assert bruno.rsvps.get().arrived_at is None


def test_the_pass_image_is_a_png_of_the_check_in_url(client, event):
    [bruno] = going(event, "bruno")
    token = checkin.door_token(event=event, member=bruno)

    response = client.get(reverse("events:door_qr", args=[event.slug, token]))

    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert response["Cache-Control"] == "private, max-age=86400"
    assert response.content == checkin.qr_png(checkin.door_url(event=event, member=bruno))
    assert client.get(reverse("events:door_qr", args=[event.slug, "short"])).status_code == 403


def test_my_events_shows_a_door_pass_for_events_i_go_to_only(client, series, event):
    [bruno] = going(event, "bruno")
    waiting_for = make_event(series=series, title="Complet", days=3)
    RSVP.objects.create(event=waiting_for, member=bruno, status=RSVP.Status.WAITLISTED)
    client.force_login(bruno)

    response = client.get(reverse("events:my_events"))

    html = response.content.decode()
    assert html.count('class="qr"') == 1
    assert f'aria-label="Pass d’entrée pour {event.title}"' in html
    assert "<svg" in html and "style=" not in html.split('class="qr"')[1].split("</div>")[0]


def test_a_member_who_declined_then_came_anyway_walks_in(organiser_client, event):
    marie = make_member("marie")
    RSVP.objects.create(event=event, member=marie, status=RSVP.Status.DECLINED)

    response = organiser_client.get(page_url(event, q="marie"))
    assert [str(m) for m in response.context["walk_ins"]] == ["Marie"]
    organiser_client.post(
        reverse("events:check_in_walk_in", args=[event.slug]), {"member": marie.pk}
    )

    rsvp = marie.rsvps.get(event=event)
    assert (rsvp.status, rsvp.arrived_at is not None) == (RSVP.Status.GOING, True)
    assert RSVP.objects.filter(event=event, member=marie).count() == 1
