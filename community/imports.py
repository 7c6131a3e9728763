"""Contact imports: read an export file, keep only the entries that are other members.

`preview_import()` parses and matches without writing anything; `sign_token()` carries its
matches to the confirm step, `read_token()` checks them there, and `confirm_import()` stores the
ties in one transaction, once per preview, linked to an `ImportBatch` so that deleting the batch
undoes the import. A file that cannot be read raises `ValidationError` with a message for the
member, and so does one that would cost more than the bounds below, whatever its format.
"""

import csv
import io
import json
import secrets
from dataclasses import dataclass, field
from itertools import batched

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.contrib.postgres.fields import ArrayField
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, F, Lookup, Max, Q, Value
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from community.identities import (
    normalise,
    website_candidates,
)
from community.models import Identity, ImportBatch, Network, Tie, User
from community.ties import ties_added
from community.uploads import check_size

# Bounds on the work one file may cause, whatever its content.
MAX_ROWS = 50_000
# Blank and preamble lines count too, so that a file of empty lines is not read for ever.
MAX_LINES = MAX_ROWS + 1_000
MAX_COLUMNS = 100
# An OPML outline has up to three URLs, each with at most four keys (`website_candidates`).
MAX_CANDIDATES_PER_ROW = 12
# Distinct keys looked up for one file, and URLs read from one OPML file; beyond, the member
# is asked to split it.
MAX_CANDIDATES = 100_000
MAX_URLS = 50_000
# JSON values (`,` `{` `[` counted before parsing) and XML elements: what a file of the maximum
# number of rows needs, with room to spare; they bound the memory and time of parsing.
MAX_JSON_VALUES = 10 * MAX_ROWS
MAX_XML_ELEMENTS = 3 * MAX_ROWS
# Keys per `IN (...)` query.
QUERY_CHUNK = 5_000
# X account ids are 64-bit numbers.
MAX_X_ID_DIGITS = 20

TOKEN_SALT = "community.imports.preview"  # noqa: S105 — a signing namespace, not a secret
TOKEN_MAX_AGE = 3600

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


@dataclass(frozen=True)
class Confirmation:
    """A signed preview, checked for the member who made it."""

    kind: str
    filename: str
    rows_read: int
    ties: list[tuple[int, str]]
    nonce: str
    # The member's latest ImportBatch when the preview was made.
    since: int


def _too_many_rows() -> ValidationError:
    return ValidationError(
        _("This file has more than %(max)s rows.")
        % {"max": number_format(MAX_ROWS, force_grouping=True)},
        code="too_many_rows",
    )


def _too_many_candidates() -> ValidationError:
    return ValidationError(
        _("This file names more than %(max)s addresses to look up: split it into smaller files.")
        % {"max": number_format(MAX_CANDIDATES, force_grouping=True)},
        code="too_many_candidates",
    )


@dataclass
class Parsed:
    rows: int = 0
    # network → normalised handles, and X numeric account ids.
    handles: dict[str, set[str]] = field(default_factory=dict)
    x_ids: set[str] = field(default_factory=set)
    candidates: int = 0

    def add(self, network: str, *handles: str) -> None:
        """Keys of one row (at most MAX_CANDIDATES_PER_ROW), counted once each."""
        keys = self.handles.setdefault(network, set())
        for handle in handles[:MAX_CANDIDATES_PER_ROW]:
            if handle not in keys:
                keys.add(handle)
                self._count()

    def add_x_id(self, account_id: str) -> None:
        if account_id not in self.x_ids:
            self.x_ids.add(account_id)
            self._count()

    def _count(self) -> None:
        self.candidates += 1
        if self.candidates > MAX_CANDIDATES:
            raise _too_many_candidates()

    def count_row(self) -> None:
        self.rows += 1
        if self.rows > MAX_ROWS:
            raise _too_many_rows()


def _text(data: bytes) -> str:
    check_size(len(data))
    if b"\x00" in data:
        raise ValidationError(_("This is not a text file."), code="binary")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(_("This file is not UTF-8 text."), code="encoding") from error


def _too_many_columns(line: int) -> ValidationError:
    return ValidationError(
        _("Line %(line)s of this file has more than %(max)s columns.")
        % {"line": line, "max": MAX_COLUMNS},
        code="too_many_columns",
    )


def _csv_lines(text: str):
    # Checked before the csv module builds a row: a line of a million commas would be a list
    # of a million cells. Commas in quoted cells count too, hence the margin.
    for line, content in enumerate(io.StringIO(text, newline=""), start=1):
        if line > MAX_LINES:
            raise _too_many_rows()
        if content.count(",") > 10 * MAX_COLUMNS:
            raise _too_many_columns(line)
        yield content


def _csv_rows(text: str):
    reader = csv.reader(_csv_lines(text))
    try:
        for row in reader:
            if len(row) > MAX_COLUMNS:
                raise _too_many_columns(reader.line_num)
            yield row
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
                parsed.add(Network.LINKEDIN, normalise(Network.LINKEDIN, cells[url_column]).handle)
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
            parsed.add(Network.MASTODON, normalise(Network.MASTODON, cells[0]).handle)
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
    # Every JSON value but the first of a container follows a comma, so this bounds the number
    # of objects `json.loads` would build, before it builds them.
    if body.count(",") + body.count("{") + body.count("[") > MAX_JSON_VALUES:
        raise _too_many_rows()
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
        account_id = str(account_id) if isinstance(account_id, str | int) else ""
        if not account_id.isdigit() or len(account_id) > MAX_X_ID_DIGITS:
            raise ValidationError(
                _("This is not an X archive following.js file."), code="wrong_format"
            )
        parsed.add_x_id(account_id)
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


URL_ATTRIBUTES = ("htmlurl", "xmlurl", "url")


class _OutlineReader:
    """Target of the XML parser: reads each outline's URLs as they stream by, builds no tree."""

    def __init__(self):
        self.parsed, self.elements, self.urls = Parsed(), 0, 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.elements += 1
        if self.elements == 1 and tag.lower() != "opml":
            raise ValidationError(_("This is not an OPML file."), code="wrong_format")
        if self.elements > MAX_XML_ELEMENTS:
            raise _too_many_rows()
        if tag.lower() != "outline":
            return
        urls = [value for key, value in attrib.items() if key.lower() in URL_ATTRIBUTES and value]
        if not urls:
            return
        self.parsed.count_row()
        urls = urls[: len(URL_ATTRIBUTES)]
        # Reading a URL costs even when it gives no key (invalid ones give none).
        self.urls += len(urls)
        if self.urls > MAX_URLS:
            raise _too_many_candidates()
        self.parsed.add(Network.WEBSITE, *(key for url in urls for key in website_candidates(url)))

    def close(self) -> Parsed:
        return self.parsed


def parse_opml(data: bytes) -> Parsed:
    check_size(len(data))
    parser = SafeET.DefusedXMLParser(target=_OutlineReader(), forbid_dtd=True)
    try:
        parser.feed(data)
        return parser.close()
    except DefusedXmlException as error:
        raise ValidationError(
            _("This XML file declares entities or a DTD, which are refused for safety."),
            code="unsafe_xml",
        ) from error
    except SafeET.ParseError as error:
        raise ValidationError(_("This OPML file is damaged or truncated."), "damaged") from error


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


class _AnyOf(Lookup):
    """`field = ANY(array)`: one array parameter rather than an `IN (...)` of thousands, which
    Django and psycopg would each prepare one by one."""

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def _any_of(field_name: str, values) -> _AnyOf:
    return _AnyOf(F(field_name), Value(list(values), output_field=ArrayField(CharField())))


def _matching_identities(*, member: User, parsed: Parsed) -> list[Identity]:
    """Other active members' identities among the parsed keys, a bounded query at a time."""
    lookups = [
        (Q(network=net), _any_of("handle", chunk))
        for net, handles in sorted(parsed.handles.items())
        for chunk in batched(sorted(handles), QUERY_CHUNK)
    ]
    lookups += [
        (Q(network=Network.X), _any_of("external_id", chunk))
        for chunk in batched(sorted(parsed.x_ids), QUERY_CHUNK)
    ]
    found = {}
    for network, keys in lookups:
        identities = (
            Identity.objects.standing()
            .filter(network, keys, member__is_active=True)
            .exclude(member=member)
            .select_related("member")
            .order_by()
        )
        found.update((identity.pk, identity) for identity in identities)
    return sorted(
        found.values(),
        key=lambda i: (i.member.display_name.casefold(), i.member_id, i.network, i.handle),
    )


def preview_import(
    *, member: User, kind: str, data: bytes, filename: str = "", network: str = ""
) -> Preview:
    """Parse `data` and list the other members it names; writes nothing."""
    parsed = parse(kind, data, network=network)
    preview, seen = Preview(kind=kind, filename=filename[:255], rows_read=parsed.rows), set()
    for identity in _matching_identities(member=member, parsed=parsed):
        if (identity.member_id, identity.network) in seen:
            continue
        seen.add((identity.member_id, identity.network))
        preview.matches.append(Match(identity.member, identity.network, identity.handle))
    return preview


def sign_token(*, member: User, preview: Preview) -> str:
    """The preview's matches, signed for `member`, for the confirm form."""
    latest = ImportBatch.objects.filter(member=member).aggregate(latest=Max("pk"))["latest"]
    payload = {
        "member": member.pk,
        "kind": preview.kind,
        "filename": preview.filename,
        "rows": preview.rows_read,
        "ties": [[match.member.pk, match.network] for match in preview.matches],
        "nonce": secrets.token_urlsafe(16),
        "since": latest or 0,
    }
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def read_token(*, member: User, token: str) -> Confirmation:
    """The preview signed by `sign_token()` for `member`; ValidationError when it is not one."""
    tampered = ValidationError(_("This preview was tampered with."), code="tampered")
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ValidationError(
            _("This preview is too old; upload the file again."), code="expired"
        ) from error
    except signing.BadSignature as error:
        raise tampered from error
    if not isinstance(payload, dict) or payload.get("member") != member.pk:
        raise tampered
    try:
        confirmation = Confirmation(
            kind=str(payload["kind"]),
            filename=str(payload["filename"])[:255],
            rows_read=int(payload["rows"]),
            ties=[(int(to_id), str(net)) for to_id, net in payload["ties"]],
            nonce=str(payload["nonce"]),
            since=int(payload["since"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise tampered from error
    if confirmation.kind not in ImportBatch.Kind.values:
        raise tampered
    return confirmation


def _spend(*, member: User, confirmation: Confirmation) -> None:
    """Let each preview be confirmed once, even after its import was undone.

    The nonce is remembered for as long as the token is valid; the same import (kind, file
    name, rows) saved since the preview is refused too, which the cache may have forgotten.
    Inside the confirm transaction, so a failed import leaves the preview usable with the
    database cache.
    """
    repeated = ImportBatch.objects.filter(
        member=member,
        pk__gt=confirmation.since,
        kind=confirmation.kind,
        filename=confirmation.filename,
        rows_read=confirmation.rows_read,
    ).exists()
    # `add` stores only when the key is absent, atomically, so two posts at once cannot both pass.
    key = f"community.imports.spent:{member.pk}:{confirmation.nonce}"
    if repeated or not cache.add(key, True, timeout=TOKEN_MAX_AGE):
        raise ValidationError(
            _(
                "This preview was already saved (or saved and undone): nothing changed. "
                "Upload the file again to import it anew."
            ),
            code="already_confirmed",
        )


@transaction.atomic
def confirm_import(*, member: User, confirmation: Confirmation) -> ImportBatch:
    """Store the ties of a confirmed preview as one batch; ties that already exist are kept."""
    _spend(member=member, confirmation=confirmation)
    wanted = {(to_id, net) for to_id, net in confirmation.ties if net in Network.values}
    valid_ids = set(
        User.objects.filter(pk__in={to_id for to_id, _net in wanted}, is_active=True)
        .exclude(pk=member.pk)
        .values_list("pk", flat=True)
    )
    batch = ImportBatch.objects.create(
        member=member,
        kind=confirmation.kind,
        filename=confirmation.filename,
        rows_read=confirmation.rows_read,
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
    ties_added.send(sender=Tie, member=member)
    return batch


@transaction.atomic
def prove_x_account(*, member: User, data: bytes) -> Identity:
    """Record the numeric X id from the member's own account.js on their X identity.

    The file is written by whoever uploads it: it lets others' X archives (which name
    accounts by number) find the member, and verifies nothing; the claim stays unverified."""
    account_id, username = parse_x_account(data)
    handle = normalise(Network.X, username).handle
    claims = Identity.objects.select_for_update().filter(network=Network.X, handle=handle)
    identity = claims.filter(member=member).first()
    if identity is None and claims.exists():
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
