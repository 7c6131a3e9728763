"""Staff can use the admin for every model: list (with search and filters), add, change."""

import pytest
from django.contrib import admin
from django.urls import reverse

from community.models import Identity, Network, Tie
from events.models import RSVP, EventLink, Meeting, SeriesLink
from tests.conftest import make_staff

MODELS = [
    model for model in admin.site._registry if model._meta.app_label in ("community", "events")
]


@pytest.fixture
def staff_client(client, db):
    admin_user = make_staff("admin")
    client.force_login(admin_user)
    return client


@pytest.fixture
def world(event, member, outsider):
    Identity.objects.create(member=member, network=Network.X, handle="camille")
    Tie.objects.create(from_member=member, to_member=outsider, network=Network.X)
    RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
    EventLink.objects.create(event=event, title="Slides", url="https://example.org/s")
    SeriesLink.objects.create(series=event.series, title="Meetup", url="https://example.org/m")
    a, b = sorted([member, outsider], key=lambda u: u.pk)
    Meeting.objects.create(event=event, member_a=a, member_b=b)


def test_every_domain_model_is_registered():
    names = {model.__name__ for model in MODELS}
    assert {"User", "Identity", "Tie", "ImportBatch", "Series", "Venue"} <= names  # + inlines
    assert {"Event", "RSVP", "Meeting", "ClashAcknowledgement"} <= names


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_search_and_forms_work(staff_client, world, model):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert staff_client.get(changelist).status_code == 200
    assert staff_client.get(changelist, {"q": "camille"}).status_code == 200
    assert (
        staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code
        == 200
    )
    obj = model.objects.first()
    if obj is not None:
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert staff_client.get(change).status_code == 200


def test_members_cannot_open_the_admin(member_client):
    response = member_client.get(reverse("admin:events_event_changelist"))
    assert response.status_code == 302
