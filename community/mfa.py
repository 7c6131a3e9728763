"""Who must have a second factor, and where they are sent to set one up.

Staff and organisers hold what a stolen password must not open: the admin, every series'
date holds, attendee lists. They need an authenticator (an app's codes or a passkey) before
those pages; allauth's login then asks every member who has one for it. The rule is
`require_second_factor`, called by the organiser check (`events/access.py`) and by the admin
site (`community/admin.py`); the middleware below turns its refusal into a redirect to the
setup page with a message saying why.
"""

from collections.abc import Callable
from functools import wraps

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

# Recovery codes alone are a fallback, not a factor of their own.
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


class SecondFactorRequired(Exception):
    """The page needs a second factor that the member has not set up yet."""


def has_second_factor(user) -> bool:
    return is_mfa_enabled(user, types=SECOND_FACTORS)


def require_second_factor(user) -> None:
    if not has_second_factor(user):
        raise SecondFactorRequired


class SecondFactorMiddleware:
    """Sends a member refused by `require_second_factor` to the authenticator app setup."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, SecondFactorRequired):
            return None
        messages.warning(
            request,
            _(
                "Organiser pages and the admin are protected by a second factor. Set up an "
                "authenticator app (or a passkey) for your account, then open the page again."
            ),
        )
        return HttpResponseRedirect(reverse("mfa_activate_totp"))


class SecondFactorAdminSite(admin.AdminSite):
    """The admin, for staff with a second factor (the site's default admin, see apps.py)."""

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def wrapper(request, *args, **kwargs):
            if request.user.is_active and request.user.is_staff:
                require_second_factor(request.user)
            return inner(request, *args, **kwargs)

        return wrapper
