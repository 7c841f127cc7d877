from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from childsafe.audit.models import AuditEvent
from childsafe.reports.models import EvidenceBlob, EvidenceFile, Report, ReportURL
from childsafe.testing import image_bytes


def stored() -> dict[str, int]:
    return {
        "reports": Report.objects.count(),
        "urls": ReportURL.objects.count(),
        "files": EvidenceFile.objects.count(),
        "blobs": EvidenceBlob.objects.count(),
        "audit": AuditEvent.objects.filter(action="report.submit").count(),
    }


@pytest.fixture
def nothing_stored(db: None) -> Callable[[], AbstractContextManager[None]]:
    """``with nothing_stored(): ...`` fails if the block left a report row behind."""

    @contextmanager
    def check() -> Iterator[None]:
        before = stored()
        yield
        assert stored() == before

    return check


def upload(content: bytes | None = None, name: str = "screenshot.png", **kwargs: str):
    """An uploaded file as a door receives it (the content type is the client's claim)."""
    return SimpleUploadedFile(
        name,
        image_bytes("PNG") if content is None else content,
        content_type=kwargs.get("content_type", "image/png"),
    )


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    """Tests submit many reports from 127.0.0.1; the flood tests lower the limit."""
    settings.REPORT_SUBMIT_RATE_PER_HOUR = 1000
    settings.REPORT_STATUS_RATE_PER_HOUR = 1000


def add_evidence(report, content: bytes | None = None, content_type: str = "image/png"):
    """An evidence file on ``report`` with its encrypted blob, as ``report_submit`` stores it."""
    import hashlib

    from childsafe.lib.crypto import encrypt_bytes

    content = image_bytes("PNG", (64, 48)) if content is None else content
    file = EvidenceFile.objects.create(
        report=report,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content_type=content_type,
    )
    EvidenceBlob.objects.create(file=file, ciphertext=encrypt_bytes(content))
    return file
