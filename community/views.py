from django.conf import settings
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from community.models import User
from community.ties import profile_ties

PROFILE_EVENTS = 100


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


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


def bench_floor(request: HttpRequest) -> HttpResponse:
    """The cheapest page the site can serve; only routed when BENCHMARK_FLOOR is true."""
    return render(request, "bench_floor.html")


def switch_language(request: HttpRequest, code: str) -> HttpResponse:
    """Remember the visitor's language in a cookie and go back to the page they were on."""
    if code not in dict(settings.LANGUAGES):
        raise Http404
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response
