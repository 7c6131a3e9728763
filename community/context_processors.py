from functools import cache

from django.urls import get_script_prefix, reverse

# The site's chrome (header, footer, head) links to these on every page. Reversing a URL
# costs about as much as rendering the rest of the chrome, and these never change while the
# process runs, so they are reversed once per script prefix.
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


@cache
def _chrome_urls(prefix: str) -> dict[str, str]:
    return {name: reverse(view) for name, view in CHROME_URLS.items()}


def chrome_urls(request) -> dict:
    return {"site_urls": _chrome_urls(get_script_prefix())}
