"""Contact imports: read an export file, keep only the entries that are other members.

`preview_import()` parses and matches without writing anything; `confirm_import()` stores the
matched ties in one transaction, linked to an `ImportBatch` so that deleting the batch undoes
the import. A file that cannot be read raises `ValidationError` with a message for the member.
"""

import csv
import io
import json
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from community.identities import (
    normalise,
    normalise_linkedin,
    normalise_mastodon,
    website_candidates,
)
from community.models import Identity, ImportBatch, Network, Tie, User

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000

# Spellings of a network in the `network` column of a plain CSV of handles.
NETWORK_ALIASES = {
    **{value: value for value in Network.values},
    "twitter": Network.X,
    "blog": Network.WEBSITE,
    "site": Network.WEBSITE,
    "web": Network.WEBSITE,
    "bsky": Network.BLUESKY,
}


@dataclass
class Match:
    member: User
    network: str
    handle: str

    @property
    def network_label(self) -> str:
        return Network(self.network).label


@dataclass
class Preview:
    kind: str
    filename: str
    rows_read: int = 0
    matches: list[Match] = field(default_factory=list)


@dataclass
class Parsed:
    rows: int = 0
    # network → normalised handles, and X numeric account ids.
    handles: dict[str, set[str]] = field(default_factory=dict)
    x_ids: set[str] = field(default_factory=set)

    def add(self, network: str, handle: str) -> None:
        self.handles.setdefault(network, set()).add(handle)

    def count_row(self) -> None:
        self.rows += 1
        if self.rows > MAX_ROWS:
            raise ValidationError(
                _("This file has more than %(max)s rows.") % {"max": f"{MAX_ROWS:,}"},
                code="too_many_rows",
            )


def _text(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ValidationError(_("This file is larger than 5 MB."), code="too_large")
    if b"\x00" in data:
        raise ValidationError(_("This is not a text file."), code="binary")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(_("This file is not UTF-8 text."), code="encoding") from error


def _csv_rows(text: str):
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as error:
        raise ValidationError(_("This CSV file is damaged: %s") % error, code="csv") from error


def parse_linkedin(data: bytes) -> Parsed:
    parsed, url_column = Parsed(), None
    for row in _csv_rows(_text(data)):
        cells = [cell.strip() for cell in row]
        if url_column is None:
            # Skip the `Notes:` preamble up to the header line.
            if "First Name" in cells and "Last Name" in cells:
                if "URL" not in cells:
                    raise ValidationError(
                        _(
                            "This LinkedIn export has no URL column, so its people cannot be "
                            "recognised. Request a new export of your connections."
                        ),
                        code="no_url",
                    )
                url_column = cells.index("URL")
            continue
        if not any(cells):
            continue
        parsed.count_row()
        if url_column < len(cells) and cells[url_column]:
            try:
                parsed.add(Network.LINKEDIN, normalise_linkedin(cells[url_column]).handle)
            except ValidationError:
                continue
    if url_column is None:
        raise ValidationError(
            _("This is not a LinkedIn Connections.csv file (no “First Name, Last Name” header)."),
            code="wrong_format",
        )
    return parsed


def parse_mastodon(data: bytes) -> Parsed:
    parsed = Parsed()
    seen_any = False
    for index, row in enumerate(_csv_rows(_text(data))):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if index == 0 and cells[0].lower() == "account address":
            continue
        seen_any = True
        parsed.count_row()
        try:
            parsed.add(Network.MASTODON, normalise_mastodon(cells[0]).handle)
        except ValidationError:
            continue
    if seen_any and not parsed.handles:
        raise ValidationError(
            _("This is not a Mastodon follows export (no user@server addresses)."),
            code="wrong_format",
        )
    return parsed


def _archive_json(data: bytes, *, part: str):
    text = _text(data)
    # `window.YTD.following.part0 = [...]`: a JavaScript assignment around JSON.
    head, sep, body = text.partition("=")
    if not sep or "window.YTD" not in head:
        raise ValidationError(
            _("This is not a file from an X archive (data/%s.js).") % part, code="wrong_format"
        )
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:
        raise ValidationError(
            _("This X archive file is damaged or truncated."), code="damaged"
        ) from error


def parse_x_following(data: bytes) -> Parsed:
    entries = _archive_json(data, part="following")
    if not isinstance(entries, list):
        raise ValidationError(_("This is not an X archive following.js file."), "wrong_format")
    parsed = Parsed()
    for entry in entries:
        parsed.count_row()
        inner = entry.get("following") if isinstance(entry, dict) else None
        account_id = inner.get("accountId") if isinstance(inner, dict) else None
        if not isinstance(account_id, str | int) or not str(account_id).isdigit():
            raise ValidationError(
                _("This is not an X archive following.js file."), code="wrong_format"
            )
        parsed.x_ids.add(str(account_id))
    return parsed


def parse_x_account(data: bytes) -> tuple[str, str]:
    """The uploader's own (accountId, username) from the archive's account.js."""
    entries = _archive_json(data, part="account")
    try:
        account = entries[0]["account"]
        account_id, username = str(account["accountId"]), str(account["username"])
    except (KeyError, IndexError, TypeError) as error:
        raise ValidationError(
            _("This is not an X archive account.js file."), code="wrong_format"
        ) from error
    if not account_id.isdigit():
        raise ValidationError(_("This is not an X archive account.js file."), "wrong_format")
    return account_id, username


def parse_opml(data: bytes) -> Parsed:
    if len(data) > MAX_BYTES:
        raise ValidationError(_("This file is larger than 5 MB."), code="too_large")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise ValidationError(
            _("This XML file declares entities or a DTD, which are refused for safety."),
            code="unsafe_xml",
        ) from error
    except SafeET.ParseError as error:
        raise ValidationError(_("This OPML file is damaged or truncated."), "damaged") from error
    if root.tag.lower() != "opml":
        raise ValidationError(_("This is not an OPML file."), code="wrong_format")
    parsed = Parsed()
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag.lower() != "outline":
            continue
        attrs = {key.lower(): value for key, value in element.attrib.items()}
        urls = [attrs[key] for key in ("htmlurl", "xmlurl", "url") if attrs.get(key)]
        if not urls:
            continue
        parsed.count_row()
        for url in urls:
            for handle in website_candidates(url):
                parsed.add(Network.WEBSITE, handle)
    return parsed


def parse_handles(data: bytes, *, network: str = "") -> Parsed:
    parsed, columns = Parsed(), None
    for index, row in enumerate(_csv_rows(_text(data))):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        lowered = [cell.lower() for cell in cells]
        if index == 0 and ({"handle", "url", "address"} & set(lowered)):
            handle_col = next(
                lowered.index(n) for n in ("handle", "url", "address") if n in lowered
            )
            network_col = lowered.index("network") if "network" in lowered else None
            columns = (network_col, handle_col)
            continue
        parsed.count_row()
        if columns:
            network_col, handle_col = columns
            row_network = (
                cells[network_col] if network_col is not None and network_col < len(cells) else ""
            )
            value = cells[handle_col] if handle_col < len(cells) else ""
        elif len(cells) >= 2 and cells[0].lower() in NETWORK_ALIASES:
            row_network, value = cells[0], cells[1]
        else:
            row_network, value = "", cells[0]
        row_network = NETWORK_ALIASES.get(row_network.lower(), "") if row_network else network
        if not row_network:
            raise ValidationError(
                _("Line %(line)s names no network: choose one for the whole file.")
                % {"line": index + 1},
                code="no_network",
            )
        try:
            parsed.add(row_network, normalise(row_network, value).handle)
        except ValidationError:
            continue
    return parsed


def parse(kind: str, data: bytes, *, network: str = "") -> Parsed:
    if kind == ImportBatch.Kind.LINKEDIN:
        return parse_linkedin(data)
    if kind == ImportBatch.Kind.MASTODON:
        return parse_mastodon(data)
    if kind == ImportBatch.Kind.X:
        return parse_x_following(data)
    if kind == ImportBatch.Kind.OPML:
        return parse_opml(data)
    if kind == ImportBatch.Kind.HANDLES:
        return parse_handles(data, network=network)
    raise ValidationError(_("Unknown kind of file."), code="invalid")


def preview_import(
    *, member: User, kind: str, data: bytes, filename: str = "", network: str = ""
) -> Preview:
    """Parse `data` and list the other members it names; writes nothing."""
    parsed = parse(kind, data, network=network)
    condition = Q(pk__in=[])
    for net, handles in parsed.handles.items():
        condition |= Q(network=net, handle__in=sorted(handles))
    if parsed.x_ids:
        condition |= Q(network=Network.X, external_id__in=sorted(parsed.x_ids))
    identities = (
        Identity.objects.filter(condition, member__is_active=True)
        .exclude(member=member)
        .select_related("member")
        .order_by("member__display_name", "network", "handle")
    )
    preview, seen = Preview(kind=kind, filename=filename[:255], rows_read=parsed.rows), set()
    for identity in identities:
        if (identity.member_id, identity.network) in seen:
            continue
        seen.add((identity.member_id, identity.network))
        preview.matches.append(Match(identity.member, identity.network, identity.handle))
    return preview


@transaction.atomic
def confirm_import(
    *, member: User, kind: str, filename: str, rows_read: int, ties: list[tuple[int, str]]
) -> ImportBatch:
    """Store the ties of a confirmed preview as one batch; ties that already exist are kept."""
    wanted = {(int(to_id), str(net)) for to_id, net in ties if net in Network.values}
    valid_ids = set(
        User.objects.filter(pk__in={to_id for to_id, _net in wanted}, is_active=True)
        .exclude(pk=member.pk)
        .values_list("pk", flat=True)
    )
    batch = ImportBatch.objects.create(
        member=member, kind=kind, filename=filename[:255], rows_read=rows_read
    )
    Tie.objects.bulk_create(
        [
            Tie(
                from_member=member,
                to_member_id=to_id,
                network=net,
                source=Tie.Source.IMPORTED,
                import_batch=batch,
            )
            for to_id, net in sorted(wanted)
            if to_id in valid_ids
        ],
        ignore_conflicts=True,
    )
    return batch


@transaction.atomic
def prove_x_account(*, member: User, data: bytes) -> Identity:
    """Record the numeric X id from the member's own account.js on their X identity."""
    account_id, username = parse_x_account(data)
    handle = normalise(Network.X, username).handle
    identity = Identity.objects.select_for_update().filter(network=Network.X, handle=handle).first()
    if identity is not None and identity.member_id != member.pk:
        raise ValidationError(
            _("The X account @%(handle)s is already claimed by another member.")
            % {"handle": handle},
            code="claimed",
        )
    if (
        Identity.objects.filter(network=Network.X, external_id=account_id)
        .exclude(member=member)
        .exists()
    ):
        raise ValidationError(
            _("This X account is already claimed by another member."), code="claimed"
        )
    if identity is None:
        identity = Identity(member=member, network=Network.X, handle=handle)
        identity.url = f"https://x.com/{handle}"
    identity.external_id = account_id
    identity.save()
    return identity
