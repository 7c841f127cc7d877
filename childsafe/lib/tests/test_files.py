from __future__ import annotations

import hashlib

import pytest

from childsafe.lib.files import (
    EvidenceError,
    check_evidence,
    check_evidence_count,
    check_evidence_size,
)
from childsafe.testing import PDF_BYTES, PHP_BYTES, bomb_png, image_bytes


@pytest.mark.parametrize(
    ("image_format", "content_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp")],
)
def test_it_accepts_pictures_and_names_their_real_type(image_format, content_type):
    content = image_bytes(image_format)
    evidence = check_evidence(content)
    assert evidence.content_type == content_type
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.size == len(content)


def test_it_accepts_a_pdf():
    assert check_evidence(PDF_BYTES).content_type == "application/pdf"


def test_it_refuses_a_php_script_whatever_it_is_called():
    # No file name reaches the check: the type comes from the bytes alone.
    with pytest.raises(EvidenceError) as exc:
        check_evidence(PHP_BYTES)
    assert exc.value.code == "type"


@pytest.mark.parametrize(
    "content",
    [b"<html><script>alert(1)</script></html>", b"MZ\x90\x00" + b"\x00" * 60, b"plain text"],
)
def test_it_refuses_other_kinds_of_file(content):
    with pytest.raises(EvidenceError) as exc:
        check_evidence(content)
    assert exc.value.code == "type"


def test_it_refuses_a_php_script_behind_a_jpeg_signature():
    with pytest.raises(EvidenceError) as exc:
        check_evidence(b"\xff\xd8\xff\xe0" + PHP_BYTES)
    assert exc.value.code in ("type", "corrupt")


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "GIF", "WEBP"])
def test_it_refuses_a_truncated_picture(image_format):
    content = image_bytes(image_format, size=(64, 64))
    with pytest.raises(EvidenceError) as exc:
        check_evidence(content[: len(content) // 2])
    assert exc.value.code in ("corrupt", "type")


def test_it_refuses_a_picture_with_damaged_data():
    content = bytearray(image_bytes("PNG", size=(32, 32)))
    content[60] ^= 0xFF  # inside the image data: the chunk checksum no longer matches
    with pytest.raises(EvidenceError) as exc:
        check_evidence(bytes(content))
    assert exc.value.code == "corrupt"


def test_it_refuses_a_decompression_bomb():
    content = bomb_png()
    assert len(content) < 20_000  # tiny on the wire, 90 megapixels once decoded
    with pytest.raises(EvidenceError) as exc:
        check_evidence(content)
    assert exc.value.code == "bomb"


def test_it_refuses_a_pdf_without_its_end_marker():
    with pytest.raises(EvidenceError) as exc:
        check_evidence(b"%PDF-1.4\n" + b"x" * 5000)
    assert exc.value.code == "corrupt"


def test_it_refuses_an_empty_file():
    with pytest.raises(EvidenceError) as exc:
        check_evidence(b"")
    assert exc.value.code == "empty"


def test_it_refuses_a_file_over_the_size_limit(settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    check_evidence_size(1000)
    with pytest.raises(EvidenceError) as exc:
        check_evidence_size(1001)
    assert exc.value.code == "too_large"
    with pytest.raises(EvidenceError):
        check_evidence(image_bytes("PNG", size=(300, 300)) + b"\x00" * 1000)


def test_the_size_limit_message_names_the_limit_in_megabytes(settings):
    settings.EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    with pytest.raises(EvidenceError, match="10 MB"):
        check_evidence_size(10 * 1024 * 1024 + 1)


def test_it_refuses_too_many_files(settings):
    settings.EVIDENCE_MAX_FILES = 2
    check_evidence_count(2)
    with pytest.raises(EvidenceError) as exc:
        check_evidence_count(3)
    assert exc.value.code == "too_many"


def test_the_default_limits_are_ten_megabytes_and_five_files(settings):
    assert settings.EVIDENCE_MAX_BYTES == 10 * 1024 * 1024
    assert settings.EVIDENCE_MAX_FILES == 5
