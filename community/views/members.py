"""Members' public pages."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from community import usernames, verification
from community.models import User
from community.ties import profile_ties

PROFILE_EVENTS = 100


def profile(request: HttpRequest, username: str) -> HttpResponse:
    member = User.objects.filter(is_active=True, username=username).select_related("photo").first()
    if member is None:
        # A link from before a rename: the member's profile is at their new username now.
        renamed = usernames.current_member(username)
        if renamed is None:
            raise Http404
        return redirect(renamed, permanent=True)
    identities = member.identities.all()
    if request.user != member:
        # A claim that lost to another member's verified one is theirs to see only.
        identities = identities.standing()
    ctx = {"member": member, "identities": list(identities), "attended": None}
    ctx["profile_url"] = verification.profile_url(member)
    ctx["verifiable_networks"] = verification.VERIFIABLE_NETWORKS
    # Who went where is shown to members only, as on event pages, and never for a member
    # who is not listed among attendees (except to themselves). Through the related manager,
    # which has the RSVP queryset's methods: `community` does not import `events`.
    if request.user.is_authenticated:
        attended = member.rsvps.attended()
        if request.user != member:
            attended = attended.listed()
            ctx["attendance_hidden"] = not member.listed_in_attendees
        ctx["attended"] = list(
            attended.select_related("event", "event__series").order_by("-event__start")[
                :PROFILE_EVENTS
            ]
        )
    ctx.update(profile_ties(member=member, viewer=request.user))
    return render(request, "community/profile.html", ctx)
