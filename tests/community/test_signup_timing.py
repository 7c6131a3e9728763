"""Signing up with a registered address does the work a new sign-up does, so the response
time does not tell who is registered: one password hash and one queued email either way."""

from functools import partial

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from community.mail import send_message
from community.models import User

PASSWORD = "un-mot-de-passe-tres-long-42"


class CountingHasher(MD5PasswordHasher):
    """The fast test hasher, counting the passwords it hashes."""

    encoded: list[str] = []

    def encode(self, password, salt):
        CountingHasher.encoded.append(password)
        return super().encode(password, salt)


@pytest.fixture(autouse=True)
def counting_hasher(settings, db):
    settings.PASSWORD_HASHERS = ["tests.community.test_signup_timing.CountingHasher"]
    cache.clear()


def sign_up(client, capture, email: str):
    """Sign up as `email`; the passwords hashed and the emails queued on the way."""
    CountingHasher.encoded.clear()
    with capture() as callbacks:
        response = client.post(
            reverse("account_signup"),
            {
                "email": email,
                "display_name": "Nina Nouvelle",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    queued = [
        cb.keywords["to"]
        for cb in callbacks
        if isinstance(cb, partial) and cb.func == send_message.enqueue
    ]
    return response, list(CountingHasher.encoded), queued


def test_new_and_registered_addresses_hash_once_and_queue_one_email(
    client, django_capture_on_commit_callbacks
):
    member = User.objects.create_user(
        email="camille@example.org", password="autre-mot-de-passe-42", username="camille"
    )
    capture = partial(django_capture_on_commit_callbacks, execute=True)

    new, new_hashed, new_queued = sign_up(client, capture, "nina@example.org")
    client.cookies.clear()
    existing, existing_hashed, existing_queued = sign_up(client, capture, "Camille@Example.org")

    assert (new_hashed, new_queued) == ([PASSWORD], ["nina@example.org"])
    assert (existing_hashed, existing_queued) == ([PASSWORD], [member.email])
    assert (existing.status_code, existing["Location"]) == (new.status_code, new["Location"])
    # The queue did send them: the confirmation to the newcomer, the notice to the owner.
    assert [m.to for m in mail.outbox] == [["nina@example.org"], [member.email]]
    member.refresh_from_db()
    assert member.check_password("autre-mot-de-passe-42")
    assert User.objects.filter(email__iexact=member.email).count() == 1
