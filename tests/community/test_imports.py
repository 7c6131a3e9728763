"""Contact imports from real export files: only members are kept, nothing stored before confirm."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from community.models import Identity, ImportBatch, Network, Tie
from tests.conftest import make_member

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


def confirm(client, response):
    token = response.context["confirm_form"].initial["token"]
    return client.post(reverse("community:import_confirm"), {"token": token})


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
    client.force_login(user)
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
    client.force_login(community["camille"])
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
    client.force_login(community["kevin"])
    assert client.post(reverse("community:import_confirm"), {"token": token}).status_code == 400
    assert Tie.objects.count() == 0


def test_undo_removes_the_batch_ties_but_keeps_declared_ones(client, importer, community):
    Tie.objects.create(from_member=importer, to_member=community["lea"], network="linkedin")
    confirm(client, upload(client, "linkedin", "linkedin-Connections.csv"))
    batch = ImportBatch.objects.get()
    assert targets(importer) == [("camille-d", "linkedin"), ("lea", "linkedin")]
    response = client.post(reverse("community:import_undo", args=[batch.pk]))
    assert response.status_code == 302
    assert ImportBatch.objects.count() == 0
    assert list(Tie.objects.values_list("to_member__username", "source")) == [("lea", "declared")]


def test_outsider_cannot_undo_someone_elses_import(client, importer, community):
    confirm(client, upload(client, "linkedin", "linkedin-Connections.csv"))
    batch = ImportBatch.objects.get()
    client.force_login(community["kevin"])
    assert client.post(reverse("community:import_undo", args=[batch.pk])).status_code == 404
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
