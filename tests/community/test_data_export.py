"""A member's copy of their data: one ZIP, everything about them, nothing private of others."""

import datetime as dt
import io
import json
import zipfile

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.urls import reverse

from community import imports
from community.models import Identity, Network, Tie, User
from community.privacy import collect_member_data
from events.models import RSVP, Meeting
from tests.conftest import PASSWORD, make_event, make_member, organise, reauthenticate

NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    # Before any actor is created, so that every stored date is NOW.
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def hidden(db) -> User:
    """A member who hides everything: their ties and their attendance."""
    return make_member(
        "nadia",
        display_name="Nadia Secrète",
        ties_visibility=User.Visibility.NOBODY,
        listed_in_attendees=False,
    )


@pytest.fixture
def history(frozen, member, outsider, hidden, series, venue):
    """Camille's life on the site, with Olivier and a hidden member around her."""
    member.city, member.bio, member.language = "Lille", "Blogueuse culinaire.", "en"
    member.save()
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    Identity.objects.create(member=member, network=Network.MASTODON, handle="camille@piaille.fr")
    Identity.objects.create(
        member=member,
        network=Network.WEBSITE,
        handle="camille-cuisine.fr",
        url="https://camille-cuisine.fr/",
    )
    Identity.objects.create(member=outsider, network=Network.X, handle="olivier_prive")
    Tie.objects.create(from_member=member, to_member=outsider, network=Network.X)
    imports.confirm_import(
        member=member,
        confirmation=imports.Confirmation(
            kind="linkedin",
            filename="Connections.csv",
            rows_read=12,
            ties=[(outsider.pk, Network.LINKEDIN)],
            nonce="export-test",
            since=0,
        ),
    )
    Tie.objects.create(from_member=outsider, to_member=member, network=Network.X)
    Tie.objects.create(from_member=hidden, to_member=member, network=Network.MASTODON)
    Tie.objects.create(from_member=hidden, to_member=member, network=Network.X)
    past = make_event(
        title="Blog en Nord #41",
        start=dt.datetime(2026, 10, 15, 17, 0, tzinfo=dt.UTC),
        series=series,
        venue=venue,
    )
    upcoming = make_event(
        title="Blog en Nord #42", start=dt.datetime(2026, 11, 19, 18, 0, tzinfo=dt.UTC)
    )
    for attendee in (member, outsider, hidden):
        RSVP.objects.create(event=past, member=attendee, status=RSVP.Status.GOING)
    RSVP.objects.create(event=upcoming, member=member, status=RSVP.Status.WAITLISTED)
    a, b = sorted([member, outsider], key=lambda m: m.pk)
    Meeting.objects.create(event=past, member_a=a, member_b=b, recorded_by=member)
    organise(member, series)
    return {"past": past, "upcoming": upcoming}


def download(client):
    response = client.post(reverse("community:data_export"))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return response, archive


def test_export_holds_everything_about_the_member_and_no_private_data_of_others(
    client, member, history
):
    reauthenticate(client, member)

    response, archive = download(client)

    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="rencontres-camille.zip"'
    assert archive.namelist() == ["rencontres.json"]
    assert json.loads(archive.read("rencontres.json")) == {
        "exported_at": "2026-11-02T11:00:00+01:00",
        "profile": {
            "username": "camille",
            "email": "camille@example.org",
            "display_name": "Camille",
            "first_name": "",
            "last_name": "",
            "city": "Lille",
            "bio": "Blogueuse culinaire.",
            "language": "en",
            "ties_visibility": "members",
            "listed_in_attendees": True,
            "date_joined": "2026-11-02T11:00:00+01:00",
            "last_login": "2026-11-02T11:00:00+01:00",
        },
        "email_addresses": [{"email": "camille@example.org", "verified": True, "primary": True}],
        "identities": [
            {
                "network": "mastodon",
                "handle": "camille@piaille.fr",
                "url": "",
                "external_id": "",
                "created_at": "2026-11-02T11:00:00+01:00",
                "verified_at": None,
            },
            {
                "network": "website",
                "handle": "camille-cuisine.fr",
                "url": "https://camille-cuisine.fr/",
                "external_id": "",
                "created_at": "2026-11-02T11:00:00+01:00",
                "verified_at": None,
            },
        ],
        "ties_declared": [
            {
                "member": {"username": "olivier", "display_name": "Olivier"},
                "network": "linkedin",
                "source": "import",
                "created_at": "2026-11-02T11:00:00+01:00",
            },
            {
                "member": {"username": "olivier", "display_name": "Olivier"},
                "network": "x",
                "source": "declared",
                "created_at": "2026-11-02T11:00:00+01:00",
            },
        ],
        "members_with_ties_to_me": 2,
        "imports": [
            {
                "kind": "linkedin",
                "filename": "Connections.csv",
                "rows_read": 12,
                "ties_kept": 1,
                "created_at": "2026-11-02T11:00:00+01:00",
            }
        ],
        "rsvps": [
            {
                "event": "Blog en Nord #41",
                "series": "Blog en Nord",
                "start": "2026-10-15T19:00:00+02:00",
                "end": "2026-10-15T22:00:00+02:00",
                "status": "going",
                "answered_at": "2026-11-02T11:00:00+01:00",
                "status_changed_at": "2026-11-02T11:00:00+01:00",
                "arrived_at": None,
            },
            {
                "event": "Blog en Nord #42",
                "series": None,
                "start": "2026-11-19T19:00:00+01:00",
                "end": "2026-11-19T22:00:00+01:00",
                "status": "waitlisted",
                "answered_at": "2026-11-02T11:00:00+01:00",
                "status_changed_at": "2026-11-02T11:00:00+01:00",
                "arrived_at": None,
            },
        ],
        "meetings": [
            {
                "event": "Blog en Nord #41",
                "event_start": "2026-10-15T19:00:00+02:00",
                "with": [{"username": "olivier", "display_name": "Olivier"}],
                "recorded_by_me": True,
                "created_at": "2026-11-02T11:00:00+01:00",
            }
        ],
        "series_organised": [{"name": "Blog en Nord", "slug": "blog-en-nord"}],
    }


def test_a_hidden_members_tie_to_the_member_is_only_counted(client, member, hidden, history):
    reauthenticate(client, member)

    _response, archive = download(client)

    text = archive.read("rencontres.json").decode()
    for private in ("nadia", "Nadia Secrète", "olivier@example.org", "olivier_prive"):
        assert private.lower() not in text.lower()
    assert json.loads(text)["members_with_ties_to_me"] == 2


def test_export_is_never_cached(client, member, history):
    reauthenticate(client, member)

    page = client.get(reverse("community:data_export"))
    response, _archive = download(client)

    for answer in (page, response):
        directives = {part.strip() for part in answer["Cache-Control"].split(",")}
        assert "no-store" in directives
        assert "private" in directives


def test_the_page_says_what_the_file_holds(client, member, frozen):
    reauthenticate(client, member)

    page = client.get(reverse("community:data_export"), headers={"accept-language": "en"})

    assert page.status_code == 200
    text = page.content.decode()
    assert "how many members say they know you online (the number only" in text
    assert "Download my data" in text


def test_export_asks_for_the_password_again(client, member, frozen):
    client.force_login(member)  # logged in, but never gave the password in this session

    page = client.get(reverse("community:data_export"))
    post = client.post(reverse("community:data_export"))

    for response in (page, post):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert post.get("Content-Disposition") is None


def test_an_old_reauthentication_is_not_enough(client, member, frozen):
    reauthenticate(client, member)

    with time_machine.travel(NOW + dt.timedelta(minutes=10), tick=False):
        response = client.post(reverse("community:data_export"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_after_reauthenticating_the_interrupted_download_goes_on(client, member, history):
    client.force_login(member)
    to_reauth = client.post(reverse("community:data_export"))

    response = client.post(to_reauth["Location"], {"password": PASSWORD})

    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert json.loads(archive.read("rencontres.json"))["profile"]["username"] == "camille"


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(reverse("community:data_export"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_another_part_can_add_a_section_and_a_file(client, member):
    """The extension point a photo (or any later part holding member data) connects to."""

    def add_photo(sender, *, member, export, **kwargs):
        export.data["photo"] = {"file": f"photos/{member.username}.jpg"}
        export.files[f"photos/{member.username}.jpg"] = b"\xff\xd8\xff"

    collect_member_data.connect(add_photo)
    try:
        reauthenticate(client, member)
        _response, archive = download(client)
    finally:
        collect_member_data.disconnect(add_photo)

    assert archive.namelist() == ["rencontres.json", "photos/camille.jpg"]
    assert archive.read("photos/camille.jpg") == b"\xff\xd8\xff"
    assert json.loads(archive.read("rencontres.json"))["photo"] == {"file": "photos/camille.jpg"}
