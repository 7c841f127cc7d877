"""The public reporting page, /bao-cao/ (English /en/report/)."""

from __future__ import annotations

import hashlib
import re

import pytest

from childsafe.reports.models import Channel, Report
from childsafe.reports.services import report_public_status
from childsafe.reports.tests.conftest import upload
from childsafe.testing import PDF_BYTES, PHP_BYTES, bomb_png, image_bytes

pytestmark = pytest.mark.django_db

CODE = re.compile(r'<code id="tracking-code">(BC-\w{8})</code>')
KEY = re.compile(r'<code id="access-key">([\w-]{19})</code>')


def form(**overrides):
    values = {
        "category": "cyberbullying",
        "description": "Có người lập nhóm để chế giễu bạn em",
        "urls": "https://www.facebook.com/groups/123?fbclid=x\n\n  https://tiktok.com/@abc  \n",
        "platform": "Facebook",
        "occurred_on": "2025-03-02",
        "child_age_group": "11_15",
        "reporter_relation": "friend",
        "consent_given": "on",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def test_the_page_shows_the_form_the_helpline_and_emergency_advice(client):
    response = client.get("/bao-cao/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="tel:111"' in page and 'href="tel:113"' in page
    assert 'enctype="multipart/form-data"' in page
    assert 'name="files"' in page and "multiple" in page
    assert 'name="consent_given"' in page
    assert "no-store" in response["Cache-Control"]


def test_the_english_page_is_at_en_report(client):
    response = client.get("/en/report/")
    assert response.status_code == 200
    assert "Report something that happened online" in response.content.decode()
    assert client.get("/report/").status_code == 404


def test_it_takes_a_report_with_a_picture_and_shows_the_code_and_key_once(client):
    picture = image_bytes("PNG")
    response = client.post("/bao-cao/", form(files=[upload(picture)]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    code, key = CODE.search(page)[1], KEY.search(page)[1]
    report = Report.objects.get(tracking_code=code)
    assert report.channel == Channel.WEB
    assert report.received_by is None
    assert report.is_anonymous
    assert report.category == "cyberbullying"
    assert [u.normalised for u in report.urls.all()] == [
        "https://facebook.com/groups/123",
        "https://tiktok.com/@abc",
    ]
    assert report.files.get().sha256 == hashlib.sha256(picture).hexdigest()
    assert report_public_status(code, key)["status"] == "received"
    assert key not in client.get("/bao-cao/").content.decode()


def test_a_report_needs_no_picture_and_no_name(client):
    response = client.post("/bao-cao/", form(urls="", platform=""))
    assert response.status_code == 200
    assert Report.objects.get().urls.count() == 0


def test_it_takes_a_pdf_and_several_pictures(client):
    files = [upload(PDF_BYTES, "a.pdf"), upload(image_bytes("JPEG"), "b.jpg"), upload()]
    response = client.post("/bao-cao/", form(files=files))
    assert response.status_code == 200
    assert Report.objects.get().files.count() == 3


def test_a_child_in_danger_sees_the_emergency_advice_with_the_receipt(client):
    response = client.post("/bao-cao/", form(child_in_danger="on"))
    assert response.status_code == 200
    assert Report.objects.get().child_in_danger
    assert 'class="emergency"' in response.content.decode()


# --- Bad input: a clear message, a 4xx and nothing stored --------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "spam"}, "category"),
        ({"category": None}, "category"),
        ({"urls": "javascript:alert(1)\nhttps://ok.example/"}, "urls"),
        ({"urls": "not a web address"}, "urls"),
        ({"description": "x" * 5001}, "description"),
        ({"urls": "https://example.com/" + "a" * 50_000}, "urls"),
        ({"platform": "p" * 101}, "platform"),
        ({"reporter_contact": "whenever"}, "reporter_contact"),
        ({"child_age_group": "ancient"}, "child_age_group"),
        ({"occurred_on": "yesterday-ish"}, "occurred_on"),
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
        ({"consent_given": None}, "consent_given"),
        ({"description": "", "urls": ""}, "description"),
    ],
)
def test_bad_fields_get_a_message_and_nothing_is_stored(client, nothing_stored, overrides, field):
    with nothing_stored():
        response = client.post("/bao-cao/", form(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not CODE.search(response.content.decode())


def test_an_empty_form_is_refused(client, nothing_stored):
    with nothing_stored():
        response = client.post("/bao-cao/", {})
    assert response.status_code == 400
    assert {"category", "consent_given"} <= set(response.context["form"].errors)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (PHP_BYTES, "photo.jpg"),
        (image_bytes("JPEG", size=(64, 64))[:300], "corrupt.jpg"),
        (b"%PDF-1.4 no end", "cut.pdf"),
    ],
)
def test_disguised_or_corrupt_files_are_refused(client, nothing_stored, content, name):
    with nothing_stored():
        response = client.post(
            "/bao-cao/", form(files=[upload(content, name, content_type="image/jpeg")])
        )
    assert response.status_code == 400
    errors = response.context["form"].errors["files"]
    assert name in errors[0]


def test_a_decompression_bomb_is_refused(client, nothing_stored):
    with nothing_stored():
        response = client.post("/bao-cao/", form(files=[upload(bomb_png(), "bomb.png")]))
    assert response.status_code == 400
    assert "files" in response.context["form"].errors


def test_an_oversized_file_is_refused(client, nothing_stored, settings):
    settings.EVIDENCE_MAX_BYTES = 2 * 1024 * 1024
    big = image_bytes("PNG") + b"\x00" * (2 * 1024 * 1024)
    with nothing_stored():
        response = client.post("/bao-cao/", form(files=[upload(big, "big.png")]))
    assert response.status_code == 400
    assert "2 MB" in response.context["form"].errors["files"][0]


def test_too_many_files_are_refused(client, nothing_stored, settings):
    settings.EVIDENCE_MAX_FILES = 2
    with nothing_stored():
        response = client.post("/bao-cao/", form(files=[upload(), upload(), upload()]))
    assert response.status_code == 400
    assert "files" in response.context["form"].errors


def test_a_flood_from_one_address_gets_429_and_the_page_stays_up(client, settings):
    settings.REPORT_SUBMIT_RATE_PER_HOUR = 3
    codes = [client.post("/bao-cao/", form()).status_code for _ in range(6)]
    assert codes == [200, 200, 200, 429, 429, 429]
    assert Report.objects.count() == 3
    limited = client.post("/bao-cao/", form())
    assert int(limited["Retry-After"]) > 0
    assert 'href="tel:111"' in limited.content.decode()
    assert client.get("/bao-cao/").status_code == 200
    other = client.post("/bao-cao/", form(), REMOTE_ADDR="198.51.100.9")
    assert other.status_code == 200


def test_uploaded_files_are_never_served_back(client):
    picture = image_bytes("PNG", size=(30, 30))
    response = client.post("/bao-cao/", form(files=[upload(picture, "evidence-7.png")]))
    page = response.content.decode()
    code, key = CODE.search(page)[1], KEY.search(page)[1]
    digest = hashlib.sha256(picture).hexdigest()
    answers = [
        response,
        client.post("/bao-cao/tra-cuu/", {"code": code, "key": key}),
        client.get("/api/v1/reports/status", {"code": code, "key": key}),
    ]
    for answer in answers:
        assert answer.status_code == 200
        assert "evidence-7" not in answer.content.decode()
        assert digest not in answer.content.decode()
        assert picture not in answer.content
    for path in ("/media/evidence-7.png", "/static/evidence-7.png", f"/media/{digest}"):
        assert client.get(path).status_code == 404


def test_it_refuses_put(client):
    assert client.put("/bao-cao/").status_code == 405


def test_the_home_page_leads_to_the_report_page(client):
    assert 'href="/bao-cao/"' in client.get("/").content.decode()
    assert 'href="/en/report/"' in client.get("/en/").content.decode()


@pytest.fixture
def communes(db):
    from childsafe.orgs.models import AdminUnit

    old = AdminUnit.objects.create(
        era="pre2025", level="commune", code="20314", name="Phường An Mỹ", source="test"
    )
    new = AdminUnit.objects.create(
        era="2025", level="commune", code="20314", name="Phường Bàn Thạch", source="test"
    )
    district = AdminUnit.objects.create(
        era="2025", level="province", code="48", name="Thành phố Đà Nẵng", source="test"
    )
    return old, new, district


def test_the_page_offers_todays_communes_and_dont_know(client, communes):
    old, new, province = communes
    page = client.get("/bao-cao/").content.decode()
    assert f'<option value="{new.pk}">Phường Bàn Thạch</option>' in page
    assert "Phường An Mỹ" not in page and "Thành phố Đà Nẵng" not in page
    assert '<option value="" selected>' in page


def test_the_chosen_commune_becomes_the_territory(client, communes):
    _old, new, _province = communes
    assert client.post("/bao-cao/", form(territory=str(new.pk))).status_code == 200
    assert Report.objects.get().territory == new


def test_dont_know_leaves_the_territory_empty(client, communes):
    assert client.post("/bao-cao/", form(territory="")).status_code == 200
    assert Report.objects.get().territory is None


def test_a_commune_of_the_old_era_is_a_400(client, communes):
    old, _new, _province = communes
    assert client.post("/bao-cao/", form(territory=str(old.pk))).status_code == 400
    assert not Report.objects.exists()


def test_updates_only_when_asked_and_a_contact_is_left(client):
    client.post("/bao-cao/", form(reporter_contact="me@example.com"))
    client.post("/bao-cao/", form(reporter_contact="me@example.com", reporter_wants_updates="on"))
    client.post("/bao-cao/", form(reporter_wants_updates="on"))
    wants = list(Report.objects.order_by("pk").values_list("reporter_wants_updates", flat=True))
    assert wants == [False, True, False]


def test_the_tick_makes_consent_records(client):
    client.post("/bao-cao/", form(reporter_contact="me@example.com"))
    scopes = {c.scope for c in Report.objects.get().consents.all()}
    assert scopes == {"process", "share", "contact"}
