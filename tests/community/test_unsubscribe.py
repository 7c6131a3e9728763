"""Email settings per kind, and the one-click unsubscribe link of every non-essential email."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from community.mail import unsubscribe_token, unsubscribe_url
from community.models import EmailKind
from events import rsvps
from events.models import RSVP
from events.notifications import notify_cancelled, notify_published
from tests.conftest import make_event, make_member

SITE = "https://rencontres.example"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def promoted_mail(member, series, django_capture_on_commit_callbacks):
    """Camille waits for the only seat; Ana gives it up and Camille is told by email."""
    full = make_event(series=series, capacity=1)
    ana = make_member("ana")
    RSVP.objects.create(event=full, member=ana, status=RSVP.Status.GOING)
    RSVP.objects.create(event=full, member=member, status=RSVP.Status.WAITLISTED)
    with django_capture_on_commit_callbacks(execute=True):
        rsvps.cancel(event=full, member=ana)
    [message] = mail.outbox
    return message


def test_waitlist_news_carries_one_click_unsubscribe_headers_and_link(member, promoted_mail):
    url = unsubscribe_url(member, EmailKind.WAITLIST)

    assert promoted_mail.to == [member.email]
    assert url.startswith(f"{SITE}/members/me/emails/unsubscribe/")
    assert promoted_mail.extra_headers == {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Message-ID": promoted_mail.extra_headers["Message-ID"],
    }
    assert promoted_mail.extra_headers["Message-ID"].endswith("@rencontres.example>")
    message = promoted_mail.message()
    assert message["List-Unsubscribe"] == f"<{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert promoted_mail.body.endswith(
        "--\n"
        "Vous recevez cet e-mail parce que «\u00a0Nouvelles de la liste d’attente (une place "
        "s’est libérée pour moi)\u00a0» est activé dans vos réglages des e-mails.\n"
        f"Ne plus recevoir ces e-mails en un clic\u00a0: {url}\n"
        f"Tous vos réglages des e-mails\u00a0: {SITE}/members/me/emails/\n"
    )


def test_the_link_asks_on_get_and_unsubscribes_on_a_post_without_csrf_token(member, promoted_mail):
    path = reverse("community:unsubscribe", args=[unsubscribe_token(member, "waitlist")])
    # A mail client's one-click POST: no session, no cookie, no CSRF token.
    client = Client(enforce_csrf_checks=True)

    page = client.get(path)
    member.refresh_from_db()
    assert page.status_code == 200
    assert member.email_waitlist is True
    assert "Ne plus recevoir les e-mails «\u00a0Nouvelles de la liste d’attente" in (
        page.content.decode()
    )

    done = client.post(path, {"List-Unsubscribe": "One-Click"})
    member.refresh_from_db()
    assert done.status_code == 200
    assert "vous ne recevrez plus les e-mails «\u00a0Nouvelles de la liste" in (
        done.content.decode()
    )
    assert (member.email_waitlist, member.email_changes, member.email_new_dates) == (
        False,
        True,
        True,
    )


def test_a_tampered_token_is_404_and_changes_nothing(member, outsider):
    token = unsubscribe_token(member, EmailKind.CHANGES)
    value, signature = token.split(":")
    forged = [
        f"{outsider.pk}.changes:{signature}",  # somebody else
        f"{member.pk}.waitlist:{signature}",  # another kind
        f"{value}:{signature[:-2]}xx",
        "nope",
    ]

    for bad in forged:
        path = reverse("community:unsubscribe", args=[bad])
        assert Client().get(path).status_code == 404
        assert Client().post(path).status_code == 404

    member.refresh_from_db()
    outsider.refresh_from_db()
    assert member.email_changes and member.email_waitlist and outsider.email_changes


def test_an_unknown_kind_signed_correctly_is_404(member):
    from django.core import signing

    from community.mail import UNSUBSCRIBE_SALT

    token = signing.Signer(salt=UNSUBSCRIBE_SALT).sign(f"{member.pk}.is_staff")

    assert Client().post(reverse("community:unsubscribe", args=[token])).status_code == 404


def test_an_unsubscribed_member_gets_no_email_of_that_kind_but_still_account_emails(
    client, member, outsider, event, django_capture_on_commit_callbacks
):
    RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
    RSVP.objects.create(event=event, member=outsider, status=RSVP.Status.GOING)
    Client().post(reverse("community:unsubscribe", args=[unsubscribe_token(member, "changes")]))

    with django_capture_on_commit_callbacks(execute=True):
        notify_cancelled(event=event)
    assert [m.to for m in mail.outbox] == [[outsider.email]]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": member.email})
    [reset] = mail.outbox
    assert reset.to == [member.email]
    # Account emails are essential: no way to turn them off, no unsubscribe header.
    assert "List-Unsubscribe" not in reset.extra_headers
    assert "/unsubscribe/" not in reset.body


def test_turning_off_changes_keeps_new_dates(
    member, series, venue, django_capture_on_commit_callbacks
):
    past = make_event(series=series, venue=venue, days=-20)
    RSVP.objects.create(event=past, member=member, status=RSVP.Status.GOING)
    member.stop_email(EmailKind.CHANGES)
    new_date = make_event(series=series, venue=venue, days=30)

    with django_capture_on_commit_callbacks(execute=True):
        notify_published(event=new_date)

    [message] = mail.outbox
    assert message.to == [member.email]
    assert message.extra_headers["List-Unsubscribe"] == (
        f"<{unsubscribe_url(member, EmailKind.NEW_DATES)}>"
    )

    mail.outbox.clear()
    member.stop_email(EmailKind.NEW_DATES)
    with django_capture_on_commit_callbacks(execute=True):
        notify_published(event=new_date)
    assert mail.outbox == []


def test_email_settings_page_needs_login(client, member):
    response = client.get(reverse("community:email_settings"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_email_settings_page_saves_each_kind(member_client, member):
    page = member_client.get(reverse("community:email_settings")).content.decode()
    assert page.count('type="checkbox"') == 4
    assert "Rappels avant mes événements" in page

    response = member_client.post(
        reverse("community:email_settings"), {"email_new_dates": "on", "email_reminders": "on"}
    )

    member.refresh_from_db()
    assert response["Location"] == reverse("community:email_settings")
    assert (
        member.email_new_dates,
        member.email_changes,
        member.email_reminders,
        member.email_waitlist,
    ) == (True, False, True, False)
    assert [member.wants_email(kind) for kind in EmailKind] == [True, False, True, False]


def test_my_events_links_to_the_email_settings(member_client):
    page = member_client.get(reverse("events:my_events")).content.decode()

    assert f'href="{reverse("community:email_settings")}"' in page


def test_the_unsubscribe_footer_is_in_the_members_language(
    member, event, django_capture_on_commit_callbacks
):
    member.language = "en"
    member.save()
    RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)

    with django_capture_on_commit_callbacks(execute=True):
        notify_cancelled(event=event)

    [message] = mail.outbox
    url = unsubscribe_url(member, EmailKind.CHANGES)
    assert message.body.endswith(
        "--\n"
        "You receive this email because “Changes to my events (new time, new place, "
        "cancellation)” is on in your email settings.\n"
        f"Stop these emails in one click: {url}\n"
        f"All your email settings: {SITE}/members/me/emails/\n"
    )
