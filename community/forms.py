from django import forms
from django.utils.translation import gettext_lazy as _


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form (allauth calls `signup()` after creating the user)."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=_("How other members see you, e.g. “Camille D.”"),
    )
    city = forms.CharField(label=_("City"), max_length=80, required=False)

    def signup(self, request, user) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.city = self.cleaned_data["city"]
        user.save(update_fields=["display_name", "city"])
