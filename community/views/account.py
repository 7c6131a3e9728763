"""A member's own account: a copy of their data, and deleting the account.

Both ask for the password again (allauth's reauthentication): an open session left on a
shared computer must not be enough to take away or destroy someone's data.
"""

from allauth.account.decorators import reauthentication_required
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from community import privacy
from community.models import User


class AccountDeleteForm(forms.Form):
    email = forms.CharField(label=gettext_lazy("Your email address, to confirm"), max_length=254)

    def __init__(self, *args, member: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email.lower() != self.member.email.lower():
            raise forms.ValidationError(
                _("This is not the email address of your account."), code="mismatch"
            )
        return email


@never_cache
@login_required
@reauthentication_required
def data_export(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        response = HttpResponse(
            privacy.export_zip(member=request.user), content_type="application/zip"
        )
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"rencontres-{request.user.username}.zip"
        )
        return response
    return render(request, "community/data_export.html")


@never_cache
@login_required
@reauthentication_required
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None, member=request.user)
    reasons = privacy.blockers(member=request.user)
    if request.method == "POST" and not reasons and form.is_valid():
        try:
            privacy.erase(member=request.user)
        except privacy.ErasureRefused as refused:
            reasons = refused.reasons  # became the only organiser since the page was shown
        else:
            logout(request)
            messages.success(
                request, _("Your account is deleted. A confirmation is on its way to you.")
            )
            return redirect("events:home")
    status = 400 if request.method == "POST" else 200
    ctx = {"form": form, "reasons": reasons}
    return render(request, "community/account_delete.html", ctx, status=status)
