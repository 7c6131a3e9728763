"""Accounts with django-allauth: sign up, verification, log in, rate limits, no enumeration."""

import re
from html.parser import HTMLParser

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from community.models import User
from tests.conftest import PASSWORD

NEW_PASSWORD = "un-mot-de-passe-tres-long-42"


@pytest.fixture(autouse=True)
def fresh_rate_limits(db):
    cache.clear()


def signup(client, email="nouvelle@example.org", **extra):
    data = {
        "email": email,
        "display_name": "Nina Nouvelle",
        "city": "Roubaix",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **extra,
    }
    return client.post(reverse("account_signup"), data)


def login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_signup_verify_by_email_link_then_log_in(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(client)

    assert response.status_code == 302
    user = User.objects.get(email="nouvelle@example.org")
    assert (user.display_name, user.city) == ("Nina Nouvelle", "Roubaix")
    [message] = mail.outbox
    assert message.to == ["nouvelle@example.org"]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", message.body)[1]

    # Mandatory verification: no session until the address is confirmed.
    assert login(client, "nouvelle@example.org", NEW_PASSWORD).status_code == 302
    assert "_auth_user_id" not in client.session

    assert client.get(link).status_code == 200  # a confirmation page, not a state change
    client.post(link)
    assert user.emailaddress_set.get().verified

    login(client, "nouvelle@example.org", NEW_PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signup_page_is_in_the_site_layout_french_by_default_with_labelled_fields(client, db):
    body = client.get(reverse("account_signup")).content.decode()

    assert '<html lang="fr">' in body
    assert 'class="site-header"' in body
    assert "Nom affiché" in body
    for field_id in re.findall(r'<input[^>]+type="(?:text|email|password)"[^>]*id="([^"]+)"', body):
        assert f'<label for="{field_id}">' in body


def test_login_page_in_english_on_request(client, db):
    client.cookies["django_language"] = "en"
    body = client.get(reverse("account_login")).content.decode()

    assert '<html lang="en">' in body
    assert '<button type="submit">Log in</button>' in body
    assert 'class="site-header"' in body


def test_over_long_display_name_is_a_form_error(client, db):
    client.cookies["django_language"] = "en"
    response = signup(client, display_name="x" * 81)

    assert response.status_code == 200
    assert "Ensure this value has at most 80 characters" in response.content.decode()
    assert not User.objects.exists()


def test_signup_with_an_existing_email_answers_like_a_new_one(
    client, member, django_capture_on_commit_callbacks
):
    new = signup(client, email="someone-new@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        existing = signup(client, email=member.email.upper())

    assert (existing.status_code, existing["Location"]) == (new.status_code, new["Location"])
    assert User.objects.filter(email__iexact=member.email).count() == 1
    # The owner of the address hears about it; the person signing up learns nothing.
    assert [m.to for m in mail.outbox] == [[member.email]]


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(
    client, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("account_reset_password"), {"email": member.email})
        unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert sorted(m.to[0] for m in mail.outbox) == sorted([member.email, "nobody@example.org"])


def test_wrong_password_and_unknown_email_get_the_same_login_error(client, member):
    client.cookies["django_language"] = "en"
    wrong = login(client, member.email, "not-the-password")
    unknown = login(client, "nobody@example.org", "not-the-password")

    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].errors == unknown.context["form"].errors


def verified(user: User) -> User:
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_verified_member_logs_in_despite_a_few_failures(client, member):
    verified(member)
    for _ in range(4):
        login(client, member.email, "wrong-password")

    login(client, member.email, PASSWORD)

    assert client.session["_auth_user_id"] == str(member.pk)


def test_login_rate_limit_lives_in_the_shared_cache(client, member):
    verified(member)
    backend = settings.CACHES["default"]["BACKEND"]
    assert backend in (
        "django.core.cache.backends.db.DatabaseCache",
        "django.core.cache.backends.redis.RedisCache",
    )
    for _ in range(5):  # "5/5m/key": five failures for one address
        login(client, member.email, "wrong-password")

    # The right password is now refused too, until the window passes.
    response = login(client, member.email, PASSWORD)
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)

    if backend.endswith("DatabaseCache"):
        table = settings.CACHES["default"]["LOCATION"]
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT cache_key FROM "{table}"')  # noqa: S608 - our own setting
            keys = [row[0] for row in cursor.fetchall()]
        # In the database every worker and server reads, not in this process's memory.
        assert any("login_failed" in key for key in keys)


def test_change_email_page_is_in_the_site_layout(member_client):
    response = member_client.get(reverse("account_email"))

    assert response.status_code == 200
    assert 'class="site-header"' in response.content.decode()


def test_log_out_ends_the_session(member_client):
    response = member_client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in member_client.session


def test_logging_in_from_an_rsvp_comes_back_to_the_event(client, member, event):
    verified(member)
    to_login = client.post(reverse("events:rsvp", args=[event.slug]), {"answer": "going"})

    response = client.post(to_login["Location"], {"login": member.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url()
    assert client.session["_auth_user_id"] == str(member.pk)


class _BlocksInPhrasing(HTMLParser):
    """Records every block element opened inside a <span> or a <p>: markup the HTML
    specification forbids (a <p> ends where a block starts; a <span> holds phrasing only)."""

    BLOCKS = {"ul", "ol", "div", "p"}
    HOLDERS = {"span", "p"}
    VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.misplaced: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        holders = [t for t in self.open if t in self.HOLDERS]
        if tag in self.BLOCKS and holders:
            self.misplaced.append(f"<{tag}> inside <{holders[-1]}>")
        self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in self.open:
            while self.open.pop() != tag:
                pass


def blocks_in_phrasing(body: str) -> list[str]:
    parser = _BlocksInPhrasing()
    parser.feed(body)
    return parser.misplaced


@pytest.mark.parametrize(
    "name", ["account_signup", "account_login", "account_reset_password", "account_email"]
)
def test_account_pages_put_no_block_inside_a_span_or_a_paragraph(client, member, name):
    if name == "account_email":  # the only one for members alone
        client.force_login(member)
    body = client.get(reverse(name)).content.decode()

    assert blocks_in_phrasing(body) == []


def test_signup_password_rules_are_a_list_tied_to_their_field(client, db):
    body = client.get(reverse("account_signup")).content.decode()

    assert 'aria-describedby="id_password1_helptext"' in body
    assert re.search(r'<div class="helptext" id="id_password1_helptext"><ul><li>', body)
    assert blocks_in_phrasing(body) == []


def test_signup_with_errors_puts_no_block_inside_a_span_or_a_paragraph(client, db):
    response = signup(client, email="not-an-email", password2="something-else")

    body = response.content.decode()
    assert 'class="errorlist"' in body
    assert blocks_in_phrasing(body) == []
    assert not User.objects.exists()
