"""Looking at evidence files safely (DOMAIN.md §5): blurred and grey by default,
unblurring is deliberate and audited, and each person's daily exposure is capped.

- ``evidence_preview`` re-encodes an image on the server as a small, blurred, greyscale
  PNG: the original bytes never leave the server for a preview.
- ``evidence_unblur`` is the deliberate act: it records an ``EvidenceView``, sets the
  file's "viewed by a person" flag, writes the audit event ``evidence.unblur`` and
  answers the original bytes, in one transaction.
- Exposure is counted honestly and simply: each unblurred view adds
  ``EXPOSURE_MINUTES_PER_VIEW`` minutes (default 2) to the viewer's total for the day
  (a day in Asia/Ho_Chi_Minh). Past ``EXPOSURE_WARN_MINUTES`` the page warns; a view that
  would take the total past ``EXPOSURE_LIMIT_MINUTES`` (default 300, the IWF's 5 hours)
  is refused until the next day. We count views, not time on screen: a browser cannot
  tell us reliably when a person stopped looking, and a fixed charge per view cannot be
  gamed by leaving a tab open or closing it quickly.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageFilter, ImageOps

from childsafe.audit.services import audit_record
from childsafe.lib.crypto import decrypt_bytes
from childsafe.orgs.models import User
from childsafe.reports.models import EvidenceFile, EvidenceView

PREVIEW_MAX_PIXELS = 480  # longest side of a preview


class EvidenceError(Exception):
    """An evidence action the rules refuse; ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Exposure:
    minutes: int
    warn_minutes: int
    limit_minutes: int

    @property
    def is_warning(self) -> bool:
        return self.minutes >= self.warn_minutes

    @property
    def is_locked(self) -> bool:
        return self.minutes + settings.EXPOSURE_MINUTES_PER_VIEW > self.limit_minutes


def local_day_bounds(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """Start and end of today in the project's time zone (Asia/Ho_Chi_Minh)."""
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def exposure_today(user: User, *, now: dt.datetime | None = None) -> Exposure:
    start, end = local_day_bounds(now)
    total = EvidenceView.objects.filter(
        user=user, is_blurred=False, at__gte=start, at__lt=end
    ).aggregate(total=Sum("exposure_mins"))["total"]
    return Exposure(
        minutes=total or 0,
        warn_minutes=settings.EXPOSURE_WARN_MINUTES,
        limit_minutes=settings.EXPOSURE_LIMIT_MINUTES,
    )


def evidence_preview(file: EvidenceFile) -> bytes:
    """A blurred, greyscale PNG of an image file, small enough to show metadata beside it.

    The blur radius grows with the picture, so that nothing in it can be recognised.
    """
    if not file.is_image:
        raise EvidenceError(_("Only pictures have a blurred preview."), status=404)
    original = decrypt_bytes(bytes(file.blob.ciphertext))
    with Image.open(io.BytesIO(original)) as image:
        image.seek(0)  # the first frame of an animation
        picture = ImageOps.exif_transpose(image.convert("RGB")).convert("L")
    picture.thumbnail((PREVIEW_MAX_PIXELS, PREVIEW_MAX_PIXELS))
    radius = max(4, max(picture.size) // 12)
    picture = picture.filter(ImageFilter.GaussianBlur(radius))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def evidence_unblur(file: EvidenceFile, *, actor: User, request: Any = None) -> bytes:
    """The original bytes of ``file``, for a person who asked for them deliberately.

    Refused (``EvidenceError`` with status 403) when the view would take the person's
    exposure today past ``EXPOSURE_LIMIT_MINUTES``.
    """
    minutes = settings.EXPOSURE_MINUTES_PER_VIEW
    with transaction.atomic():
        # One person's views are counted one at a time: lock their user row.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        if exposure_today(actor).is_locked:
            raise EvidenceError(
                _(
                    "You have reached today's limit of %(minutes)d minutes of looking at "
                    "evidence. Unblurring is possible again tomorrow. Take a break; if "
                    "what you saw stays with you, talk to your supervisor or a counsellor."
                )
                % {"minutes": settings.EXPOSURE_LIMIT_MINUTES},
                status=403,
            )
        now = timezone.now()
        EvidenceView.objects.create(
            file=file, user=actor, at=now, is_blurred=False, exposure_mins=minutes
        )
        first = EvidenceFile.objects.filter(pk=file.pk, viewed_by_person_at__isnull=True).update(
            viewed_by_person_at=now
        )
        if first:
            file.viewed_by_person_at = now
        audit_record(
            "evidence.unblur",
            actor=actor,
            obj=file,
            request=request,
            detail={"report": file.report_id, "sha256": file.sha256, "first_view": bool(first)},
        )
    return decrypt_bytes(bytes(file.blob.ciphertext))
