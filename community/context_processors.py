from django.conf import settings
from django.core.cache import caches
from django.urls import get_script_prefix, reverse

# The site's chrome (header, footer, head) links to these on every page. Reversing them all
# costs about as much as rendering the rest of the chrome, so they go to the fragments cache,
# per script prefix and URL configuration (the benchmarks add a route), in each worker's
# memory: they change only with a deploy, which starts new workers.
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
    urls = caches["local"].get(key)
    if urls is None:
        urls = {name: reverse(view) for name, view in CHROME_URLS.items()}
        caches["local"].set(key, urls, None)
    return {"site_urls": urls}
