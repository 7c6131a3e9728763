"""Verified identities: the page of the account links back to the profile with rel="me"."""

import json
import socket

import pytest
from django.urls import reverse

from community import verification
from community.models import Identity, Network, Tie
from tests.conftest import make_member


@pytest.fixture
def camille(db):
    return make_member("camille-d")


def profile_of(member) -> str:
    return verification.profile_url(member)


def claim(member, web, path="/", network=Network.WEBSITE, handle="blog.example"):
    return Identity.objects.create(member=member, network=network, handle=handle, url=web.url(path))


def check(identity) -> Identity:
    verification.check_identity.call(identity_id=identity.pk)
    identity.refresh_from_db()
    return identity


def test_a_blog_linking_back_with_rel_me_is_verified(web, camille):
    web.route("/", body=f'<html><body><a rel="me" href="{profile_of(camille)}">Rencontres</a>')
    identity = check(claim(camille, web))
    assert identity.is_verified
    assert identity.check_problem == ""


def test_a_link_without_rel_me_does_not_verify(web, camille):
    web.route("/", body=f'<a href="{profile_of(camille)}">Rencontres</a>')
    identity = check(claim(camille, web))
    assert not identity.is_verified
    assert identity.check_problem == Identity.Problem.NO_LINK


def test_a_rel_me_link_to_someone_elses_profile_does_not_verify(web, camille):
    other = make_member("thomas")
    web.route("/", body=f'<link rel="me" href="{profile_of(other)}">')
    assert not check(claim(camille, web)).is_verified


def test_mastodon_profile_fields_of_the_activitypub_actor(web, camille):
    actor = {
        "type": "Person",
        "summary": "<p>Blogueuse lilloise</p>",
        "attachment": [
            {
                "type": "PropertyValue",
                "name": "Rencontres",
                "value": f'<a href="{profile_of(camille)}" rel="nofollow noopener me">x</a>',
            }
        ],
    }
    web.route(
        "/@camille",
        body=json.dumps(actor),
        headers={"Content-Type": "application/activity+json; charset=utf-8"},
    )
    identity = claim(
        camille, web, "/@camille", network=Network.MASTODON, handle="camille@social.example"
    )
    assert check(identity).is_verified
    assert web.requests[0]["headers"]["Accept"].startswith("application/activity+json")


def test_a_page_that_no_longer_links_back_loses_its_verification(web, camille):
    web.route("/", body=f'<a rel="me" href="{profile_of(camille)}">me</a>')
    identity = check(claim(camille, web))
    assert identity.is_verified
    web.route("/", body="<p>Nouveau thème, plus de liens</p>")
    identity = check(identity)
    assert not identity.is_verified
    assert identity.check_problem == Identity.Problem.NO_LINK


def test_an_unreachable_page_keeps_the_verification_and_says_why(web, camille):
    web.route("/", body=f'<a rel="me" href="{profile_of(camille)}">me</a>')
    identity = check(claim(camille, web))
    web.route("/", status=503, body="maintenance")
    identity = check(identity)
    assert identity.is_verified
    assert identity.check_problem == "status"


def test_a_hostile_page_is_a_problem_not_a_crash(web, camille):
    from tests.local_web import endless

    web.route("/", handler=endless)
    identity = check(claim(camille, web))
    assert not identity.is_verified
    assert identity.check_problem == "too_big"


def test_the_default_settings_never_fetch_a_private_address(web, camille, settings):
    web.route("/", body=f'<a rel="me" href="{profile_of(camille)}">me</a>')
    settings.FETCH_ALLOWED_TEST_NETWORKS = []
    identity = check(claim(camille, web))
    assert not identity.is_verified
    assert identity.check_problem == "private"
    assert web.requests == []


def test_x_claims_cannot_be_verified(camille):
    identity = Identity.objects.create(
        member=camille, network=Network.X, handle="elonmusk", url="https://x.com/elonmusk"
    )
    assert check(identity).check_problem == Identity.Problem.NOT_CHECKABLE
    assert not identity.is_verified


def test_a_verified_claim_wins_over_an_earlier_unverified_one(web, camille, client):
    squatter = make_member("squatter")
    importer = make_member("importer")
    first = Identity.objects.create(
        member=squatter, network=Network.WEBSITE, handle="blog.example", url="https://blog.example/"
    )
    assert list(Identity.objects.standing()) == [first]
    web.route("/", body=f'<a rel="me" href="{profile_of(camille)}">me</a>')
    mine = check(claim(camille, web))
    assert mine.is_verified
    assert list(Identity.objects.standing()) == [mine]
    first.refresh_from_db()
    assert first.check_problem == Identity.Problem.TAKEN
    # Imports now find the verified owner, not the first claimant.
    from community import imports

    parsed = imports.Parsed()
    parsed.handles.setdefault(Network.WEBSITE, set()).add("blog.example")
    found = imports._matching_identities(member=importer, parsed=parsed)
    assert [i.member for i in found] == [camille]
    # The squatter's public profile no longer shows the handle; their own view says why.
    client.force_login(importer)
    page = client.get(
        reverse("community:profile", args=["squatter"]), headers={"accept-language": "en"}
    )
    assert "blog.example" not in page.content.decode()
    client.force_login(squatter)
    page = client.get(
        reverse("community:profile", args=["squatter"]), headers={"accept-language": "en"}
    )
    assert "Another member has verified this identity." in page.content.decode()
    assert Tie.objects.count() == 0


def test_nobody_can_claim_a_handle_another_member_verified(web, camille, client):
    web.route("/", body=f'<a rel="me" href="{profile_of(camille)}">me</a>')
    check(claim(camille, web))
    other = make_member("other")
    client.force_login(other)
    response = client.post(
        reverse("community:identity_add"),
        {"network": "website", "value": "https://blog.example/"},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 400
    assert "Another member has verified this identity." in response.content.decode()
    assert not Identity.objects.filter(member=other).exists()


def test_adding_an_identity_queues_its_check(
    client, camille, monkeypatch, django_capture_on_commit_callbacks
):
    def no_dns(host, *args, **kwargs):
        raise socket.gaierror("no such host")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    client.force_login(camille)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("community:identity_add"), {"network": "website", "value": "blog.example"}
        )
    identity = Identity.objects.get(member=camille)
    assert identity.checked_at is not None
    assert identity.check_problem == "unreachable"
    page = client.get(
        reverse("community:profile", args=["camille-d"]), headers={"accept-language": "fr"}
    )
    assert "non vérifié" in page.content.decode()
    assert "Le serveur n’a pas pu être joint." in page.content.decode()


def test_the_member_asks_for_a_new_check(web, camille, client, django_capture_on_commit_callbacks):
    web.route("/", body="<p>rien</p>")
    identity = check(claim(camille, web))
    assert not identity.is_verified
    web.route("/", body=f'<a rel="me" href="{profile_of(camille)}">me</a>')
    type(identity).objects.filter(pk=identity.pk).update(checked_at=None)
    client.force_login(camille)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("community:identity_check", args=[identity.pk]))
    identity.refresh_from_db()
    assert identity.is_verified
    page = client.get(
        reverse("community:profile", args=["camille-d"]), headers={"accept-language": "en"}
    )
    assert "verified" in page.content.decode()
    # At most once a minute: the next request fetches nothing.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("community:identity_check", args=[identity.pk]),
            headers={"accept-language": "en"},
            follow=True,
        )
    assert "checked less than a minute ago" in response.content.decode()
    assert len(web.requests) == 2


def test_only_the_owner_may_ask_for_a_check(web, camille, client):
    web.route("/", body="<p>rien</p>")
    identity = claim(camille, web)
    client.force_login(make_member("outsider"))
    response = client.post(reverse("community:identity_check", args=[identity.pk]))
    assert response.status_code == 404
    assert web.requests == []


def test_profile_says_which_claims_are_not_verified(web, camille, client):
    web.route("/", body=f'<a rel="me" href="{profile_of(camille)}">me</a>')
    check(claim(camille, web))
    Identity.objects.create(
        member=camille, network=Network.X, handle="camille_d", url="https://x.com/camille_d"
    )
    page = client.get(
        reverse("community:profile", args=["camille-d"]), headers={"accept-language": "en"}
    )
    html = page.content.decode()
    assert html.count('class="identity-state identity-verified"') == 1
    assert html.count('class="identity-state identity-unverified"') == 1


def test_the_daily_command_checks_every_verifiable_identity_again(web, camille):
    from django.core.management import call_command

    web.route("/", body=f'<a rel="me" href="{profile_of(camille)}">me</a>')
    blog = claim(camille, web)
    x = Identity.objects.create(member=camille, network=Network.X, handle="camille_d")
    call_command("check_identities")
    blog.refresh_from_db()
    x.refresh_from_db()
    assert blog.is_verified
    assert x.checked_at is None  # X is never fetched
