"""Start-up checks: what would make every page fail is said before the first request."""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured


@register(Tags.staticfiles, deploy=True)
def static_manifest(app_configs=None, **kwargs) -> list[Error]:
    # With DEBUG on, `{% static %}` gives plain names and WhiteNoise serves the sources; with
    # it off, each name is looked up in the manifest that only `collectstatic` writes.
    if settings.DEBUG or not isinstance(staticfiles_storage, ManifestFilesMixin):
        return []
    if staticfiles_storage.exists(staticfiles_storage.manifest_name):
        return []
    manifest = staticfiles_storage.path(staticfiles_storage.manifest_name)
    return [
        Error(
            f"The static files manifest {manifest} is missing, so with DEBUG off every page "
            "would fail.",
            hint="Run `manage.py collectstatic --no-input` before starting the server.",
            id="community.E001",
        )
    ]


def require_static_manifest() -> None:
    """For the WSGI and ASGI entry points, which run no system checks."""
    for error in static_manifest():
        raise ImproperlyConfigured(f"{error.msg} {error.hint}")
