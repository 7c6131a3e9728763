"""allauth's login and sign-up forms with the site's words for their fields.

Apart from `community.forms`, which allauth's sign-up form itself builds on
(ACCOUNT_SIGNUP_FORM_CLASS): these subclass allauth's forms, which import that module.
"""

from allauth.account import forms as allauth_forms
from django.utils.translation import gettext_lazy as _


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Email address")
        self.fields["login"].widget.attrs["placeholder"] = ""


class SignupForm(allauth_forms.SignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Email address")
        self.fields["email"].widget.attrs["placeholder"] = ""
