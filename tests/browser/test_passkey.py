"""Passkeys (WebAuthn) as a second factor, with Chromium's virtual authenticator: allauth's
own script, the site's strict CSP, and not one request beyond the site."""

from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from playwright.sync_api import expect

from tests.conftest import PASSWORD, make_organiser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


def log_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_an_organiser_adds_a_passkey_and_logs_in_with_it(page, live_server, series):
    organiser = make_organiser("orla", series, second_factor=False)
    EmailAddress.objects.create(user=organiser, email=organiser.email, verified=True, primary=True)
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )

    log_in(page, organiser.email)
    page.goto("/organise/")  # no second factor yet: sent to set one up
    expect(page.locator(".message.warning")).to_contain_text("protected by a second factor")
    page.goto("/accounts/2fa/webauthn/add/")
    page.locator("#id_password").fill(PASSWORD)  # allauth asks for the password again
    page.get_by_role("button", name="Confirm").click()
    # allauth's script binds the button once the page has loaded: a click before is lost.
    page.wait_for_url(f"{live_server.url}/accounts/2fa/webauthn/add/", wait_until="load")
    page.locator("#mfa_webauthn_add").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/recovery-codes/")
    assert Authenticator.objects.filter(user=organiser, type="webauthn").count() == 1

    page.goto("/organise/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Organiser workspace")

    page.context.clear_cookies()
    log_in(page, organiser.email)
    page.wait_for_url(f"{live_server.url}/accounts/2fa/authenticate/", wait_until="load")
    page.get_by_role("button", name="Use a security key").click()
    page.locator(".account-menu > summary").click()  # logged in: the header's account menu
    expect(page.get_by_role("link", name="My account")).to_be_visible()
    assert hosts == {urlsplit(live_server.url).netloc}
