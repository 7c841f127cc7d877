"""End-to-end: a school IT admin sets the school's own rules in Debian's headless
Chromium (the grid's forms, the refusal of a looser rule for a protected category)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from childsafe.blocklist.models import TierRule
from childsafe.blocklist.policy import services
from childsafe.blocklist.policy.compile import policy_compile
from childsafe.testing import verified_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def translated(text: str) -> str:
    with translation.override("vi"):
        return translation.gettext(text)


def test_a_school_admin_tightens_a_rule_and_cannot_loosen_adult(
    page, orgs, personas, live_server, settings
):
    services.tier_rule_set(
        actor=personas["education_officer"],
        school=None,
        tier="primary",
        category="adult",
        is_blocked=True,
    )
    admin = personas["school_it_admin"]
    session_id = verified_client(admin).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_id, "url": live_server.url}]
    )
    page.goto("/filter/school/rules/")
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    # Block social networks for primary pupils at all times.
    cell = page.locator("td", has=page.locator("#id_primary_social_is_blocked"))
    cell.locator("summary").click()
    page.check("#id_primary_social_is_blocked")
    cell.locator("form", has=page.locator("#id_primary_social_is_blocked")).locator(
        "button[type=submit]"
    ).click()
    expect(page).to_have_url(re.compile(r"/filter/school/rules/$"))
    social = page.locator("td", has=page.locator("#id_primary_social_is_blocked"))
    expect(social.locator("strong.override")).to_contain_text(translated("Blocked"))
    rules = policy_compile(orgs.school)["rules"]
    assert {"tier": "primary", "category": "social"} in rules

    # Allowing adult sites for primary pupils is refused, with the reason, and not saved.
    adult = page.locator("td", has=page.locator("#id_primary_adult_is_blocked"))
    adult.locator("summary").click()
    page.uncheck("#id_primary_adult_is_blocked")
    adult.locator("form", has=page.locator("#id_primary_adult_is_blocked")).locator(
        "button[type=submit]"
    ).click()
    expect(page.locator("main [role=alert]").first).to_be_visible()
    assert not TierRule.objects.filter(school=orgs.school, category="adult").exists()
    assert {"tier": "primary", "category": "adult"} in policy_compile(orgs.school)["rules"]
