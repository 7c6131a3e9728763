"""Settings for the test suite: the product's settings, with what tests need to be fast."""

from community.settings import *  # noqa: F403

# Hashing a password the production way costs ~0.3 s; tests create hundreds of members.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303

# Tests serve static files from the sources, without collectstatic.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests expect every change on `/` at once.
HOME_CACHE_SECONDS = 0
