"""Members' public pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from community.models import User
from community.ties import profile_ties

PROFILE_EVENTS = 100


def profile(request: HttpRequest, username: str) -> HttpResponse:
    member = get_object_or_404(User.objects.filter(is_active=True), username=username)
    ctx = {"member": member, "identities": list(member.identities.all()), "attended": None}
    # Who went where is shown to members only, as on event pages, and never for a member
    # who asked not to be listed among attendees (except to themselves).
    if request.user.is_authenticated and (member.listed_in_attendees or request.user == member):
        # Through the related manager: `community` does not import `events`.
        ctx["attended"] = list(
            member.rsvps.filter(
                status="going", event__status="published", event__end__lt=timezone.now()
            )
            .select_related("event", "event__series")
            .order_by("-event__start")[:PROFILE_EVENTS]
        )
    ctx.update(profile_ties(member=member, viewer=request.user))  # identities and ties (issue 4)
    return render(request, "community/profile.html", ctx)
