"""End-to-end tests: Debian's Chromium, headless, against the live server.

The fixtures (``browser``, ``page``, ``new_page``, ``requested_urls``) live in
``childsafe/conftest.py``. Every page must come from loopback only.
"""

from __future__ import annotations

import base64
import re
from urllib.parse import urlsplit

import pytest
from django.utils import translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from childsafe.orgs.models import User
from childsafe.orgs.roles import Role
from childsafe.testing import PASSWORD, Orgs, make_user, verified_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
# 360 px is the common Android phone; 320 px is the WCAG reflow width (SC 1.4.10).
PHONE_WIDTHS = (360, 320)


def at(path: str) -> re.Pattern[str]:
    """Matches the live server's URL for ``path`` exactly (with its query string)."""
    return re.compile(r"^http://[^/]+" + re.escape(path) + "$")


def translated(text: str, language: str = "vi") -> str:
    """``text`` as the page shows it in ``language``, whatever the catalogue says today."""
    with translation.override(language):
        return translation.gettext(text)


def totp_code(key: bytes, *, steps_ahead: int = 0) -> str:
    """The six digits an authenticator app shows now (or ``steps_ahead`` periods later)."""
    return f"{TOTP(key, drift=steps_ahead).token():06d}"


def wrong_code(key: bytes) -> str:
    """Six digits the server cannot accept now (it allows one period either way)."""
    valid = {totp_code(key, steps_ahead=n) for n in (-1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444") if c not in valid)


def investigator(orgs: Orgs, *, enrolled: bool) -> User:
    user = make_user("police", Role.POLICE_INVESTIGATOR, orgs.district_police)
    if not enrolled:
        TOTPDevice.objects.filter(user=user).delete()
    return user


def log_in_with_password(page: Page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    expect(page).to_have_url(at("/login/2fa/"))


def enter_code(page: Page, code: str) -> None:
    page.fill("#id_code", code)
    page.click("main form button[type=submit]")


def expect_dashboard(page: Page) -> None:
    expect(page).to_have_url(at("/dashboard/"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("main h1")).to_have_text(translated("Dashboard"))
    # The staff menu and the figure card only show in a fully logged-in session.
    expect(page.locator('.site-header nav a[href="/dashboard/"]')).to_be_visible()
    expect(page.locator("main .card.stat .figure")).to_have_text(re.compile(r"^\d+$"))


def log_out(page: Page) -> None:
    page.click('.site-header form[action="/logout/"] button')
    expect(page).to_have_url(at("/"))
    expect(page.locator(".site-header")).to_contain_text(translated("Staff login"))


def test_home_is_vietnamese_and_the_header_switches_language(page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator('.helpline a[href="tel:111"]')).to_have_text("111")
    expect(page.locator("main h1")).to_have_text(translated("Keeping children safe online"))
    # Each language is offered under its own name, so a reader finds theirs.
    expect(page.locator("form.lang button")).to_have_text(["Tiếng Việt", "English"])

    page.click('form.lang button[value="en"]')

    expect(page).to_have_url(at("/en/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("Keeping children safe online")
    expect(page.locator("form.lang button")).to_have_text(["Tiếng Việt", "English"])
    expect(page.locator('form.lang button[value="en"]')).to_have_attribute("aria-current", "true")

    page.click('form.lang button[value="vi"]')

    expect(page).to_have_url(at("/"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")


def test_investigator_enrols_a_second_factor_and_reaches_the_dashboard(page, orgs):
    user = investigator(orgs, enrolled=False)

    log_in_with_password(page, "police")
    secret = page.locator("#totp-secret").inner_text().strip()
    expect(page.locator(".qr svg")).to_be_visible()
    # The key shown is base32 without padding, as authenticator apps expect.
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    enter_code(page, totp_code(key))

    expect_dashboard(page)
    assert TOTPDevice.objects.get(user=user).confirmed
    log_out(page)
    page.goto("/dashboard/")
    expect(page).to_have_url(at("/login/?next=/dashboard/"))


def test_enrolled_investigator_is_only_asked_for_the_code(page, orgs):
    user = investigator(orgs, enrolled=True)
    key = TOTPDevice.objects.get(user=user).bin_key

    log_in_with_password(page, "police")
    expect(page.locator("#id_code")).to_be_visible()
    expect(page.locator("#totp-secret")).to_have_count(0)
    expect(page.locator(".qr")).to_have_count(0)

    enter_code(page, wrong_code(key))
    expect(page).to_have_url(at("/login/2fa/"))
    expect(page.locator("main .error")).to_have_text(
        translated("This code is not valid. Wait for the next code and try again.")
    )
    page.goto("/dashboard/")
    expect(page).to_have_url(at("/login/2fa/"))

    # After a wrong code the device refuses any code for one second (django-otp).
    page.wait_for_timeout(1100)
    enter_code(page, totp_code(key))
    expect_dashboard(page)


def assert_no_sideways_scroll(page: Page) -> None:
    for width in PHONE_WIDTHS:
        page.set_viewport_size({"width": width, "height": 740})
        scroll_width, inner_width = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        # A mobile browser zooms out to show content that is too wide, which
        # widens innerWidth too: so also pin innerWidth to the phone's width.
        assert scroll_width <= inner_width == width, (page.url, scroll_width, inner_width)


def test_pages_fit_a_phone_screen_without_sideways_scrolling(new_page, orgs):
    user = investigator(orgs, enrolled=False)
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    for path in ("/", "/en/", "/login/"):
        page.goto(path)
        assert_no_sideways_scroll(page)

    log_in_with_password(page, "police")  # the enrolment page shows a long key
    assert_no_sideways_scroll(page)
    enter_code(page, totp_code(TOTPDevice.objects.get(user=user).bin_key))
    expect_dashboard(page)
    assert_no_sideways_scroll(page)


def test_pages_load_nothing_from_the_internet(page, orgs, requested_urls, live_server, settings):
    # The login pages are walked through above (and checked by the fixture too):
    # here a verified session, as the test client makes it, goes straight in.
    user = investigator(orgs, enrolled=True)
    session_id = verified_client(user).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_id, "url": live_server.url}]
    )

    for path in ("/en/", "/login/", "/dashboard/", "/organisations/", "/account/tokens/"):
        page.goto(path)
        expect(page).to_have_url(at(path))  # not sent to the login page
        expect(page.locator("main h1")).to_be_visible()

    assert any("/static/" in url for url in requested_urls)  # sub-resources are seen too
    assert {urlsplit(url).hostname for url in requested_urls} <= {"127.0.0.1", "localhost"}
