"""The one mail path: the recipient's language, plain-text subjects, a task per message sent
once the transaction commits, and links on SITE_URL only (account emails included)."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.tasks.signals import task_finished
from django.urls import reverse

from community.mail import send_mail
from community.models import User
from events import rsvps
from events.models import RSVP
from events.notifications import notify_cancelled
from tests.conftest import make_event, make_member

SITE = "https://rencontres.example"


@pytest.fixture(autouse=True)
def site_url(settings, db):
    settings.SITE_URL = SITE
    cache.clear()  # allauth's rate limits


def test_promotion_email_is_in_the_language_of_each_member(
    series, django_capture_on_commit_callbacks
):
    event = make_event(series=series, title="Apéro", capacity=2)
    ana, bob = make_member("ana"), make_member("bob")
    anglo = make_member("emma", language="en")
    franco = make_member("francis", language="fr")
    for member in (ana, bob, anglo, franco):
        rsvps.rsvp(event=event, member=member, going=True)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        rsvps.cancel(event=event, member=ana)
        rsvps.cancel(event=event, member=bob)

    english, french = mail.outbox
    assert (english.to, french.to) == ([anglo.email], [franco.email])
    assert english.subject == "[Rencontres] A seat is yours: Apéro"
    assert english.body.startswith("Hello Emma,\n")
    assert french.subject == "[Rencontres] Une place est pour vous\u00a0: Apéro"
    assert french.body.startswith("Bonjour Francis,\n")
    assert f"{SITE}{event.get_absolute_url()}" in french.body


def test_subjects_and_bodies_are_plain_text_never_html_escaped(
    series, django_capture_on_commit_callbacks
):
    title = "Tom's <b>Web</b> & Co"
    event = make_event(series=series, title=title)
    member = make_member("ana", language="en")
    RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)

    with django_capture_on_commit_callbacks(execute=True):
        notify_cancelled(event=event)

    [message] = mail.outbox
    assert message.subject == f"[Rencontres] Cancelled: {title}"
    assert f"{title} is cancelled." in message.body
    assert "&" + "amp;" not in message.body + message.subject
    assert "&#x27;" not in message.body + message.subject


def test_a_title_with_a_line_break_stays_on_the_subject_line(
    series, django_capture_on_commit_callbacks
):
    member = make_member("ana", language="en")

    with django_capture_on_commit_callbacks(execute=True):
        send_mail(
            [member],
            template_prefix="events/email/promoted",
            context={"member": member, "event": make_event(title="Un\r\nDeux"), "url": "/"},
        )

    assert mail.outbox[0].subject == "[Rencontres] A seat is yours: Un Deux"


def test_each_recipient_gets_one_message_through_a_task_after_commit(
    series, django_capture_on_commit_callbacks
):
    event = make_event(series=series)
    members = [make_member(name) for name in ("ana", "bob", "cyd")]
    for member in members:
        RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
    finished = []

    def record(sender, task_result, **kwargs):
        finished.append(task_result)

    task_finished.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            notify_cancelled(event=event)
            assert mail.outbox == []  # nothing before the commit
    finally:
        task_finished.disconnect(record)
    assert len(callbacks) == 3
    assert [m.to for m in mail.outbox] == [[m.email] for m in members]
    assert [(r.task.name, r.status, r.kwargs["to"]) for r in finished] == [
        ("send_message", "SUCCESSFUL", m.email) for m in members
    ]


def test_nothing_is_sent_when_the_transaction_rolls_back(
    series, django_capture_on_commit_callbacks
):
    event = make_event(series=series)
    RSVP.objects.create(event=event, member=make_member("ana"), status=RSVP.Status.GOING)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify_cancelled(event=event)
        raise RuntimeError

    assert (callbacks, mail.outbox) == ([], [])


def urls_in(text: str) -> set[str]:
    return set(re.findall(r"https?://[^/\s]+", text))


def test_password_reset_email_has_only_site_url_and_the_members_language(
    client, django_capture_on_commit_callbacks
):
    member = make_member("emma", language="en")
    client.cookies["django_language"] = "fr"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": member.email})

    [message] = mail.outbox
    assert message.to == [member.email]
    assert message.subject == "[Rencontres] Password Reset Email"
    assert urls_in(message.body) == {SITE}
    assert "rencontres.example" in message.body  # the signature names the public site
    assert "127.0.0.1" not in message.body
    assert "testserver" not in message.body
    link = re.search(rf"{SITE}(/accounts/password/reset/key/\S+/)", message.body)[1]
    assert client.get(link).status_code == 302  # the key link works


def test_unknown_address_is_answered_in_the_visitors_language_with_site_url_links(
    client, django_capture_on_commit_callbacks
):
    client.cookies["django_language"] = "en"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    [message] = mail.outbox
    assert message.subject == "[Rencontres] Unknown Account"
    assert urls_in(message.body) == {SITE}
    assert f"{SITE}{reverse('account_signup')}" in message.body


def test_signing_up_in_english_keeps_english_for_the_confirmation_and_later_mail(
    client, django_capture_on_commit_callbacks
):
    client.cookies["django_language"] = "en"
    password = "un-mot-de-passe-tres-long-42"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {
                "email": "nina@example.org",
                "display_name": "Nina",
                "password1": password,
                "password2": password,
            },
        )

    [message] = mail.outbox
    assert message.subject == "[Rencontres] Please Confirm Your Email Address"
    assert re.search(rf"{SITE}/accounts/confirm-email/\S+/", message.body)
    assert urls_in(message.body) == {SITE}
    assert User.objects.get(email="nina@example.org").language == "en"
