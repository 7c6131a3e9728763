import os

from django.core.asgi import get_asgi_application

from community.checks import require_static_manifest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")
application = get_asgi_application()

# Refuse to start rather than answer 500 on every page.
require_static_manifest()
