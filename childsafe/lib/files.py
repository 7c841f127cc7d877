"""Checks on uploaded evidence files: how many, how big, and what they really are.

The type comes from the bytes only, never from the file name or the content type
the client sent: a PHP script named ``photo.jpg`` is refused. Images (JPEG, PNG,
GIF, WEBP) must open and decode with Pillow; an image whose pixel count passes
Pillow's ``Image.MAX_IMAGE_PIXELS`` guard (a decompression bomb: a small file that
decodes to gigabytes) is refused before any decoding. A PDF must start with ``%PDF-``
and carry ``%%EOF`` near its end.

Limits come from settings: ``EVIDENCE_MAX_BYTES`` per file, ``EVIDENCE_MAX_FILES``
per report.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
PDF_TYPE = "application/pdf"
# A PDF ends with %%EOF, possibly followed by a line break or some padding.
PDF_TAIL_BYTES = 1024


class EvidenceError(ValueError):
    """A file the evidence store does not accept; ``message`` is for the person who sent it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Evidence:
    content: bytes
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def max_bytes() -> int:
    return int(settings.EVIDENCE_MAX_BYTES)


def max_files() -> int:
    return int(settings.EVIDENCE_MAX_FILES)


def check_evidence_count(count: int) -> None:
    if count > max_files():
        raise EvidenceError(
            "too_many",
            _("Attach at most %(count)d files.") % {"count": max_files()},
        )


def check_evidence_size(size: int) -> None:
    """Call before reading a file: refuses an empty or oversized one."""
    if size <= 0:
        raise EvidenceError("empty", _("The file is empty."))
    if size > max_bytes():
        raise EvidenceError(
            "too_large",
            _("The file is larger than %(mb)s MB.") % {"mb": _format_mb(max_bytes())},
        )


def check_evidence(content: bytes) -> Evidence:
    """The file's real type and digest, or ``EvidenceError`` if it is not acceptable."""
    check_evidence_size(len(content))
    content_type = sniff_content_type(content)
    return Evidence(content, content_type, hashlib.sha256(content).hexdigest())


def sniff_content_type(content: bytes) -> str:
    if content.startswith(b"%PDF-"):
        if b"%%EOF" not in content[-PDF_TAIL_BYTES:]:
            raise EvidenceError("corrupt", _("The PDF file is damaged or incomplete."))
        return PDF_TYPE
    return IMAGE_TYPES[_check_image(content)]


def _check_image(content: bytes) -> str:
    refused = EvidenceError(
        "type", _("Only pictures (JPEG, PNG, GIF, WEBP) and PDF files can be attached.")
    )
    bomb = EvidenceError("bomb", _("The picture is too large (too many pixels)."))
    corrupt = EvidenceError("corrupt", _("The picture is damaged or incomplete."))
    with warnings.catch_warnings():
        # Past MAX_IMAGE_PIXELS Pillow warns, past twice that it raises: refuse both.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(content), formats=list(IMAGE_TYPES)) as image:
                image_format = str(image.format)
                image.verify()  # structure and checksums, without decoding the pixels
            with Image.open(io.BytesIO(content), formats=[image_format]) as image:
                if image_format == "JPEG":
                    image.draft("RGB", (image.width // 8 or 1, image.height // 8 or 1))
                image.load()  # decodes the (first frame of the) picture: finds truncation
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise bomb from None
        except Image.UnidentifiedImageError:
            raise refused from None
        except Exception:  # Pillow raises many kinds of error on damaged files
            raise corrupt from None
    return image_format


def _format_mb(size: int) -> str:
    mb = size / (1024 * 1024)
    return f"{mb:g}" if mb == int(mb) else f"{mb:.1f}"
