"""reports.evidence: blurred previews, the deliberate unblur, the daily exposure cap."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import pytest
import time_machine
from django.utils import translation
from PIL import Image

from childsafe.audit.models import AuditEvent
from childsafe.cases.tests.factories import make_report
from childsafe.reports.evidence import (
    EvidenceError,
    evidence_preview,
    evidence_unblur,
    exposure_today,
)
from childsafe.reports.models import EvidenceView
from childsafe.reports.tests.conftest import add_evidence
from childsafe.testing import PDF_BYTES

pytestmark = pytest.mark.django_db

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def striped(size=(200, 100)) -> bytes:
    """A red and white striped picture: blurring and greying it changes every pixel."""
    image = Image.new("RGB", size, (255, 255, 255))
    for x in range(0, size[0], 4):
        for y in range(size[1]):
            image.putpixel((x, y), (255, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def picture():
    return add_evidence(make_report(), striped())


def test_the_preview_is_a_blurred_grey_png(picture):
    preview = Image.open(io.BytesIO(evidence_preview(picture)))
    assert preview.format == "PNG"
    assert preview.mode == "L"
    assert preview.size == (200, 100)
    # The stripes (grey 76 and 255 side by side) are gone: neighbours look alike.
    row = [preview.getpixel((x, 50)) for x in range(20, 180)]
    assert max(abs(a - b) for a, b in zip(row, row[1:], strict=False)) < 5


def test_large_pictures_are_shrunk(db):
    file = add_evidence(make_report(), striped((1600, 800)))
    assert max(Image.open(io.BytesIO(evidence_preview(file))).size) == 480


def test_a_pdf_has_no_preview(db):
    file = add_evidence(make_report(), PDF_BYTES, "application/pdf")
    with pytest.raises(EvidenceError) as exc:
        evidence_preview(file)
    assert exc.value.status == 404


def test_unblurring_answers_the_original_and_records_who_looked(picture, personas):
    police = personas["police_investigator"]
    assert evidence_unblur(picture, actor=police) == striped()
    view = EvidenceView.objects.get()
    assert (view.file, view.user, view.is_blurred, view.exposure_mins) == (
        picture,
        police,
        False,
        2,
    )
    picture.refresh_from_db()
    assert picture.viewed_by_person_at == view.at
    event = AuditEvent.objects.get(action="evidence.unblur")
    assert event.detail == {
        "report": picture.report_id,
        "sha256": picture.sha256,
        "first_view": True,
    }


def test_the_viewed_flag_keeps_the_first_view(picture, personas):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=HCM), tick=False):
        evidence_unblur(picture, actor=personas["police_investigator"])
    with time_machine.travel(dt.datetime(2026, 3, 3, 9, 0, tzinfo=HCM), tick=False):
        evidence_unblur(picture, actor=personas["ict_officer"])
    picture.refresh_from_db()
    assert picture.viewed_by_person_at == dt.datetime(2026, 3, 2, 9, 0, tzinfo=HCM)
    assert [
        e.detail["first_view"]
        for e in AuditEvent.objects.filter(action="evidence.unblur").order_by("seq")
    ] == [
        True,
        False,
    ]


def test_exposure_counts_minutes_per_view_today_only(picture, personas, settings):
    settings.EXPOSURE_MINUTES_PER_VIEW = 5
    police = personas["police_investigator"]
    with time_machine.travel(dt.datetime(2026, 3, 2, 23, 50, tzinfo=HCM), tick=False):
        evidence_unblur(picture, actor=police)
        evidence_unblur(picture, actor=police)
        assert exposure_today(police).minutes == 10
        assert exposure_today(personas["ict_officer"]).minutes == 0
    # Midnight in Ho Chi Minh City (17:00 UTC) starts a new day.
    with time_machine.travel(dt.datetime(2026, 3, 3, 0, 5, tzinfo=HCM), tick=False):
        assert exposure_today(police).minutes == 0


def test_it_warns_past_the_warning_threshold(picture, personas, settings):
    settings.EXPOSURE_MINUTES_PER_VIEW = 2
    settings.EXPOSURE_WARN_MINUTES = 4
    police = personas["police_investigator"]
    evidence_unblur(picture, actor=police)
    assert not exposure_today(police).is_warning
    evidence_unblur(picture, actor=police)
    assert exposure_today(police).is_warning


def test_it_refuses_past_the_limit_until_the_next_day(picture, personas, settings):
    settings.EXPOSURE_MINUTES_PER_VIEW = 2
    settings.EXPOSURE_LIMIT_MINUTES = 5
    police = personas["police_investigator"]
    with time_machine.travel(dt.datetime(2026, 3, 2, 15, 0, tzinfo=HCM), tick=False):
        evidence_unblur(picture, actor=police)
        evidence_unblur(picture, actor=police)
        with translation.override("en"), pytest.raises(EvidenceError) as exc:
            evidence_unblur(picture, actor=police)  # 6 minutes would pass 5
        assert exc.value.status == 403
        assert "limit of 5 minutes" in exc.value.message
        assert "tomorrow" in exc.value.message
        assert EvidenceView.objects.count() == 2
        assert AuditEvent.objects.filter(action="evidence.unblur").count() == 2
    with time_machine.travel(dt.datetime(2026, 3, 3, 8, 0, tzinfo=HCM), tick=False):
        evidence_unblur(picture, actor=police)
    assert EvidenceView.objects.count() == 3


def test_the_default_limit_is_five_hours(settings):
    assert settings.EXPOSURE_LIMIT_MINUTES == 300
