from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from community.models import User
from community.ties import profile_ties


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
    identities = member.identities.all()
    ctx = {"member": member, "identities": identities}
    ctx.update(profile_ties(member=member, viewer=request.user))  # identities and ties (issue 4)
    return render(request, "community/profile.html", ctx)


def bench_floor(request: HttpRequest) -> HttpResponse:
    """The cheapest page the site can serve; only routed when BENCHMARK_FLOOR is true."""
    return render(request, "bench_floor.html")
