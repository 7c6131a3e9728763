"""A member's privacy rights: a copy of their data (export) and the deletion of their account.

`community` does not import `events`, yet an export or an erasure covers both apps' data. The
three signals below are the extension point: `events/privacy.py` connects to them in
`EventsConfig.ready()`, and so can any other part holding data about members (a photo).

Erasure keeps the `User` row but scrubs it (inactive, no usable password, every text written
by or about the member replaced). Past RSVPs stay attached to that row so attendance counts
of past events do not change; one shared "former member" row could not hold them, since a
member has one RSVP per event.
"""

import datetime as dt
import io
import json
import secrets
import zipfile
from dataclasses import dataclass, field
from importlib import import_module

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Count, Q
from django.dispatch import Signal
from django.tasks import TaskResultStatus
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from community.mail import absolute_url, send_mail, send_message
from community.models import Identity, ImportBatch, Photo, Tie, User, new_calendar_token
from community.photos import remove_photo

# Sent with `member` and `export` (an `Export`): receivers add their sections and files.
collect_member_data = Signal()
# Sent with `member`: receivers return a list of reasons (sentences) that stop the erasure,
# e.g. a series nobody else organises.
erasure_blockers = Signal()
# Sent with `member`, inside the erasure's transaction and before the community data goes:
# receivers delete or anonymise what they hold about the member.
erase_member = Signal()


class ErasureRefused(Exception):
    def __init__(self, reasons: list[str]):
        super().__init__(" ".join(reasons))
        self.reasons = reasons


@dataclass
class Export:
    """What `rencontres.json` says (`data`) and the other files of the archive (`files`)."""

    data: dict = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)


def iso(moment: dt.datetime | None) -> str | None:
    """ISO 8601 in the site's time zone, with its offset."""
    return timezone.localtime(moment).isoformat() if moment else None


def person(member: User) -> dict:
    """How an export names another member: what their profile shows anyway."""
    return {"username": member.username, "display_name": member.display_name}


def collect(*, member: User) -> Export:
    export = Export()
    export.data["exported_at"] = iso(timezone.now())
    export.data["profile"] = {
        "username": member.username,
        "email": member.email,
        "display_name": member.display_name,
        "first_name": member.first_name,
        "last_name": member.last_name,
        "city": member.city,
        "bio": member.bio,
        "language": member.language,
        "ties_visibility": member.ties_visibility,
        "listed_in_attendees": member.listed_in_attendees,
        "date_joined": iso(member.date_joined),
        "last_login": iso(member.last_login),
    }
    export.data["email_addresses"] = [
        {"email": address.email, "verified": address.verified, "primary": address.primary}
        for address in EmailAddress.objects.filter(user=member).order_by("email")
    ]
    export.data["identities"] = [
        {
            "network": identity.network,
            "handle": identity.handle,
            "url": identity.url,
            "external_id": identity.external_id,
            "created_at": iso(identity.created_at),
            "verified_at": iso(identity.verified_at),
        }
        for identity in member.identities.order_by("network", "handle")
    ]
    ties = member.ties_out.select_related("to_member").order_by("to_member__username", "network")
    export.data["ties_declared"] = [
        {
            "member": person(tie.to_member),
            "network": tie.network,
            "source": tie.source,
            "created_at": iso(tie.created_at),
        }
        for tie in ties
    ]
    # Who declared a tie to the member is the other members' data, shown only as a number.
    export.data["members_with_ties_to_me"] = member.ties_in.values("from_member").distinct().count()
    batches = member.import_batches.annotate(ties_count=Count("ties")).order_by("created_at")
    export.data["imports"] = [
        {
            "kind": batch.kind,
            "filename": batch.filename,
            "rows_read": batch.rows_read,
            "ties_kept": batch.ties_count,
            "created_at": iso(batch.created_at),
        }
        for batch in batches
    ]
    photo = Photo.objects.filter(member=member).first()
    if photo is not None:
        storage = storages["default"]
        for size in Photo.SIZES:
            with storage.open(photo.file_name(size)) as stored:
                export.files[f"photo-{size}.webp"] = stored.read()
    collect_member_data.send(sender=User, member=member, export=export)
    return export


def export_zip(*, member: User) -> bytes:
    """One ZIP: `rencontres.json` and the files other parts added (photos)."""
    export = collect(member=member)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        text = json.dumps(export.data, ensure_ascii=False, indent=2)
        archive.writestr("rencontres.json", text + "\n")
        for name, content in sorted(export.files.items()):
            archive.writestr(name, content)
    return buffer.getvalue()


def blockers(*, member: User) -> list[str]:
    """Why the member's account cannot be deleted yet; empty when it can."""
    reasons = erasure_blockers.send(sender=User, member=member)
    return [reason for _receiver, found in reasons for reason in found]


@transaction.atomic
def erase(*, member: User) -> None:
    """Delete the member's data, scrub their account and end their sessions; tell them by email.

    Raises `ErasureRefused` while something (a series only they organise) must be handed over.
    """
    member = User.objects.select_for_update().get(pk=member.pk)
    if reasons := blockers(member=member):
        raise ErasureRefused(reasons)
    address, language = member.email, member.language
    erase_member.send(sender=User, member=member)
    for rows in (
        Tie.objects.filter(Q(from_member=member) | Q(to_member=member)),
        ImportBatch.objects.filter(member=member),
        Identity.objects.filter(member=member),
    ):
        forget_admin_history(rows)
        rows.delete()
    forget_admin_history(User.objects.filter(pk=member.pk))
    remove_photo(member=member)
    EmailAddress.objects.filter(user=member).delete()
    _forget_messages(address)
    _end_sessions(member)
    _scrub(member)
    with translation.override(language):
        send_mail(
            [address],
            template_prefix="community/email/account_deleted",
            context={"home_url": absolute_url("/")},
        )


def _scrub(member: User) -> None:
    # A random username and an address on the reserved `.invalid` domain: unique, as the
    # constraints want, and saying nothing about the person.
    tag = secrets.token_hex(8)
    member.username = f"former-{tag}"
    member.email = f"former-{tag}@erased.invalid"
    with translation.override(settings.LANGUAGE_CODE):
        member.display_name = _("Former member")
    member.first_name = member.last_name = member.city = member.bio = ""
    member.language = settings.LANGUAGE_CODE
    member.ties_visibility = User.Visibility.NOBODY
    member.listed_in_attendees = False
    member.is_active = member.is_staff = member.is_superuser = False
    member.last_login = None
    member.set_unusable_password()
    member.calendar_token = new_calendar_token()
    member.organiser_feed_token = new_calendar_token()
    member.save()
    member.groups.clear()
    member.user_permissions.clear()


def _forget_messages(address: str) -> None:
    # The job queue keeps each message it sent (the address, a greeting by name) until the
    # results are pruned. Those to the member go, sent or waiting; one a worker is sending
    # at this moment stays, and so does the confirmation, enqueued after this.
    DBTaskResult.objects.filter(
        task_path=send_message.module_path, args_kwargs__kwargs__to__iexact=address
    ).exclude(status=TaskResultStatus.RUNNING).delete()


def _end_sessions(member: User) -> None:
    # No `allauth.usersessions` here: read every stored Django session and delete the
    # member's through the session engine (which also clears a cached copy).
    store = import_module(settings.SESSION_ENGINE).SessionStore
    user_id = str(member.pk)
    for session in Session.objects.iterator():
        if session.get_decoded().get("_auth_user_id") == user_id:
            store().delete(session.session_key)


def forget_admin_history(rows) -> None:
    """Blank the admin history's text about `rows` (a queryset), which names them by `str()`."""
    ids = [str(pk) for pk in rows.values_list("pk", flat=True)]
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(rows.model), object_id__in=ids
    ).update(object_repr="—", change_message="")
