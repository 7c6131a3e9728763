"""Identities and ties on profiles, and who sees them."""

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import Identity, Network, Tie, User
from community.ties import profile_ties
from tests.conftest import make_member


def add_identity(client, network, value):
    return client.post(
        reverse("community:identity_add"),
        {"network": network, "value": value},
        headers={"accept-language": "en"},
    )


def test_member_adds_a_normalised_identity(member_client, member):
    response = add_identity(member_client, "x", "https://twitter.com/Camille_D/")
    assert response.status_code == 302
    identity = Identity.objects.get(member=member)
    assert (identity.network, identity.handle, identity.url) == (
        "x",
        "camille_d",
        "https://x.com/camille_d",
    )


def test_identity_verified_by_another_member_is_refused(member_client, member, outsider):
    Identity.objects.create(
        member=outsider,
        network="mastodon",
        handle="nick@mastodon.social",
        verified_at=timezone.now(),
    )
    response = add_identity(member_client, "mastodon", "https://mastodon.social/@Nick")
    assert response.status_code == 400
    assert "Another member has verified this identity." in response.content.decode()
    assert not Identity.objects.filter(member=member).exists()


def test_identity_claimed_unverified_by_another_member_may_be_claimed_too(
    member_client, member, outsider
):
    """Anyone can claim any handle: the first claim stands until another one is verified."""
    first = Identity.objects.create(
        member=outsider, network="mastodon", handle="nick@mastodon.social"
    )
    response = add_identity(member_client, "mastodon", "https://mastodon.social/@Nick")
    assert response.status_code == 302
    assert Identity.objects.filter(member=member, handle="nick@mastodon.social").exists()
    assert list(Identity.objects.standing()) == [first]


def test_same_identity_twice_is_refused_kindly(member_client, member):
    add_identity(member_client, "website", "https://www.camille.example/")
    response = add_identity(member_client, "website", "camille.example")
    assert response.status_code == 400
    assert "already added this identity" in response.content.decode()
    assert Identity.objects.filter(member=member).count() == 1


def test_invalid_identity_gets_a_form_error(member_client, member):
    response = add_identity(member_client, "mastodon", "just-a-nick")
    assert response.status_code == 400
    assert "names its server too" in response.content.decode()


def test_member_deletes_own_identity_but_not_anothers(member_client, member, outsider):
    mine = Identity.objects.create(member=member, network="x", handle="camille")
    theirs = Identity.objects.create(member=outsider, network="x", handle="olivier")
    member_client.post(reverse("community:identity_delete", args=[mine.pk]))
    response = member_client.post(reverse("community:identity_delete", args=[theirs.pk]))
    assert response.status_code == 404
    assert list(Identity.objects.values_list("handle", flat=True)) == ["olivier"]


def test_i_know_them_online_and_remove_it(member_client, member, outsider):
    url = reverse("community:tie_add", args=[outsider.username])
    assert member_client.post(url, {"network": "mastodon"}).status_code == 302
    tie = Tie.objects.get()
    assert (tie.from_member, tie.to_member, tie.network, tie.source) == (
        member,
        outsider,
        "mastodon",
        "declared",
    )
    member_client.post(reverse("community:tie_delete", args=[tie.pk]))
    assert Tie.objects.count() == 0


def test_tie_with_a_tampered_network_is_a_400(member_client, member, outsider):
    url = reverse("community:tie_add", args=[outsider.username])
    assert member_client.post(url, {"network": "myspace"}).status_code == 400
    assert (
        member_client.post(reverse("community:tie_add", args=[member.username])).status_code == 400
    )
    assert Tie.objects.count() == 0


def test_cannot_delete_someone_elses_tie(member_client, member, outsider):
    other = make_member("zoe")
    tie = Tie.objects.create(from_member=outsider, to_member=other, network="x")
    assert member_client.post(reverse("community:tie_delete", args=[tie.pk])).status_code == 404
    assert Tie.objects.filter(pk=tie.pk).exists()


def test_mutual_tie_is_shown_as_such(member_client, member, outsider):
    Tie.objects.create(from_member=member, to_member=outsider, network="x")
    Tie.objects.create(from_member=outsider, to_member=member, network="x")
    response = member_client.get(outsider.get_absolute_url())
    assert [t.is_mutual for t in response.context["my_ties_to_member"]] == [True]
    assert [t.is_mutual for t in response.context["known"]] == [True]


@pytest.mark.parametrize(
    ("visibility", "anonymous_sees", "member_sees"),
    [
        (User.Visibility.EVERYONE, True, True),
        (User.Visibility.MEMBERS, False, True),
        (User.Visibility.NOBODY, False, False),
    ],
)
def test_profile_ties_honour_ties_visibility(
    client, member, outsider, visibility, anonymous_sees, member_sees
):
    zoe = make_member("zoe", display_name="Zoé Unique")
    outsider.ties_visibility = visibility
    outsider.save()
    Tie.objects.create(from_member=outsider, to_member=zoe, network="x")
    assert ("Zoé Unique" in client.get(outsider.get_absolute_url()).content.decode()) is (
        anonymous_sees
    )
    client.force_login(member)
    assert ("Zoé Unique" in client.get(outsider.get_absolute_url()).content.decode()) is (
        member_sees
    )
    client.force_login(outsider)
    assert "Zoé Unique" in client.get(outsider.get_absolute_url()).content.decode()


def test_privacy_settings_are_saved(member_client, member):
    response = member_client.post(
        reverse("community:privacy"), {"ties_visibility": "nobody", "listed_in_attendees": ""}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.ties_visibility, member.listed_in_attendees) == ("nobody", False)


def test_privacy_page_needs_login(client, db):
    assert client.get(reverse("community:privacy")).status_code == 302


def test_own_profile_lists_imports_and_network_choices(member_client, member):
    response = member_client.get(member.get_absolute_url())
    assert response.status_code == 200
    assert response.context["is_self"] is True
    assert ("x", Network.X.label) in response.context["networks"]


def test_identity_sent_twice_at_the_same_moment_is_a_form_error_not_a_500(
    member_client, member, monkeypatch
):
    from community import forms as ties_forms

    def clean_without_check(form):
        data = form.cleaned_data
        # The same claim, sent from another tab, lands between the form's check and the insert.
        Identity.objects.create(member=member, network="x", handle="nick")
        data["handle"], data["url"] = "nick", "https://x.com/nick"
        return data

    monkeypatch.setattr(ties_forms.IdentityForm, "clean", clean_without_check)
    response = add_identity(member_client, "x", "@nick")
    assert response.status_code == 400
    assert "already added this identity" in response.content.decode()
    assert list(Identity.objects.values_list("member", flat=True)) == [member.pk]


def test_mutual_is_shown_only_when_the_viewer_may_see_both_directions(client, member):
    hidden = make_member("hilda", ties_visibility=User.Visibility.NOBODY)
    visible = make_member("victor", ties_visibility=User.Visibility.MEMBERS)
    Tie.objects.create(from_member=visible, to_member=hidden, network=Network.MASTODON)
    Tie.objects.create(from_member=hidden, to_member=visible, network=Network.MASTODON)
    client.force_login(member)

    on_victor = profile_ties(member=visible, viewer=member)
    [tie] = on_victor["known"]
    assert (tie.to_member, tie.is_mutual) == (hidden, False)

    # Hilda herself sees her tie back, and her own profile shows hers as mutual.
    [own] = profile_ties(member=visible, viewer=hidden)["known"]
    assert own.is_mutual is True


def test_a_hidden_member_never_shows_mutual_on_the_viewers_own_ties(member):
    hidden = make_member("hilda", ties_visibility=User.Visibility.NOBODY)
    Tie.objects.create(from_member=member, to_member=hidden, network=Network.X)
    Tie.objects.create(from_member=hidden, to_member=member, network=Network.X)

    [mine] = profile_ties(member=hidden, viewer=member)["my_ties_to_member"]

    assert mine.is_mutual is False
