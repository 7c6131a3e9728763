"""The Webmention endpoint (W3C Recommendation), and organisers hiding a recap."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from events import webmentions
from events.access import organises
from events.forms import WebmentionForm
from events.models import Recap

# Webmentions one source site may send in a window; then 429 until the window ends.
SOURCE_LIMIT = 20
SOURCE_WINDOW = 3600


def _text(body: str, status: int, **headers) -> HttpResponse:
    return HttpResponse(
        body, status=status, content_type="text/plain; charset=utf-8", headers=headers
    )


def _over_limit(source: str) -> bool:
    # A counter per source host: a spammer varies the path, not the site.
    key = f"webmention:{(urlsplit(source).hostname or '').lower()}"
    cache.add(key, 0, SOURCE_WINDOW)
    try:
        return cache.incr(key) > SOURCE_LIMIT
    except ValueError:  # expired between add and incr
        cache.add(key, 1, SOURCE_WINDOW)
        return False


@csrf_exempt  # senders are other sites' servers, with no session or token
@require_POST
def webmention(request: HttpRequest) -> HttpResponse:
    hosts = {urlsplit(settings.SITE_URL).netloc.lower(), request.get_host().lower()}
    form = WebmentionForm(request.POST, hosts=hosts)
    if not form.is_valid():
        errors = [str(e) for errors in form.errors.values() for e in errors]
        return _text("\n".join(errors) + "\n", 400)
    if _over_limit(form.cleaned_data["source"]):
        return _text(
            _("Too many webmentions from this site; try again later.") + "\n",
            429,
            **{"Retry-After": str(SOURCE_WINDOW)},
        )
    webmentions.queue(source=form.cleaned_data["source"], event=form.cleaned_data["event"])
    return _text(_("Accepted: the source will be checked shortly.") + "\n", 202)


@login_required
@require_POST
def recap_hide(request: HttpRequest, pk: int) -> HttpResponse:
    recap = get_object_or_404(Recap.objects.select_related("event"), pk=pk)
    if not organises(request.user, recap.event):
        raise PermissionDenied
    recap.hidden = request.POST.get("hidden") != "0"
    recap.save(update_fields=["hidden"])
    if recap.hidden:
        messages.success(request, _("The recap is hidden from the event page."))
    else:
        messages.success(request, _("The recap is shown again."))
    return redirect("events:organise_edit", slug=recap.event.slug)
