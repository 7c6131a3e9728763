from django.conf import settings
from django.core.cache import caches
from django.urls import get_script_prefix, reverse

# The site's chrome (header, footer, head) links to these on every page. Reversing them all
# costs about as much as rendering the rest of the chrome, so they go to the fragments cache,
# per script prefix and URL configuration (the benchmarks add a route). They change only with
# a deploy; the hour bounds how long a shared (Redis) cache may serve the previous ones.
CHROME_URLS = {
    "home": "events:home",
    "past": "events:past",
    "my_events": "events:my_events",
    "organise": "events:organise",
    "login": "account_login",
    "signup": "account_signup",
    "logout": "account_logout",
    "calendar": "events:site_ics",
    "feed": "events:feed",
}


def chrome_urls(request) -> dict:
    key = f"chrome-urls:{settings.ROOT_URLCONF}:{get_script_prefix()}"
    urls = caches["fragments"].get(key)
    if urls is None:
        urls = {name: reverse(view) for name, view in CHROME_URLS.items()}
        caches["fragments"].set(key, urls, 3600)
    return {"site_urls": urls}
