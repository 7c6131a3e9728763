"""Shared steps for the browser tests."""

from django.conf import settings
from django.test import Client


def log_in_as(page, live_server, member) -> None:
    """Give the page's browser context a logged-in session for `member` (skips the form)."""
    client = Client()
    client.force_login(member)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
