"""Account security: staff log in through allauth, rate limits behind a proxy, a way back in
after a lock-out, reauthentication before an email change, and production settings."""

import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from community.models import User
from tests.conftest import PASSWORD, make_staff, totp_code

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh_rate_limits(db):
    cache.clear()


def verified(user: User) -> User:
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def login(client, email, password, **headers):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, headers=headers
    )


@pytest.fixture
def staff(db) -> User:
    user = make_staff("sacha")
    return verified(user)


def test_admin_login_page_sends_staff_to_the_site_login(client, staff):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=/admin/"


def test_admin_login_form_never_checks_a_password(client, staff):
    for _ in range(12):
        response = client.post("/admin/login/", {"username": staff.email, "password": "wrong"})
        assert response.status_code == 302
    response = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_staff_log_in_through_allauth_and_reach_the_admin(client, staff):
    to_admin = client.get("/admin/")
    assert to_admin.status_code == 302
    follow = client.get(to_admin["Location"])
    assert follow["Location"].startswith(reverse("account_login"))

    password_step = login(client, staff.email, PASSWORD)
    # The password alone does not log staff in: allauth asks for the authenticator app's code.
    assert password_step["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "_auth_user_id" not in client.session
    assert wrong.status_code == 200
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})

    assert client.session["_auth_user_id"] == str(staff.pk)
    assert client.get("/admin/").status_code == 200


def test_strangers_behind_the_proxy_do_not_lock_out_other_visitors(client, member, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    verified(member)
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for n in range(12):  # "10/m/ip": more failures than one address may make
        client.post(
            reverse("account_login"),
            {"login": f"stranger{n}@example.org", "password": "guess"},
            headers={"X-Forwarded-For": "198.51.100.7"},
            **proxy,
        )

    client.post(
        reverse("account_login"),
        {"login": member.email, "password": PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.9"},
        **proxy,
    )

    assert client.session["_auth_user_id"] == str(member.pk)


def test_a_forged_forwarded_address_does_not_escape_the_limit(client, member, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    verified(member)
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for n in range(12):
        # The client writes its own X-Forwarded-For; the proxy appends the real address.
        client.post(
            reverse("account_login"),
            {"login": f"stranger{n}@example.org", "password": "guess"},
            headers={"X-Forwarded-For": f"192.0.2.{n}, 198.51.100.7"},
            **proxy,
        )

    client.post(
        reverse("account_login"),
        {"login": member.email, "password": PASSWORD},
        headers={"X-Forwarded-For": "192.0.2.200, 198.51.100.7"},
        **proxy,
    )

    assert "_auth_user_id" not in client.session


def test_a_member_locked_out_by_failed_passwords_gets_in_with_an_emailed_code(
    client, member, django_capture_on_commit_callbacks
):
    verified(member)
    for _ in range(5):  # "5/5m/key"
        login(client, member.email, "wrong-password")
    login(client, member.email, PASSWORD)
    assert "_auth_user_id" not in client.session

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_request_login_code"), {"email": member.email})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[member.email]]
    code = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", mail.outbox[0].body, re.MULTILINE)[1]
    client.post(reverse("account_confirm_login_code"), {"code": code})

    assert client.session["_auth_user_id"] == str(member.pk)


def test_adding_an_email_address_asks_for_the_password_first(member_client, member):
    verified(member)

    response = member_client.post(
        reverse("account_email"), {"action_add": "", "email": "nouvelle@example.org"}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not EmailAddress.objects.filter(email="nouvelle@example.org").exists()
    assert mail.outbox == []


def test_the_old_address_hears_of_an_email_change(
    client, member, django_capture_on_commit_callbacks
):
    verified(member)
    login(client, member.email, PASSWORD)
    add = {"action_add": "", "email": "nouvelle@example.org"}
    to_reauth = client.post(reverse("account_email"), add)
    # Once the password is given again, allauth carries out the request it interrupted.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(to_reauth["Location"], {"password": PASSWORD})
    to_new = [m for m in mail.outbox if m.to == ["nouvelle@example.org"]]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", to_new[0].body)[1]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link)

    member.refresh_from_db()
    assert member.email == "nouvelle@example.org"
    to_old = [m for m in mail.outbox if m.to == ["camille@example.org"]]
    assert len(to_old) == 1
    assert "nouvelle@example.org" in to_old[0].body


PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-secret-key-of-more-than-fifty-characters-0123456789",
    "ALLOWED_HOSTS": "rencontres.example",
    "CSRF_TRUSTED_ORIGINS": "https://rencontres.example",
    "SITE_URL": "https://rencontres.example",
    "SECURE_COOKIES": "true",
    "BEHIND_HTTPS_PROXY": "true",
    "SECURE_SSL_REDIRECT": "true",
    "HSTS_SECONDS": "31536000",
    "HSTS_PRELOAD": "true",
    "EMAIL_HOST": "smtp.rencontres.example",
}


def test_deploy_checks_pass_with_the_documented_production_environment(project_copy):
    env = PRODUCTION_ENV | {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused"}
    collected = project_copy.run("manage.py", "collectstatic", "--no-input", "-v", "0", **env)
    assert collected.returncode == 0, collected.stderr

    checked = project_copy.run("manage.py", "check", "--deploy", "--fail-level", "WARNING", **env)

    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_readme_documents_every_production_setting_the_check_needs():
    readme = (ROOT / "README.md").read_text()
    for name in PRODUCTION_ENV:
        assert name in readme
