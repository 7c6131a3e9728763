"""At the door: the organisers' check-in page, the members' door passes, the name badges.

The check-in page works as plain forms (GET search, POST buttons that redirect back). Its
script (`static/js/check-in.js`) sends the same requests with `X-Requested-With: fetch` and
gets the live part of the page back instead of a redirect.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from community.mail import absolute_url
from events import badges, checkin
from events.access import organised_event_or_403, organises
from events.forms import ArrivalForm, CheckInSearchForm, GuestForm, WalkInForm
from events.models import Event

LIVE = "events/organise/check_in.html#live"


def _door_event(request: HttpRequest, slug: str) -> Event:
    """The event, for one of its organisers, while check-in makes sense for it."""
    event = organised_event_or_403(request, slug)
    if not event.is_published:
        raise PermissionDenied
    return event


def _live_context(event: Event, query: str, status: str = "") -> dict:
    return {
        "event": event,
        "q": query,
        "rsvps": list(checkin.door_list(event, query)),
        "walk_ins": checkin.walk_in_candidates(event, query),
        "guests": list(event.guests.all()),
        "counts": checkin.counts(event),
        "status": status,
    }


def _is_fetch(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _back(request: HttpRequest, event: Event, status: str, anchor: str = "") -> HttpResponse:
    """The live part of the page for the script; a redirect to the page for a plain form."""
    query = CheckInSearchForm(request.POST).query()
    if _is_fetch(request):
        return render(request, LIVE, _live_context(event, query, status))
    messages.success(request, status)
    url = reverse("events:check_in", args=[event.slug])
    if query:
        url += "?" + urlencode({"q": query})
    return redirect(url + anchor)


@never_cache
@login_required
def check_in(request: HttpRequest, slug: str) -> HttpResponse:
    event = _door_event(request, slug)
    query = CheckInSearchForm(request.GET).query()
    if request.GET.get("fragment"):
        return render(request, LIVE, _live_context(event, query))
    return _page(request, event, query, GuestForm())


def _page(
    request: HttpRequest, event: Event, query: str, guest_form: GuestForm, status: int = 200
) -> HttpResponse:
    ctx = {**_live_context(event, query), "guest_form": guest_form}
    return render(request, "events/organise/check_in.html", ctx, status=status)


@login_required
@require_POST
def arrival(request: HttpRequest, slug: str, rsvp_id: int) -> HttpResponse:
    event = _door_event(request, slug)
    rsvp = get_object_or_404(event.rsvps.going().select_related("member"), pk=rsvp_id)
    form = ArrivalForm(request.POST)
    if not form.is_valid():
        return _back(request, event, _("Nothing changed."))
    name = str(rsvp.member)
    if form.cleaned_data["action"] == ArrivalForm.UNDO:
        checkin.undo_arrival(rsvp=rsvp)
        status = _("%(name)s is no longer checked in.") % {"name": name}
    else:
        checkin.mark_arrived(rsvp=rsvp)
        status = _("%(name)s is checked in.") % {"name": name}
    return _back(request, event, status, f"#rsvp-{rsvp.pk}")


@login_required
@require_POST
def walk_in(request: HttpRequest, slug: str) -> HttpResponse:
    """A member without a seat (waiting, or no RSVP at all) let in at the door."""
    event = _door_event(request, slug)
    form = WalkInForm(request.POST)
    if not form.is_valid():
        return _back(request, event, _("This member could not be found."))
    rsvp = checkin.walk_in(event=event, member=form.cleaned_data["member"])
    status = _("%(name)s is checked in.") % {"name": rsvp.member}
    return _back(request, event, status, f"#rsvp-{rsvp.pk}")


@login_required
@require_POST
def add_guest(request: HttpRequest, slug: str) -> HttpResponse:
    event = _door_event(request, slug)
    form = GuestForm(request.POST)
    if not form.is_valid():
        if _is_fetch(request):
            return _back(request, event, " ".join(form.errors["name"]))
        return _page(request, event, CheckInSearchForm(request.POST).query(), form, status=400)
    guest = checkin.add_guest(event=event, name=form.cleaned_data["name"], by=request.user)
    return _back(request, event, _("Guest %(name)s is checked in.") % {"name": guest.name})


@login_required
@require_POST
def remove_guest(request: HttpRequest, slug: str, guest_id: int) -> HttpResponse:
    event = _door_event(request, slug)
    checkin.remove_guest(event=event, guest_id=guest_id)
    return _back(request, event, _("The guest is removed."))


@never_cache
def door_pass(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """What a member's QR code opens. An organiser of the event checks the member in by
    opening it; everyone else gets the same 403, whatever the token and whether the event
    exists, so the URL tells nothing about anyone."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    event = Event.objects.filter(slug=slug).select_related("series").first()
    if event is None or not organises(request.user, event):
        raise PermissionDenied
    rsvp = checkin.rsvp_for_token(event=event, token=token) if event.is_published else None
    if rsvp is None:
        return render(request, "events/organise/door_pass.html", {"event": event}, status=404)
    newly = checkin.mark_arrived(rsvp=rsvp)
    ctx = {"event": event, "rsvp": rsvp, "member": rsvp.member, "newly": newly}
    return render(request, "events/organise/door_pass.html", ctx)


def door_pass_image(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The QR code of a door pass as PNG, linked from the reminder email. It draws whatever
    pass it is given and reads nothing: the pass's secret is the token in the address."""
    if not checkin.TOKEN_FORMAT.fullmatch(token):
        raise PermissionDenied
    url = absolute_url(reverse("events:door", args=[slug, token]))
    response = HttpResponse(checkin.qr_png(url), content_type="image/png")
    # Personal: no shared cache keeps it; the member's browser may.
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
def badges_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    event = organised_event_or_403(request, slug)
    response = HttpResponse(badges.badges_pdf(event), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="badges-{event.slug}.pdf"'
    return response
