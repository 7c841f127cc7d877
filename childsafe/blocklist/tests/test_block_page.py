"""The block page: /chan/ (/en/blocked/) on the main site, and any path of the block
page host, where blocked names land in the RPZ's CNAME mode."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

BLOCK_HOST = "chan.childsafe.example"


def vi(text: str) -> str:
    with translation.override("vi"):
        return translation.gettext(text)


def vi_path() -> str:
    with translation.override("vi"):
        return reverse("blocklist-block-page")


@pytest.fixture
def block_host(settings):
    settings.CHILDSAFE_BLOCK_PAGE_HOST = BLOCK_HOST
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, BLOCK_HOST]
    settings.CHILDSAFE_PUBLIC_URL = "https://childsafe.example.gov.vn"
    return BLOCK_HOST


# --- On the main site --------------------------------------------------------------------


def test_the_page_explains_in_vietnamese_with_the_helpline_and_the_reporting_page(client):
    response = client.get(vi_path())
    assert response.status_code == 200
    text = response.content.decode()
    assert vi("This page is blocked") in text
    explanation = vi(
        "The authorities have blocked this page because it may harm children. The "
        "province's Department of Science and Technology keeps the list of blocked pages "
        "under the programme to protect children online."
    )
    assert explanation in text
    assert "may harm children" not in text  # translated, not left in English
    assert 'href="tel:111"' in text
    assert 'href="/bao-cao/"' in text
    assert vi("Blocked by mistake?") in text
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_page_is_in_english_under_en(client):
    response = client.get("/en/blocked/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "This page is blocked" in text
    assert "may harm children" in text
    assert 'href="/en/report/"' in text


def test_the_page_takes_no_post(client):
    assert client.post("/en/blocked/").status_code == 405


# --- On the block page host ----------------------------------------------------------------


def test_any_path_of_the_block_host_answers_451_in_vietnamese(client, block_host):
    response = client.get("/profile/nguyen-van-a?phone=0905123456", HTTP_HOST=block_host)
    assert response.status_code == 451
    text = response.content.decode()
    assert vi("This page is blocked") in text
    assert 'href="https://childsafe.example.gov.vn/bao-cao/"' in text
    assert 'href="tel:111"' in text
    # The path and the query may carry personal data: never shown.
    assert "nguyen" not in text and "0905123456" not in text and "profile" not in text
    assert response["Content-Language"] == "vi"
    assert response["Link"] == '<https://childsafe.example.gov.vn/>; rel="blocked-by"'
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_block_host_answers_in_english_under_en(client, block_host):
    response = client.get("/en/anything", HTTP_HOST=f"{block_host}:80")
    assert response.status_code == 451
    assert "This page is blocked" in response.content.decode()
    assert 'href="https://childsafe.example.gov.vn/en/report/"' in response.content.decode()
    assert response["Content-Language"] == "en"


def test_every_method_gets_the_block_page(client, block_host):
    assert client.post("/login/", {"x": "y"}, HTTP_HOST=block_host).status_code == 451
    assert client.head("/", HTTP_HOST=block_host).status_code == 451


def test_the_blocked_name_passed_by_the_proxy_is_shown(client, block_host):
    response = client.get(
        "/x", HTTP_HOST=block_host, HTTP_X_FORWARDED_HOST="xn--v-d-rma6749a.vn:80"
    )
    assert 'id="blocked-host"' in response.content.decode()
    assert "<strong>ví-dụ.vn</strong>" in response.content.decode()


@pytest.mark.parametrize("header", ["<script>alert(1)</script>", "10.0.0.1", "com.vn", ""])
def test_a_forwarded_host_that_is_not_a_domain_is_not_shown(client, block_host, header):
    response = client.get("/x", HTTP_HOST=block_host, HTTP_X_FORWARDED_HOST=header)
    assert response.status_code == 451
    assert 'id="blocked-host"' not in response.content.decode()
    assert "alert(1)" not in response.content.decode()


def test_the_block_host_must_be_an_allowed_host(client, settings):
    settings.CHILDSAFE_BLOCK_PAGE_HOST = BLOCK_HOST
    assert client.get("/x", HTTP_HOST=BLOCK_HOST).status_code == 400


def test_other_hosts_get_the_site(client, block_host):
    assert client.get("/en/blocked/").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_the_stylesheet_is_served_on_the_block_host(client, block_host):
    response = client.get("/static/childsafe/site.css", HTTP_HOST=block_host)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
