"""End-to-end: a child on a phone reports with a screenshot, then checks the status.

Debian's Chromium, headless, at 360×740 against the live server (fixtures in
``childsafe/conftest.py``).
"""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from childsafe.reports.models import Channel, Report
from childsafe.testing import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def translated(text: str) -> str:
    with translation.override("vi"):
        return translation.gettext(text)


def test_a_child_reports_with_a_screenshot_then_sees_the_status(new_page):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto("/bao-cao/")
    expect(page.locator('.emergency a[href="tel:111"]')).to_be_visible()
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1] == 360  # no sideways scrolling on the phone

    page.check('input[name="category"][value="sextortion"]')
    page.fill("#id_description", "Một tài khoản lạ đòi em gửi ảnh và doạ tung ảnh lên mạng")
    page.fill("#id_urls", "https://www.facebook.com/some.account?fbclid=abc")
    page.fill("#id_platform", "Facebook")
    page.select_option("#id_child_age_group", "11_15")
    page.set_input_files(
        "#id_files",
        files=[{"name": "chup-man-hinh.png", "mimeType": "image/png", "buffer": image_bytes()}],
    )
    page.check("#id_consent_given")
    page.click('form.report-form button[type="submit"]')

    code = page.locator("#tracking-code").inner_text()
    key = page.locator("#access-key").inner_text()
    assert re.fullmatch(r"BC-\w{8}", code)
    assert re.fullmatch(r"(\w{4}-){3}\w{4}", key)
    report = Report.objects.get(tracking_code=code)
    assert report.channel == Channel.WEB
    assert report.files.get().content_type == "image/png"
    assert report.urls.get().normalised == "https://facebook.com/some.account"

    page.goto("/bao-cao/tra-cuu/")
    page.fill("#id_code", code)
    page.fill("#id_key", key)
    page.click('form.report-form button[type="submit"]')
    expect(page.locator("#status-code")).to_have_text(code)
    expect(page.locator("#status-label")).to_have_text(translated("Received"))
