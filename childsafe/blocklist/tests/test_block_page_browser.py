"""End-to-end: the block page on a phone (360×740), in Debian's headless Chromium."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def test_the_block_page_reads_on_a_phone_and_leads_to_help(new_page):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    with translation.override("vi"):
        path = reverse("blocklist-block-page")
        report_path = reverse("reports-report-create")
    page.goto(path)
    expect(page.locator("#block-title")).to_be_visible()
    expect(page.locator('.block-notice a[href="tel:111"]')).to_be_visible()
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1] == 360  # no sideways scrolling on the phone
    page.locator(f'.block-notice a[href="{report_path}"]').click()
    expect(page).to_have_url(re.compile(re.escape(report_path) + "$"))
