"""Usernames: suggested at sign-up from the display name, refused when taken or reserved,
changed on the account page with the old profile URL redirecting to the new one."""

import importlib

import pytest
from django.core.cache import cache
from django.urls import reverse

from community import usernames
from community.models import FormerUsername, User
from tests.conftest import make_member

NEW_PASSWORD = "un-mot-de-passe-tres-long-42"


@pytest.fixture(autouse=True)
def fresh_rate_limits(db):
    cache.clear()


def signup(client, **extra):
    data = {
        "email": "nina.secret-handle@example.org",
        "display_name": "Nina Nouvelle",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **extra,
    }
    client.cookies["django_language"] = "en"
    return client.post(reverse("account_signup"), data)


def test_an_empty_username_is_made_from_the_display_name_never_the_email(client, db):
    response = signup(client, display_name="Élodie Martin", username="")

    assert response.status_code == 302
    user = User.objects.get(email="nina.secret-handle@example.org")
    assert user.username == "elodie-martin"
    assert "secret-handle" not in user.get_absolute_url()


def test_the_suggestion_skips_names_already_taken(client, db):
    make_member("nina-nouvelle")

    signup(client, username="")

    assert User.objects.get(email="nina.secret-handle@example.org").username == "nina-nouvelle-2"


def test_a_chosen_username_is_kept_in_lower_case(client, db):
    signup(client, username="  NinaN ")

    assert User.objects.get(email="nina.secret-handle@example.org").username == "ninan"


def test_a_taken_username_is_refused_with_a_free_one_suggested(client, db):
    make_member("nina")

    response = signup(client, username="nina")

    assert response.status_code == 200
    errors = response.context["form"].errors["username"]
    assert errors == ["This username is taken.", "“nina-nouvelle” is free."]
    assert not User.objects.filter(email="nina.secret-handle@example.org").exists()


@pytest.mark.parametrize("word", ["me", "admin", "Moi"])
def test_reserved_words_are_refused(client, db, word):
    response = signup(client, username=word)

    assert response.status_code == 200
    assert response.context["form"].errors["username"][0] == (
        "This name is reserved for the site's pages."
    )
    assert not User.objects.filter(email="nina.secret-handle@example.org").exists()


@pytest.mark.parametrize("value", ["a", "nina_n", "nina n", "-nina", "nina.n", "x" * 31])
def test_usernames_outside_the_pattern_are_refused(client, db, value):
    response = signup(client, username=value)

    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert not User.objects.filter(email="nina.secret-handle@example.org").exists()


def test_someone_elses_former_username_is_not_free(client, db):
    renamed = make_member("nina")
    usernames.rename(member=renamed, username="nina-d")

    response = signup(client, username="nina")

    assert response.context["form"].errors["username"][0] == "This username is taken."
    assert usernames.suggest("Nina") == "nina-2"


def test_accounts_made_without_a_username_get_one_from_the_display_name(db):
    user = User.objects.create_user(
        email="bob.orga@example.org", password=NEW_PASSWORD, display_name="Bob Martin"
    )

    assert user.username == "bob-martin"


def edit(client, member, **changes):
    data = {
        "display_name": member.display_name,
        "username": member.username,
        "city": member.city,
        "bio": member.bio,
        **changes,
    }
    client.cookies["django_language"] = "en"
    return client.post(reverse("community:account"), data)


def test_renaming_redirects_the_old_profile_url_for_good(client, member):
    client.force_login(member)
    old_url = member.get_absolute_url()

    response = edit(client, member, username="camille-dupont", city="Roubaix")

    assert response["Location"] == reverse("community:account")
    member.refresh_from_db()
    assert (member.username, member.city) == ("camille-dupont", "Roubaix")
    assert list(FormerUsername.objects.values_list("username", flat=True)) == ["camille"]
    client.logout()
    old = client.get(old_url)
    assert (old.status_code, old["Location"]) == (301, "/members/camille-dupont/")
    assert client.get(old["Location"]).context["member"] == member


def test_a_member_may_take_their_own_former_username_back(client, member):
    client.force_login(member)
    edit(client, member, username="camille-dupont")
    member.refresh_from_db()

    edit(client, member, username="camille")

    member.refresh_from_db()
    assert member.username == "camille"
    assert list(FormerUsername.objects.values_list("username", flat=True)) == ["camille-dupont"]
    assert client.get("/members/camille-dupont/")["Location"] == "/members/camille/"


def test_another_members_current_or_former_username_cannot_be_taken(client, member, outsider):
    usernames.rename(member=outsider, username="olivier-b")
    client.force_login(member)

    for taken in ("olivier", "olivier-b", "me"):
        response = edit(client, member, username=taken)
        assert response.status_code == 400
        assert "username" in response.context["form"].errors

    member.refresh_from_db()
    assert member.username == "camille"
    assert not FormerUsername.objects.filter(member=member).exists()


def test_a_departed_members_old_url_is_not_found(client, member):
    usernames.rename(member=member, username="camille-dupont")
    member.is_active = False
    member.save()

    assert client.get("/members/camille/").status_code == 404


def test_the_account_page_is_not_a_profile_named_me(client, member):
    client.force_login(member)

    response = client.get("/members/me/")

    assert response.resolver_match.view_name == "community:account"
    assert response.context["member"] == member


def test_the_migration_renames_usernames_that_are_an_email_local_part(client, db):
    from django.apps import apps

    migration = importlib.import_module("community.migrations.0008_usernames_not_from_email")
    bob = make_member("bob.orga", display_name="Bob Martin")
    bob.email = "Bob.Orga@example.org"
    bob.save()
    make_member("bob-martin")
    chosen = make_member("lea-d", display_name="Léa Dewavrin")
    chosen.email = "lea.dewavrin@example.org"  # a username of her own choosing
    chosen.save()

    migration.rename_email_usernames(apps, None)

    bob.refresh_from_db()
    chosen.refresh_from_db()
    assert (bob.username, chosen.username) == ("bob-martin-2", "lea-d")
    assert client.get("/members/bob.orga/")["Location"] == "/members/bob-martin-2/"
