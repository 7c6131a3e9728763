"""The one way the site sends email, and the one source of its absolute links.

Every message (waitlist promotion, event changes, allauth's account emails) is rendered from
`<template_prefix>_subject.txt` and `<template_prefix>_message.txt` in the recipient's language,
as plain text, and handed to a task once the transaction commits: nobody hears of a change
that was rolled back, and a slow mail server never holds up a request. Each recipient gets a
message of their own, so addresses are never shown to each other. The task tries again later
(`RETRY_DELAYS`) while the mail server refuses, hangs or is down.

A message that is not essential names its `EmailKind`: members who turned that kind off are
skipped, and the others find a one-click unsubscribe link in the body and in the
`List-Unsubscribe` headers (RFC 8058). Account emails name no kind and always go out.
"""

import datetime as dt
import logging
import smtplib
from collections.abc import Iterable
from email.utils import make_msgid
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation

from community.models import EmailKind, User

# Every subject starts with it, account emails included, so members can filter on it.
SUBJECT_PREFIX = "[Rencontres] "

UNSUBSCRIBE_SALT = "community.mail.unsubscribe"

# How long to wait after each failed attempt before the next: a mail server that is down for
# an afternoon still gets every message, and a broken one is not hammered. After the last
# attempt the message is given up with an error in the log.
RETRY_DELAYS = [
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
]

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    """`path` on the public site: links must not depend on the host a request came in on."""
    return settings.SITE_URL + path


def site_host() -> str:
    """The public host name, e.g. `rencontres.example` (calendar UIDs are scoped by it)."""
    return urlsplit(settings.SITE_URL).netloc


@task()
def send_message(
    *,
    to: str,
    subject: str,
    body: str,
    headers: dict | None = None,
    message_id: str = "",
    attempt: int = 1,
) -> bool:
    """Hand one message to the mail server; when it refuses, hangs (the SMTP backend's
    timeout) or is unreachable, try again later. Returns whether the message was sent.

    The Message-ID is chosen when the message is queued and kept across attempts, so a
    server that did take a message whose answer got lost can recognise the second copy.
    """
    all_headers = {**(headers or {}), **({"Message-ID": message_id} if message_id else {})}
    try:
        EmailMessage(subject=subject, body=body, to=[to], headers=all_headers).send()
    # OSError covers a refused connection and a timeout (`socket.timeout` is one).
    except (smtplib.SMTPException, OSError) as exc:
        retry_later(
            to=to,
            subject=subject,
            body=body,
            headers=headers,
            message_id=message_id,
            attempt=attempt,
            error=exc,
        )
        return False
    return True


def retry_later(
    *,
    to: str,
    subject: str,
    body: str,
    headers: dict | None,
    message_id: str,
    attempt: int,
    error: Exception,
) -> None:
    if attempt > len(RETRY_DELAYS):
        logger.error("Gave up sending %r to %s after %d attempts: %s", subject, to, attempt, error)
        return
    if not send_message.get_backend().supports_defer:
        # A backend that runs jobs at once (the tests') would retry in a loop against the
        # same broken server: give up instead.
        logger.error("Gave up sending %r to %s: the task backend cannot retry later", subject, to)
        return
    delay = RETRY_DELAYS[attempt - 1]
    logger.warning(
        "Sending %r to %s failed (attempt %d: %s); next attempt in %s",
        subject,
        to,
        attempt,
        error,
        delay,
    )
    send_message.using(run_after=timezone.now() + delay).enqueue(
        to=to,
        subject=subject,
        body=body,
        headers=headers,
        message_id=message_id,
        attempt=attempt + 1,
    )


def send_mail(
    recipients: Iterable[User | str],
    *,
    template_prefix: str,
    context: dict,
    kind: EmailKind | str | None = None,
    queue_in_transaction: bool = False,
) -> None:
    """Write to each recipient in their language, and send once the transaction commits.

    A recipient is a member, or a bare address for someone without an account (allauth's
    "unknown account" email), who is written to in the active language. With a `kind`, every
    recipient must be a member: those who turned that kind off get nothing.

    `queue_in_transaction`: queue the message now, in the caller's transaction, rather than
    after it commits. With the database queue, the message and the caller's rows (a reminder's
    ledger row) are then committed together or not at all.
    """
    seen, rendered = set(), {}
    for recipient in recipients:
        if isinstance(recipient, User):
            address, language = recipient.email, recipient.language
        elif kind is not None:
            raise TypeError("Only members can receive an email that they may turn off.")
        else:
            address, language = recipient, translation.get_language()
        if not address or address.lower() in seen:
            continue
        seen.add(address.lower())
        if kind is not None and not recipient.wants_email(kind):
            continue
        # The context is the same for every recipient: one rendering per language.
        if language not in rendered:
            rendered[language] = render_mail(template_prefix, context, language=language)
        subject, body = rendered[language]
        headers = None
        if kind is not None:
            body, headers = _with_unsubscribe(body, member=recipient, kind=kind)
        enqueue = partial(
            send_message.enqueue,
            to=address,
            subject=subject,
            body=body,
            headers=headers,
            message_id=make_msgid(domain=urlsplit(settings.SITE_URL).hostname),
        )
        if queue_in_transaction:
            enqueue()
        else:
            transaction.on_commit(enqueue, robust=True)


def unsubscribe_token(member: User, kind: EmailKind | str) -> str:
    """A signed token naming the member and the kind: the link works without logging in,
    and nobody can write one for somebody else or for another kind."""
    value = f"{member.pk}.{EmailKind(kind).value}"
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(value)


def read_unsubscribe_token(token: str) -> tuple[int, EmailKind]:
    """The member id and the kind that `token` names; `signing.BadSignature` if forged."""
    value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    member_id, _, kind = value.partition(".")
    return int(member_id), EmailKind(kind)


def unsubscribe_url(member: User, kind: EmailKind | str) -> str:
    return absolute_url(reverse("community:unsubscribe", args=[unsubscribe_token(member, kind)]))


def _with_unsubscribe(body: str, *, member: User, kind: EmailKind | str) -> tuple[str, dict]:
    url = unsubscribe_url(member, kind)
    ctx = {
        "kind": EmailKind(kind).label,
        "unsubscribe_url": url,
        "settings_url": absolute_url(reverse("community:email_settings")),
    }
    with translation.override(member.language or settings.LANGUAGE_CODE):
        footer = _render_text("community/email/unsubscribe_footer.txt", ctx)
    headers = {
        "List-Unsubscribe": f"<{url}>",
        # Mail clients may then unsubscribe with one POST, without opening the page.
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return f"{body}\n{footer.strip()}\n", headers


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
