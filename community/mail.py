"""The one way the site sends email, and the one source of its absolute links.

Every message (waitlist promotion, event changes, allauth's account emails) is rendered from
`<template_prefix>_subject.txt` and `<template_prefix>_message.txt` in the recipient's language,
as plain text, and handed to a task once the transaction commits: nobody hears of a change
that was rolled back, and a slow mail server never holds up a request. Each recipient gets a
message of their own, so addresses are never shown to each other.
"""

from collections.abc import Iterable
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.template import Context
from django.template.loader import get_template
from django.utils import translation

from community.models import User

# Every subject starts with it, account emails included, so members can filter on it.
SUBJECT_PREFIX = "[Rencontres] "


def absolute_url(path: str) -> str:
    """`path` on the public site: links must not depend on the host a request came in on."""
    return settings.SITE_URL + path


def site_host() -> str:
    """The public host name, e.g. `rencontres.example` (calendar UIDs are scoped by it)."""
    return urlsplit(settings.SITE_URL).netloc


@task()
def send_message(*, to: str, subject: str, body: str) -> None:
    EmailMessage(subject=subject, body=body, to=[to]).send()


def send_mail(recipients: Iterable[User | str], *, template_prefix: str, context: dict) -> None:
    """Write to each recipient in their language, and send once the transaction commits.

    A recipient is a member, or a bare address for someone without an account (allauth's
    "unknown account" email), who is written to in the active language.
    """
    seen, rendered = set(), {}
    for recipient in recipients:
        if isinstance(recipient, User):
            address, language = recipient.email, recipient.language
        else:
            address, language = recipient, translation.get_language()
        if not address or address.lower() in seen:
            continue
        seen.add(address.lower())
        # The context is the same for every recipient: one rendering per language.
        if language not in rendered:
            rendered[language] = render_mail(template_prefix, context, language=language)
        subject, body = rendered[language]
        transaction.on_commit(
            partial(send_message.enqueue, to=address, subject=subject, body=body), robust=True
        )


def render_mail(template_prefix: str, context: dict, *, language: str) -> tuple[str, str]:
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = _render_text(f"{template_prefix}_subject.txt", context)
        body = _render_text(f"{template_prefix}_message.txt", context)
    # A header is one line: a title's line break must not end it (or start another header).
    subject = " ".join(line.strip() for line in subject.splitlines() if line.strip())
    return SUBJECT_PREFIX + subject, body.strip() + "\n"


def _render_text(template_name: str, context: dict) -> str:
    # Email is plain text: `&` or `'` in a title must reach the reader as typed, not as
    # `&amp;` or `&#x27;`, whatever the template says about autoescaping.
    template = get_template(template_name).template
    return template.render(Context(context, autoescape=False))
