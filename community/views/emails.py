"""Which emails a member receives: their settings page and the one-click unsubscribe link."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from community.forms import EmailSettingsForm
from community.mail import read_unsubscribe_token
from community.models import User


@login_required
def email_settings(request: HttpRequest) -> HttpResponse:
    form = EmailSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Email settings saved."))
        return redirect("community:email_settings")
    return render(request, "community/email_settings.html", {"form": form})


# A mail client's one-click unsubscribe (RFC 8058) POSTs without a cookie or a CSRF token: the
# signed token in the address is what proves the request comes from the email. A GET only
# shows the confirm button, so link scanners that follow every link unsubscribe nobody.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        member_id, kind = read_unsubscribe_token(token)
    except (signing.BadSignature, ValueError):
        raise Http404 from None
    member = get_object_or_404(User, pk=member_id)
    ctx = {"kind": kind, "token": token, "done": False}
    if request.method == "POST":
        member.stop_email(kind)
        ctx["done"] = True
    return render(request, "community/unsubscribe.html", ctx)
