"""A member's language is kept on their account, and their typed names stay on one line."""

import pytest
from django.contrib import admin
from django.forms import modelform_factory

from community.models import User


def test_switching_language_is_remembered_on_the_members_account(member_client, member):
    response = member_client.get("/language/en/", {"next": "/"})

    assert response.cookies["django_language"].value == "en"
    member.refresh_from_db()
    assert member.language == "en"


def test_switching_language_anonymously_only_sets_the_cookie(client, member):
    response = client.get("/language/en/")

    assert response.cookies["django_language"].value == "en"
    member.refresh_from_db()
    assert member.language == "fr"


def test_new_members_write_in_the_default_language(member):
    assert member.language == "fr"


def profile_form(user: User, **changes):
    """A ModelForm on the member's profile fields, as the admin and the profile forms build."""
    form_class = modelform_factory(User, fields=["display_name", "city", "bio", "language"])
    data = {"display_name": user.display_name, "city": user.city, "bio": user.bio}
    return form_class({"language": user.language, **data, **changes}, instance=user)


def test_the_admin_shows_a_members_language(rf, admin_user, member):
    request = rf.get("/")
    request.user = admin_user

    form_class = admin.site._registry[User].get_form(request, member, change=True)

    assert "language" in form_class.base_fields


def test_a_members_language_can_be_changed_through_a_form(member):
    profile_form(member, language="en").save()

    member.refresh_from_db()
    assert member.language == "en"


@pytest.mark.parametrize(
    ("field", "value"),
    [("display_name", "Camille\r\nBcc: everyone"), ("city", "Li\nlle"), ("bio", "Hi\x07there")],
)
def test_forms_refuse_control_characters_in_a_members_text(member, field, value):
    form = profile_form(member, **{field: value})

    assert not form.is_valid()
    assert form.has_error(field, "control_characters")
    member.refresh_from_db()
    assert getattr(member, field) != value


def test_a_multi_line_bio_is_accepted(member):
    form = profile_form(member, bio="Blogueuse.\r\nPhotographe.")

    assert form.is_valid(), form.errors
