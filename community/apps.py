import atexit
from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Community")

    def ready(self) -> None:
        from community import checks  # noqa: F401  (registers the system checks)
        from community.embedded import server

        database = settings.DATABASES["default"]
        if database["ENGINE"] == "community.embedded":
            atexit.register(server.stop_if_orphaned, Path(database["PGDATA"]))


class SecondFactorAdminConfig(admin_apps.AdminConfig):
    """The admin, whose pages need a second factor (`community.mfa`)."""

    default = False  # named in INSTALLED_APPS; `community` itself is CommunityConfig
    default_site = "community.mfa.SecondFactorAdminSite"
