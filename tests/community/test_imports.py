"""Contact imports from real export files: only members are kept, nothing stored before confirm."""

import datetime as dt
import math
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse

from community import imports
from community.models import Identity, ImportBatch, Network, Tie
from tests.conftest import make_member, reauthenticate

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def upload(client, kind, name, data=None, **extra):
    data = sample(name) if data is None else data
    return client.post(
        reverse("community:import"),
        {"kind": kind, "file": SimpleUploadedFile(name, data), **extra},
        headers={"accept-language": "en"},
    )


def token_of(response) -> str:
    return response.context["confirm_form"].initial["token"]


def confirm(client, response, **extra):
    return client.post(reverse("community:import_confirm"), {"token": token_of(response)}, **extra)


def messages_of(response) -> list[str]:
    return [message.message for message in response.context["messages"]]


@pytest.fixture
def community(db):
    """Members whose identities appear in the sample files, and some who do not."""
    camille = make_member("camille-d", display_name="Camille Delattre")
    thomas = make_member("thomas", display_name="Thomas Vandamme")
    lea = make_member("lea", display_name="Léa Dupuis")
    kevin = make_member("kevin", display_name="Kevin Lefebvre")
    Identity.objects.create(member=camille, network=Network.LINKEDIN, handle="camille-delattre-59")
    Identity.objects.create(
        member=lea, network=Network.LINKEDIN, handle="léa-dupuis-maréchal-1a2b3c"
    )
    Identity.objects.create(
        member=thomas, network=Network.MASTODON, handle="tvandamme@mastodon.social"
    )
    Identity.objects.create(member=camille, network=Network.MASTODON, handle="camille@piaille.fr")
    Identity.objects.create(
        member=thomas, network=Network.X, handle="tvandamme", external_id="14159265"
    )
    Identity.objects.create(member=camille, network=Network.WEBSITE, handle="camille-delattre.fr")
    Identity.objects.create(member=kevin, network=Network.WEBSITE, handle="analytics-lille.example")
    return {"camille": camille, "thomas": thomas, "lea": lea, "kevin": kevin}


@pytest.fixture
def importer(client, community):
    user = make_member("ines")
    reauthenticate(client, user)  # importing asks for the password again
    return user


def targets(user):
    return sorted(
        Tie.objects.filter(from_member=user).values_list("to_member__username", "network")
    )


def test_linkedin_preview_lists_only_members_and_stores_nothing(client, importer, community):
    response = upload(client, "linkedin", "linkedin-Connections.csv")
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.rows_read == 4
    assert sorted(m.member.username for m in preview.matches) == ["camille-d", "lea"]
    assert Tie.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_confirming_the_linkedin_preview_creates_import_ties_in_one_batch(
    client, importer, community
):
    response = confirm(client, upload(client, "linkedin", "linkedin-Connections.csv"))
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.member == importer
    assert batch.rows_read == 4
    assert targets(importer) == [("camille-d", "linkedin"), ("lea", "linkedin")]
    assert set(Tie.objects.values_list("source", flat=True)) == {Tie.Source.IMPORTED}
    assert set(Tie.objects.values_list("import_batch", flat=True)) == {batch.pk}


def test_linkedin_with_crlf_quotes_and_percent_encoding(client, importer, community):
    response = upload(client, "linkedin", "linkedin-Connections-crlf-percent.csv")
    preview = response.context["preview"]
    assert preview.rows_read == 3
    assert sorted(m.member.username for m in preview.matches) == ["camille-d", "lea"]


def test_mastodon_follows_match_by_account_address(client, importer, community):
    confirm(client, upload(client, "mastodon", "mastodon-following_accounts.csv"))
    assert targets(importer) == [("camille-d", "mastodon"), ("thomas", "mastodon")]


def test_x_following_matches_numeric_ids_proven_by_account_js(client, importer, community):
    confirm(client, upload(client, "x", "x-archive-following.js"))
    assert targets(importer) == [("thomas", "x")]


def test_opml_matches_site_and_feed_urls(client, importer, community):
    response = upload(client, "opml", "blogroll.opml")
    assert response.context["preview"].rows_read == 3
    confirm(client, response)
    assert targets(importer) == [("camille-d", "website"), ("kevin", "website")]


def test_plain_csv_of_handles_with_a_network_column(client, importer, community):
    confirm(client, upload(client, "handles", "handles.csv"))
    assert targets(importer) == [
        ("camille-d", "mastodon"),
        ("camille-d", "website"),
        ("thomas", "x"),
    ]


def test_plain_list_of_handles_with_one_network_chosen(client, importer, community):
    data = b"@tvandamme\r\nsomeone_else\r\n"
    confirm(client, upload(client, "handles", "x.csv", data=data, network="x"))
    assert targets(importer) == [("thomas", "x")]


def test_plain_list_without_network_is_refused(client, importer, community):
    response = upload(client, "handles", "x.csv", data=b"@tvandamme\n")
    assert response.status_code == 400
    assert "names no network" in response.content.decode()


def test_own_identities_are_not_matched(client, community):
    reauthenticate(client, community["camille"])
    response = upload(client, "linkedin", "linkedin-Connections.csv")
    assert [m.member.username for m in response.context["preview"].matches] == ["lea"]


@pytest.mark.parametrize(
    ("kind", "name", "message"),
    [
        ("x", "x-archive-following-truncated.js", "damaged or truncated"),
        ("opml", "blogroll-truncated.opml", "damaged or truncated"),
        ("opml", "billion-laughs.opml", "refused for safety"),
        ("opml", "external-entity.opml", "refused for safety"),
        ("linkedin", "linkedin-Connections-no-url.csv", "no URL column"),
        ("linkedin", "wrong-format.csv", "not a LinkedIn"),
        ("linkedin", "blogroll.opml", "not a LinkedIn"),
        ("x", "linkedin-Connections.csv", "not a file from an X archive"),
        ("opml", "mastodon-following_accounts.csv", "damaged or truncated"),
        ("mastodon", "x-archive-account.js", "not a Mastodon"),
    ],
)
def test_bad_files_give_a_clear_message_and_change_nothing(
    client, importer, community, kind, name, message
):
    response = upload(client, kind, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Tie.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_binary_file_is_refused(client, importer, community):
    response = upload(client, "mastodon", "photo.jpg", data=b"\xff\xd8\xff\xe0\x00\x10JFIF")
    assert response.status_code == 400
    assert "not a text file" in response.content.decode()


def test_file_over_5_mb_is_refused(client, importer, community):
    data = b"Account address\n" + b"a@b.example\n" * (5 * 1024 * 1024 // 12 + 10)
    response = upload(client, "mastodon", "big.csv", data=data)
    assert response.status_code == 400
    assert "larger than 5 MB" in response.content.decode()
    assert Tie.objects.count() == 0


def test_file_over_50000_rows_is_refused(client, importer, community):
    data = b"Account address\n" + b"".join(b"u%d@m.example\n" % i for i in range(50_001))
    assert len(data) < 5 * 1024 * 1024
    response = upload(client, "mastodon", "many.csv", data=data)
    assert response.status_code == 400
    assert "more than 50,000 rows" in response.content.decode()


def test_file_of_exactly_50000_rows_is_read(client, importer, community):
    data = b"Account address\n" + b"".join(b"u%d@m.example\n" % i for i in range(49_999))
    data += b"camille@piaille.fr\n"
    response = upload(client, "mastodon", "many.csv", data=data)
    assert response.status_code == 200
    assert response.context["preview"].rows_read == 50_000
    assert [m.member.username for m in response.context["preview"].matches] == ["camille-d"]


def test_tampered_token_is_a_400_and_stores_nothing(client, importer, community):
    response = upload(client, "linkedin", "linkedin-Connections.csv")
    token = response.context["confirm_form"].initial["token"]
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert client.post(reverse("community:import_confirm"), {"token": tampered}).status_code == 400
    assert Tie.objects.count() == 0


def test_another_members_preview_token_cannot_be_replayed(client, importer, community):
    token = (
        upload(client, "linkedin", "linkedin-Connections.csv")
        .context["confirm_form"]
        .initial["token"]
    )
    reauthenticate(client, community["kevin"])
    assert client.post(reverse("community:import_confirm"), {"token": token}).status_code == 400
    assert Tie.objects.count() == 0


def test_undo_removes_the_batch_ties_but_keeps_declared_ones(client, importer, community):
    Tie.objects.create(from_member=importer, to_member=community["lea"], network="linkedin")
    confirm(client, upload(client, "linkedin", "linkedin-Connections.csv"))
    batch = ImportBatch.objects.get()
    assert targets(importer) == [("camille-d", "linkedin"), ("lea", "linkedin")]
    response = client.post(
        reverse("community:import_undo", args=[batch.pk]),
        follow=True,
        headers={"accept-language": "en"},
    )
    assert response.redirect_chain == [(importer.get_absolute_url(), 302)]
    assert messages_of(response)[-1] == "Import undone: 1 tie removed."
    assert ImportBatch.objects.count() == 0
    assert list(Tie.objects.values_list("to_member__username", "source")) == [("lea", "declared")]


def test_undo_page_says_how_many_ties_go_and_removes_nothing(client, importer, community):
    confirm(client, upload(client, "linkedin", "linkedin-Connections.csv"))
    batch = ImportBatch.objects.get()
    profile = client.get(importer.get_absolute_url(), headers={"accept-language": "en"})
    undo_url = reverse("community:import_undo", args=[batch.pk])
    assert f'<a href="{undo_url}">Undo this import</a>' in profile.content.decode()
    response = client.get(undo_url, headers={"accept-language": "en"})
    page = response.content.decode()
    assert "2 imported ties will be removed." in page
    assert f'<form method="post" action="{undo_url}">' in page
    assert "Remove these ties" in page
    assert ImportBatch.objects.count() == 1
    assert len(targets(importer)) == 2


def test_undo_page_in_french(client, importer, community):
    confirm(client, upload(client, "mastodon", "mastodon-following_accounts.csv"))
    batch = ImportBatch.objects.get()
    response = client.get(
        reverse("community:import_undo", args=[batch.pk]), headers={"accept-language": "fr"}
    )
    assert "2 liens importés seront supprimés." in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_cannot_see_or_undo_someone_elses_import(client, importer, community, method):
    confirm(client, upload(client, "linkedin", "linkedin-Connections.csv"))
    batch = ImportBatch.objects.get()
    client.force_login(community["kevin"])
    response = getattr(client, method)(reverse("community:import_undo", args=[batch.pk]))
    assert response.status_code == 404
    assert ImportBatch.objects.count() == 1


def test_account_js_proves_the_members_x_id(client, community):
    thomas = community["thomas"]
    Identity.objects.filter(member=thomas, network="x").update(external_id="")
    client.force_login(thomas)
    response = client.post(
        reverse("community:x_account"),
        {"file": SimpleUploadedFile("account.js", sample("x-archive-account.js"))},
    )
    assert response.status_code == 302
    assert Identity.objects.get(member=thomas, network="x").external_id == "14159265"


def test_account_js_of_someone_elses_handle_is_refused(client, importer, community):
    response = client.post(
        reverse("community:x_account"),
        {"file": SimpleUploadedFile("account.js", sample("x-archive-account.js"))},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 400
    assert "already claimed by another member" in response.content.decode()
    assert not Identity.objects.filter(member=importer).exists()


def test_anonymous_cannot_import(client, community):
    response = upload(client, "linkedin", "linkedin-Connections.csv")
    assert response.status_code == 302
    assert Tie.objects.count() == 0


# The confirmation token works once.


def test_confirming_the_same_preview_twice_creates_one_batch(client, importer, community):
    preview = upload(client, "linkedin", "linkedin-Connections.csv")
    first = confirm(client, preview, follow=True, headers={"accept-language": "en"})
    assert messages_of(first) == ["Import saved: 2 new ties."]
    second = confirm(client, preview, follow=True, headers={"accept-language": "en"})
    assert second.redirect_chain == [(importer.get_absolute_url(), 302)]
    assert messages_of(second) == [
        "This preview was already saved (or saved and undone): nothing changed. "
        "Upload the file again to import it anew."
    ]
    assert ImportBatch.objects.count() == 1
    assert targets(importer) == [("camille-d", "linkedin"), ("lea", "linkedin")]


def test_an_undone_preview_cannot_be_confirmed_again(client, importer, community):
    preview = upload(client, "linkedin", "linkedin-Connections.csv")
    confirm(client, preview)
    client.post(reverse("community:import_undo", args=[ImportBatch.objects.get().pk]))
    response = confirm(client, preview, follow=True, headers={"accept-language": "en"})
    assert messages_of(response)[-1].startswith("This preview was already saved")
    assert ImportBatch.objects.count() == 0
    assert Tie.objects.count() == 0


def test_a_repeat_is_refused_even_when_the_cache_forgot_the_token(client, importer, community):
    preview = upload(client, "linkedin", "linkedin-Connections.csv")
    confirm(client, preview)
    cache.clear()
    response = confirm(client, preview, follow=True, headers={"accept-language": "en"})
    assert messages_of(response)[-1].startswith("This preview was already saved")
    assert ImportBatch.objects.count() == 1


def test_two_previews_of_different_files_are_both_confirmed(client, importer, community):
    linkedin = upload(client, "linkedin", "linkedin-Connections.csv")
    mastodon = upload(client, "mastodon", "mastodon-following_accounts.csv")
    confirm(client, linkedin)
    confirm(client, mastodon)
    assert ImportBatch.objects.count() == 2
    assert len(targets(importer)) == 4


def test_a_preview_after_an_import_of_the_same_file_can_be_confirmed(client, importer, community):
    confirm(client, upload(client, "linkedin", "linkedin-Connections.csv"))
    client.post(reverse("community:import_undo", args=[ImportBatch.objects.get().pk]))
    confirm(client, upload(client, "linkedin", "linkedin-Connections.csv"))
    assert ImportBatch.objects.count() == 1
    assert len(targets(importer)) == 2


def test_a_preview_older_than_an_hour_is_refused(client, importer, community):
    with time_machine.travel(dt.datetime(2026, 3, 4, 18, 0, tzinfo=dt.UTC), tick=False):
        preview = upload(client, "linkedin", "linkedin-Connections.csv")
    with time_machine.travel(dt.datetime(2026, 3, 4, 19, 0, 1, tzinfo=dt.UTC), tick=False):
        response = confirm(client, preview, headers={"accept-language": "en"})
    assert response.status_code == 400
    assert response.content.decode() == "This preview is too old; upload the file again."
    assert ImportBatch.objects.count() == 0


def test_the_token_is_read_by_the_imports_module_for_its_member(importer, community):
    preview = imports.Preview(kind="mastodon", filename="f.csv", rows_read=3)
    token = imports.sign_token(member=importer, preview=preview)
    confirmation = imports.read_token(member=importer, token=token)
    assert (confirmation.kind, confirmation.filename, confirmation.rows_read) == (
        "mastodon",
        "f.csv",
        3,
    )
    with pytest.raises(ValidationError) as error:
        imports.read_token(member=community["kevin"], token=token)
    assert error.value.code == "tampered"


# A failed import changes nothing.


def test_a_confirm_that_fails_stores_nothing_and_leaves_the_preview_usable(
    client, importer, community, monkeypatch
):
    preview = upload(client, "linkedin", "linkedin-Connections.csv")

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(Tie.objects, "bulk_create", broken)
        with pytest.raises(DatabaseError):
            confirm(client, preview)
    assert ImportBatch.objects.count() == 0
    assert Tie.objects.count() == 0
    confirm(client, preview)
    assert ImportBatch.objects.count() == 1
    assert len(targets(importer)) == 2


# Wording.


def test_saving_one_tie_says_so_in_the_singular(client, importer, community):
    data = b"@tvandamme\n"
    response = confirm(
        client,
        upload(client, "handles", "x.csv", data=data, network="x"),
        follow=True,
        headers={"accept-language": "en"},
    )
    assert messages_of(response) == ["Import saved: 1 new tie."]


def test_saving_ties_says_so_in_french(client, importer, community):
    preview = upload(client, "linkedin", "linkedin-Connections.csv")
    response = confirm(client, preview, follow=True, headers={"accept-language": "fr"})
    assert messages_of(response) == ["Import enregistré\u00a0: 2 nouveaux liens en ligne."]
    data = b"@tvandamme\n"
    preview = upload(client, "handles", "x.csv", data=data, network="x")
    response = confirm(client, preview, follow=True, headers={"accept-language": "fr"})
    assert messages_of(response) == ["Import enregistré\u00a0: 1 nouveau lien en ligne."]


# HTML: one page, unique ids.


class IdCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.label_targets = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "label" and "for" in attrs:
            self.label_targets.append(attrs["for"])


def collect_ids(html: str) -> IdCollector:
    collector = IdCollector()
    collector.feed(html)
    return collector


def test_import_page_ids_are_unique_and_every_label_has_its_input(client, importer):
    page = collect_ids(client.get(reverse("community:import")).content.decode())
    assert len(page.ids) == len(set(page.ids))
    assert {"id_file", "id_x_file"} <= set(page.ids)
    assert set(page.label_targets) <= set(page.ids)


def test_import_page_with_errors_keeps_ids_unique(client, importer, community):
    for response in (
        upload(client, "mastodon", "photo.jpg", data=b"\xff\xd8\xff\xe0\x00\x10JFIF"),
        client.post(
            reverse("community:x_account"),
            {"file": SimpleUploadedFile("account.js", sample("x-archive-account.js"))},
        ),
    ):
        assert response.status_code == 400
        page = collect_ids(response.content.decode())
        assert len(page.ids) == len(set(page.ids))
        assert set(page.label_targets) <= set(page.ids)


# One upload limit, enforced while the body is read.

BOUNDARY = "rencontres-boundary"


def multipart_body(*, kind: str, name: str, data: bytes, part_length: int | None = None) -> bytes:
    """A form post built by hand, so that its headers can lie."""
    length = b"" if part_length is None else b"Content-Length: %d\r\n" % part_length
    return b"".join(
        [
            b"--%s\r\n" % BOUNDARY.encode(),
            b'Content-Disposition: form-data; name="kind"\r\n\r\n%s\r\n' % kind.encode(),
            b"--%s\r\n" % BOUNDARY.encode(),
            b'Content-Disposition: form-data; name="file"; filename="%s"\r\n' % name.encode(),
            b"Content-Type: text/csv\r\n" + length + b"\r\n",
            data,
            b"\r\n--%s--\r\n" % BOUNDARY.encode(),
        ]
    )


def mastodon_file(size: int) -> bytes:
    """A follows export of exactly `size` bytes naming camille@piaille.fr (blank lines pad it)."""
    data = b"Account address\ncamille@piaille.fr\n"
    padding = size - len(data)
    return data + (b" " * 999 + b"\n") * (padding // 1000) + b"\n" * (padding % 1000)


@pytest.fixture
def small_limit(settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    return settings.UPLOAD_MAX_BYTES


def test_upload_limit_is_one_setting_used_by_django_and_the_handler(settings):
    assert settings.UPLOAD_MAX_BYTES == 5 * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.UPLOAD_MAX_BYTES
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == settings.UPLOAD_MAX_BYTES
    assert settings.FILE_UPLOAD_HANDLERS == ["community.uploads.LimitedUploadHandler"]


@pytest.mark.parametrize("offset", [-1, 0])
def test_file_up_to_the_limit_is_read(client, importer, community, small_limit, offset):
    response = upload(client, "mastodon", "f.csv", data=mastodon_file(small_limit + offset))
    assert response.status_code == 200
    assert [m.member.username for m in response.context["preview"].matches] == ["camille-d"]


def test_file_one_byte_over_the_limit_is_a_form_error(client, importer, community, small_limit):
    response = upload(client, "mastodon", "f.csv", data=mastodon_file(small_limit + 1))
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["file"] == ["This file is larger than 1 MB."]
    assert form["kind"].value() == "mastodon"
    assert ImportBatch.objects.count() == 0


def test_limit_label_in_both_languages(settings):
    from django.utils import translation

    from community.uploads import limit_label

    with translation.override("en"):
        assert limit_label() == "5 MB"
    with translation.override("fr"):
        assert limit_label() == "5\u00a0Mo"
    settings.UPLOAD_MAX_BYTES = 1024 * 1024 * 5 // 2
    with translation.override("fr"):
        assert limit_label() == "2,5\u00a0Mo"


def test_oversized_file_with_a_lying_part_length_keeps_the_form(client, importer, community):
    data = b"Account address\n" + b"a@b.example\n" * (5 * 1024 * 1024 // 12 + 10)
    response = client.post(
        reverse("community:import"),
        multipart_body(kind="mastodon", name="f.csv", data=data, part_length=100),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        headers={"accept-language": "en"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["This file is larger than 5 MB."]
    assert response.context["form"]["kind"].value() == "mastodon"
    assert response.wsgi_request.FILES["file"].size > 5 * 1024 * 1024


def parse_body(body: bytes, *, content_length: int):
    from io import BytesIO

    from django.http.multipartparser import MultiPartParser

    from community.uploads import LimitedUploadHandler

    meta = {
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(content_length),
    }
    return MultiPartParser(meta, BytesIO(body), [LimitedUploadHandler()]).parse()


def test_handler_keeps_at_most_the_limit_whatever_content_length_claims(small_limit):
    # On ASGI the body is not cut at Content-Length, which a chunked request may understate.
    body = multipart_body(kind="mastodon", name="f.csv", data=b"x" * (3 * small_limit))
    post, files = parse_body(body, content_length=100)
    assert post["kind"] == "mastodon"
    upload = files["file"]
    assert upload.size == 3 * small_limit
    assert len(upload.read()) == small_limit + 1


def test_handler_gives_one_allowance_to_all_the_files_of_a_request(small_limit):
    first = multipart_body(kind="mastodon", name="a.csv", data=b"x" * (small_limit - 10))
    # A second file part after the first: together they exceed the limit.
    second = (
        b"--%s\r\n" % BOUNDARY.encode()
        + b'Content-Disposition: form-data; name="other"; filename="b.csv"\r\n\r\n'
        + b"y" * 100
        + b"\r\n--%s--\r\n" % BOUNDARY.encode()
    )
    body = first.removesuffix(b"--\r\n") + b"\r\n" + second.split(b"\r\n", 1)[1]
    _post, files = parse_body(body, content_length=len(body))
    assert files["file"].size == small_limit - 10
    assert files["other"].size > small_limit
    assert len(files["other"].read()) == 11


# Bounded in time and memory whatever the content.


def crafted_opml(
    outlines: int = 10_341, *, hosts_per_outline: int = 1, urls: int = 2, segments: int = 100
) -> bytes:
    """The blogroll of the security finding: URLs of 100 one-character path segments."""
    attributes = ("htmlUrl", "xmlUrl", "url")
    lines = [b'<?xml version="1.0"?>\n<opml version="2.0"><head/><body>\n']
    for index in range(outlines):
        parts = []
        for n in range(urls):
            host = f"b{index}-{n % hosts_per_outline}.example"
            path = "/".join("abc"[n] * segments)
            parts.append(f'{attributes[n]}="https://{host}/{path}"')
        lines.append(f"<outline {' '.join(parts)}/>\n".encode())
    lines.append(b"</body></opml>\n")
    return b"".join(lines)


def test_crafted_opml_is_read_with_a_bounded_number_of_keys_and_queries(
    client, importer, community, django_assert_max_num_queries
):
    data = crafted_opml()
    assert 4_800_000 < len(data) < 5 * 1024 * 1024
    parsed = imports.parse_opml(data)
    assert parsed.rows == 10_341
    # Each outline: two full URLs, their shared host and two parents each: 7 keys, not 202.
    assert parsed.candidates == 7 * 10_341
    lookups = math.ceil(parsed.candidates / imports.QUERY_CHUNK)
    # Session, member, the lookups, the member's latest import (token), the data version, the
    # header's photo and organiser flag, and allauth's reauthentication check (which of
    # recovery codes, app, passkey the member has).
    with django_assert_max_num_queries(lookups + 6 + 3) as captured:
        response = upload(client, "opml", "crafted.opml", data=data)
    assert response.status_code == 200
    assert response.context["preview"].matches == []
    identity_queries = [q for q in captured if 'FROM "community_identity"' in q["sql"]]
    assert len(identity_queries) == lookups
    assert Tie.objects.count() == 0


def test_keys_are_looked_up_in_chunks_and_matches_found_in_any_chunk(
    importer, community, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(imports, "QUERY_CHUNK", 2)
    data = (
        b"network,handle\nmastodon,a@one.example\nmastodon,camille@piaille.fr\n"
        b"mastodon,tvandamme@mastodon.social\nmastodon,b@one.example\nx,@nobody\n"
    )
    # Four Mastodon keys in two chunks, one X key: three lookups.
    with django_assert_num_queries(3):
        preview = imports.preview_import(member=importer, kind="handles", data=data)
    assert [(m.member.username, m.network) for m in preview.matches] == [
        ("camille-d", "mastodon"),
        ("thomas", "mastodon"),
    ]


def test_opml_naming_too_many_addresses_is_refused_with_a_message(client, importer, community):
    data = crafted_opml(9_000, hosts_per_outline=3, urls=3, segments=3)
    assert len(data) < 5 * 1024 * 1024
    response = upload(client, "opml", "crafted.opml", data=data)
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "This file names more than 100,000 addresses to look up: split it into smaller files."
    ]
    assert ImportBatch.objects.count() == 0


@pytest.mark.parametrize(
    ("parse", "data", "code"),
    [
        # Blank lines are lines too.
        (imports.parse_mastodon, b"\n" * (imports.MAX_LINES + 1), "too_many_rows"),
        (imports.parse_linkedin, b"Notes:\n" + b"\n" * (imports.MAX_LINES + 1), "too_many_rows"),
        (imports.parse_handles, b"x," * 101 + b"\n", "too_many_columns"),
        (imports.parse_linkedin, b"," * 1_000_000, "too_many_columns"),
        # Refused before json.loads builds a million objects.
        (
            imports.parse_x_following,
            b"window.YTD.following.part0 = [" + b"{}," * 1_000_000 + b"{}]",
            "too_many_rows",
        ),
        (
            imports.parse_x_following,
            b'window.YTD.following.part0 = [{"following": {"accountId": "' + b"1" * 21 + b'"}}]',
            "wrong_format",
        ),
        (
            imports.parse_opml,
            b"<opml><body>" + b"<x/>" * (imports.MAX_XML_ELEMENTS + 1) + b"</body></opml>",
            "too_many_rows",
        ),
        (imports.parse_opml, b"<rss><channel/></rss>", "wrong_format"),
    ],
)
def test_costly_files_are_refused_before_the_cost(parse, data, code):
    with pytest.raises(ValidationError) as error:
        parse(data)
    assert error.value.code == code


def test_each_format_gives_at_most_a_few_keys_per_row():
    row = '<outline htmlUrl="https://a.example/1/2/3/4" xmlUrl="https://b.example/1/2/3/4"'
    row += ' url="https://c.example/1/2/3/4" HTMLURL="https://d.example/1/2/3/4"/>'
    parsed = imports.parse_opml(f"<opml><body>{row}</body></opml>".encode())
    assert parsed.candidates == imports.MAX_CANDIDATES_PER_ROW == 12
