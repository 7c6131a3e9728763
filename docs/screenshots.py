"""`make screenshots`: PNGs of every page, at 1280×800 and 375×812, into docs/screenshots/.

Serves the demo community (`manage.py seed_demo` data, in the database of DATABASE_URL) with
the development server on 127.0.0.1:$SCREENSHOTS_PORT (8129), DEBUG off, visits each page in
Debian's Chromium (French, as the site's visitors see it), anonymous or logged in as a demo
account, and writes `<name>-<width>.png`. Long pages are cut at three screens; the PNGs are
reduced to 256 colours, which keeps them small enough to commit.
"""

import io
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import django
from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PORT = int(os.environ.get("SCREENSHOTS_PORT", "8129"))
BASE = f"http://127.0.0.1:{PORT}"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SIZES = [(1280, 800), (375, 812)]
SCREENS = 3  # at most this many viewport heights per picture
PASSWORD = "rencontres-demo"  # noqa: S105 - the documented demo password


def pages() -> list[tuple[str, str, str | None]]:
    """(name, path, who): `who` is the demo account to log in as, or None."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")
    django.setup()
    from events.models import Event, Series  # noqa: PLC0415 - after django.setup()

    upcoming = Event.objects.published().upcoming().order_by("start").first()
    past = Event.objects.published().past().order_by("-start").first()
    series = Series.objects.order_by("name").first()
    member, organiser = "membre@rencontres.local", "organisatrice@rencontres.local"
    from community.models import User  # noqa: PLC0415

    me = User.objects.get(email=member)
    return [
        ("home", "/", None),
        ("home-member", "/", member),
        ("past", "/events/past/", None),
        ("event", upcoming.get_absolute_url(), None),
        ("event-member", upcoming.get_absolute_url(), member),
        ("event-past", past.get_absolute_url(), member),
        ("people", f"{upcoming.get_absolute_url()}people/", member),
        ("series", series.get_absolute_url(), None),
        ("series-member", series.get_absolute_url(), member),
        ("profile", me.get_absolute_url(), member),
        ("my-events", "/me/events/", member),
        ("login", "/accounts/login/", None),
        ("signup", "/accounts/signup/", None),
        ("organise", "/organise/", organiser),
        ("organise-calendar", "/organise/calendar/", organiser),
        ("organise-new-event", f"/organise/series/{series.slug}/new/", organiser),
        ("check-in", f"/organise/events/{upcoming.slug}/check-in/", organiser),
        ("other-calendars", "/organise/other-calendars/", organiser),
        ("account", "/members/me/", member),
        ("encounters", "/me/encounters/?period=all", member),
        ("not-found", "/events/nothing-here/", None),
    ]


def wait_for_server(process: subprocess.Popen) -> None:
    for _ in range(100):
        if process.poll() is not None:
            raise SystemExit("The development server stopped; see the messages above.")
        try:
            urllib.request.urlopen(BASE + "/healthz", timeout=2)  # noqa: S310 - our own server
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"No server answered on {BASE}.")


def log_in(context, email: str) -> None:
    page = context.new_page()
    page.goto(BASE + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    if page.locator("input[name=code]").count():
        # The organiser and the admin have the demo's authenticator app (README).
        from allauth.mfa.totp.internal.auth import (  # noqa: PLC0415 - after django.setup()
            format_hotp_value,
            hotp_value,
            yield_hotp_counters_from_time,
        )

        from events.management.commands.seed_demo import DEMO_TOTP_SECRET  # noqa: PLC0415

        counter = next(iter(yield_hotp_counters_from_time()))
        page.fill("input[name=code]", format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter)))
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
    page.close()


def save(png: bytes, path: Path) -> None:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def main() -> None:
    targets = pages()
    OUT.mkdir(parents=True, exist_ok=True)
    # As in production (DEBUG off), so that error pages are the site's own; WhiteNoise then
    # serves the collected static files.
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get(
            "SECRET_KEY", "screenshots-only-not-a-secret-0123456789abcdef"
        ),
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    manage = [sys.executable, "manage.py"]
    collect = [*manage, "collectstatic", "--no-input", "-v", "0"]
    subprocess.run(collect, cwd=ROOT, env=env, check=True)  # noqa: S603 - our own manage.py
    server = subprocess.Popen(  # noqa: S603 - our own manage.py
        [*manage, "runserver", f"127.0.0.1:{PORT}", "--noreload"], cwd=ROOT, env=env
    )
    try:
        wait_for_server(server)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            for width, height in SIZES:
                contexts = {}
                for name, path, who in targets:
                    if who not in contexts:
                        contexts[who] = browser.new_context(
                            viewport={"width": width, "height": height}, locale="fr-FR"
                        )
                        if who:
                            log_in(contexts[who], who)
                    page = contexts[who].new_page()
                    page.goto(BASE + path)
                    # Faces load lazily: a full-page picture wants them all.
                    page.evaluate(
                        "document.querySelectorAll('img[loading=lazy]')"
                        ".forEach(img => { img.loading = 'eager'; })"
                    )
                    page.wait_for_load_state("networkidle")
                    full = page.evaluate("document.documentElement.scrollHeight")
                    clip = {"x": 0, "y": 0, "width": width, "height": min(full, SCREENS * height)}
                    save(page.screenshot(full_page=True, clip=clip), OUT / f"{name}-{width}.png")
                    page.close()
                    print(f"docs/screenshots/{name}-{width}.png")
                for context in contexts.values():
                    context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
