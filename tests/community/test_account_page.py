"""« Mon compte »: one page with the profile form and every setting a member has, and the
sensitive changes behind allauth's reauthentication."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from community.models import Identity, ImportBatch, Network, Tie, User
from tests.conftest import PASSWORD, make_member, make_organiser, reauthenticate


@pytest.fixture
def hider(db) -> User:
    """A member who hides everything: ties from nobody, not in attendee lists, no email."""
    user = make_member(
        "hélène",
        display_name="Hélène Discrète",
        ties_visibility=User.Visibility.NOBODY,
        listed_in_attendees=False,
        email_new_dates=False,
        email_changes=False,
        email_reminders=False,
        email_waitlist=False,
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def page(client, language="en"):
    client.cookies["django_language"] = language
    return client.get(reverse("community:account"))


def test_account_page_tells_a_member_who_hides_everything_what_is_hidden(
    client, hider, outsider, django_assert_max_num_queries
):
    Identity.objects.create(member=hider, network=Network.MASTODON, handle="helene@piaille.fr")
    batch = ImportBatch.objects.create(member=hider, kind=ImportBatch.Kind.MASTODON)
    Tie.objects.create(
        from_member=hider, to_member=outsider, network=Network.MASTODON, import_batch=batch
    )
    client.force_login(hider)

    with django_assert_max_num_queries(12):
        response = page(client)

    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].initial["display_name"] == "Hélène Discrète"
    assert "Mastodon: helene@piaille.fr" in body
    assert "1 tie" in body
    assert reverse("community:import_undo", args=[batch.pk]) in body
    assert "<dd>Nobody</dd>" in body
    assert "Hidden: members do not see that I attend" in body
    assert "Account emails only" in body
    assert "hélène@example.org" in body
    for name in (
        "community:photo",
        "community:privacy",
        "community:email_settings",
        "community:import",
        "community:data_export",
        "community:account_delete",
        "account_email",
        "account_change_password",
        "mfa_index",
    ):
        assert f'href="{reverse(name)}"' in body, name


def test_account_page_in_french(client, hider):
    client.force_login(hider)

    body = page(client, "fr").content.decode()

    assert "<h1>Mon compte</h1>" in body
    assert "Enregistrer mon profil" in body
    assert "Masqué\u00a0: les membres ne voient pas que je participe" in body


def test_account_page_is_for_members_only(client):
    response = client.get(reverse("community:account"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_header_links_to_the_account_page(client, member):
    client.force_login(member)

    body = client.get(reverse("events:home"), headers={"accept-language": "en"}).content.decode()

    assert f'<a href="{reverse("community:account")}">My account</a>' in body


def test_profile_edits_are_saved_and_bad_input_keeps_what_was_typed(client, member):
    client.force_login(member)
    client.cookies["django_language"] = "en"

    bad = client.post(
        reverse("community:account"),
        {"display_name": "", "username": "camille", "city": "Lens", "bio": "Blogueuse"},
    )
    assert bad.status_code == 400
    assert bad.context["form"]["city"].value() == "Lens"
    member.refresh_from_db()
    assert member.city == ""

    client.post(
        reverse("community:account"),
        {"display_name": "Camille D.", "username": "camille", "city": "Lens", "bio": "Blogueuse"},
    )
    member.refresh_from_db()
    assert (member.display_name, member.city, member.bio) == ("Camille D.", "Lens", "Blogueuse")


def test_an_organiser_without_a_second_factor_is_told_on_the_account_page(client, series):
    organiser = make_organiser("otto", series, second_factor=False)
    client.force_login(organiser)

    body = page(client).content.decode()

    assert "organiser pages and the admin open once you have set up a second factor" in body
    assert "Turn on two-factor authentication" in body


# Each sensitive change, as a request that allauth's reauthentication must stop.
SENSITIVE = {
    "email change": ("post", "account_email", {"action_add": "", "email": "new@example.org"}),
    "authenticator app": ("get", "mfa_activate_totp", {}),
    "recovery codes": ("get", "mfa_generate_recovery_codes", {}),
    "data export": ("post", "community:data_export", {}),
    "account deletion": ("post", "community:account_delete", {"email": "camille@example.org"}),
    "contact import": ("get", "community:import", {}),
    "contact import upload": ("post", "community:import", {"kind": "handles"}),
    "contact import confirm": ("post", "community:import_confirm", {"token": "x"}),
}


@pytest.mark.parametrize("action", SENSITIVE)
def test_sensitive_changes_ask_for_the_password_again(client, member, action):
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    method, name, data = SENSITIVE[action]
    client.force_login(member)  # logged in a while ago: no recent password

    response = getattr(client, method)(reverse(name), data)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    member.refresh_from_db()
    assert member.is_active
    assert list(EmailAddress.objects.filter(user=member).values_list("email", flat=True)) == [
        member.email
    ]


def test_a_password_change_asks_for_the_current_password(client, member):
    # allauth's own form for it: the current password is the reauthentication.
    client.force_login(member)
    client.cookies["django_language"] = "en"
    new = "un-autre-mot-de-passe-42"

    refused = client.post(
        reverse("account_change_password"),
        {"oldpassword": "not-it", "password1": new, "password2": new},
    )

    assert refused.status_code == 200
    assert "oldpassword" in refused.context["form"].errors
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
    client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    member.refresh_from_db()
    assert member.check_password(new)


def test_after_the_password_the_import_goes_on(client, member):
    reauthenticate(client, member)
    client.cookies["django_language"] = "en"

    response = client.post(
        reverse("community:import"),
        {
            "kind": "handles",
            "network": "mastodon",
            "file": SimpleUploadedFile("handles.csv", b"nobody@example.social\n"),
        },
    )

    assert response.status_code == 200
    assert response.context["preview"].matches == []


def test_an_organiser_with_a_second_factor_may_change_their_email_address(
    client, series, django_capture_on_commit_callbacks
):
    organiser = make_organiser("orla", series)
    EmailAddress.objects.create(user=organiser, email=organiser.email, verified=True, primary=True)
    reauthenticate(client, organiser)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_email"), {"action_add": "", "email": "orla@new.example"})

    new = EmailAddress.objects.get(user=organiser, email="orla@new.example")
    assert not new.verified  # until she confirms it from the new mailbox
    assert [m.to for m in mail.outbox] == [["orla@new.example"]]
