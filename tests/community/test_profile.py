import pytest
from django.urls import reverse

from community.models import Identity, Network, Tie
from events.models import RSVP, Event
from tests.conftest import make_event, make_member


def _attended(series, member):
    past = make_event(series=series, title="Soirée d'avril", days=-20)
    RSVP.objects.create(event=past, member=member, status=RSVP.Status.GOING)
    cancelled = make_event(
        series=series, title="Soirée annulée", days=-10, status=Event.Status.CANCELLED
    )
    RSVP.objects.create(event=cancelled, member=member, status=RSVP.Status.GOING)
    declined = make_event(series=series, title="Soirée déclinée", days=-5)
    RSVP.objects.create(event=declined, member=member, status=RSVP.Status.DECLINED)
    return past


def test_profile_shows_identities_and_events_attended_to_members(client, member, outsider, series):
    Identity.objects.create(
        member=member, network=Network.MASTODON, handle="camille@piaille.fr",
        url="https://piaille.fr/@camille",
    )  # fmt: skip
    past = _attended(series, member)
    client.force_login(outsider)

    response = client.get(member.get_absolute_url())

    body = response.content.decode()
    assert response.status_code == 200
    assert "camille@piaille.fr" in body
    assert [r.event for r in response.context["attended"]] == [past]
    assert past.get_absolute_url() in body
    assert "Soirée annulée" not in body
    assert "Soirée déclinée" not in body


def test_profile_hides_events_attended_from_anonymous_visitors(client, member, series):
    past = _attended(series, member)

    body = client.get(member.get_absolute_url()).content.decode()

    assert member.display_name in body
    assert past.get_absolute_url() not in body


def test_profile_hides_events_of_a_member_not_listed_among_attendees(
    client, member, outsider, series
):
    member.listed_in_attendees = False
    member.save()
    past = _attended(series, member)

    client.force_login(outsider)  # could leak
    assert past.get_absolute_url() not in client.get(member.get_absolute_url()).content.decode()
    client.force_login(member)  # but the member sees their own
    assert past.get_absolute_url() in client.get(member.get_absolute_url()).content.decode()


def test_profile_says_why_events_of_an_unlisted_member_are_not_shown(
    client, member, outsider, series
):
    member.listed_in_attendees = False
    member.save()
    _attended(series, member)
    client.force_login(outsider)

    response = client.get(member.get_absolute_url())

    assert response.context["attended"] == []
    assert (
        '<p class="empty">Ce membre préfère ne pas afficher les événements auxquels il ou elle '
        "participe.</p>" in response.content.decode()
    )


def test_profile_of_a_listed_member_without_events_says_so(client, member, outsider):
    client.force_login(outsider)

    body = client.get(member.get_absolute_url()).content.decode()

    assert '<p class="empty">Aucun événement suivi pour l’instant.</p>' in body


def test_unknown_member_gets_the_404_page(client, db):
    response = client.get(reverse("community:profile", args=["nobody-here"]))

    assert response.status_code == 404
    assert 'class="site-header"' in response.content.decode()


def test_display_name_with_markup_is_shown_as_text(client, db):
    evil = make_member("evil", display_name='<script>alert("x")</script>')

    body = client.get(evil.get_absolute_url()).content.decode()

    assert '<script>alert("x")</script>' not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


@pytest.mark.parametrize("count", [2, 30])
def test_profile_query_count_does_not_grow_with_ties_and_events(
    client, member, outsider, series, django_assert_num_queries, count
):

    for i in range(count):
        other = make_member(f"friend{i}")
        Tie.objects.create(from_member=member, to_member=other, network=Network.X)
        Tie.objects.create(from_member=other, to_member=member, network=Network.X)
        event = make_event(series=series, title=f"Soirée {i}", days=-(i + 2))
        RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
        Identity.objects.create(member=member, network=Network.WEBSITE, handle=f"blog{i}.fr")
    member.ties_visibility = "members"
    member.save()
    client.force_login(outsider)

    # session, user, member, identities, events attended, ties, mutual ties, my ties to
    # them, their ties to me, "do I organise?" (nav)
    with django_assert_num_queries(
        12
    ):  # + data version and header photo (the series colours, the header)
        response = client.get(member.get_absolute_url())

    assert len(response.context["known"]) == count
    assert len(response.context["attended"]) == count


def test_unlisted_member_without_events_reads_no_event_on_their_own_profile(client, member):
    member.listed_in_attendees = False
    member.save()
    client.force_login(member)

    body = client.get(member.get_absolute_url()).content.decode()

    assert '<p class="empty">Aucun événement suivi pour l’instant.</p>' in body
    assert "préfère ne pas afficher" not in body
