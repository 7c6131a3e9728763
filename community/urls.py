"""The site's root URLs, and the members app's own routes (namespace `community`)."""

import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from community.views import account, emails, imports, members, photos, site, ties

member_patterns = [
    # Before `<str:username>/`: "me" is a reserved username (community/usernames.py).
    path("me/", account.account, name="account"),
    path("me/photo/", photos.photo, name="photo"),
    path("me/data/", account.data_export, name="data_export"),
    path("me/delete/", account.account_delete, name="account_delete"),
    path("me/emails/", emails.email_settings, name="email_settings"),
    path("me/emails/unsubscribe/<str:token>/", emails.unsubscribe, name="unsubscribe"),
    path("<str:username>/", members.profile, name="profile"),
    path("me/identities/add/", ties.identity_add, name="identity_add"),
    path("me/identities/<int:pk>/delete/", ties.identity_delete, name="identity_delete"),
    path("me/identities/<int:pk>/check/", ties.identity_check, name="identity_check"),
    path("me/ties/<int:pk>/delete/", ties.tie_delete, name="tie_delete"),
    path("me/privacy/", ties.privacy, name="privacy"),
    path("me/imports/", imports.import_upload, name="import"),
    path("me/imports/confirm/", imports.import_confirm, name="import_confirm"),
    path("me/imports/<int:pk>/undo/", imports.import_undo, name="import_undo"),
    path("me/x-account/", ties.x_account, name="x_account"),
    path("<str:username>/know/", ties.tie_add, name="tie_add"),
]

urlpatterns = [
    path("", include("events.urls")),
    path("members/", include((member_patterns, "community"))),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("language/<str:code>/", site.switch_language, name="switch_language"),
    path("healthz", site.healthz, name="healthz"),
    # Staff log in like everyone else, through allauth (its rate limits, its MFA), never
    # through the admin's own password form.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="admin_login",
    ),
    path("admin/", admin.site.urls),
]

# The 503 page when the database is out of reach, the 500 page otherwise.
handler500 = "community.views.site.server_error"

# Stored photos and event covers from the filesystem storage (a bucket serves its own); only
# content-hash names.
if photos.serves_media():
    media_prefix = re.escape(settings.MEDIA_URL.lstrip("/"))
    for folder in ("faces", "covers"):
        urlpatterns.append(
            re_path(
                rf"^{media_prefix}(?P<path>{folder}/[0-9a-f]{{16}}-[0-9]+\.webp)$", photos.media
            )
        )
