"""Offender identifiers: normalisation, keyed match digests, and finding them in reports.

Pure functions (no database). An identifier is normalised by kind, then digested with
HMAC-SHA256 under ``CHILDSAFE_MATCH_KEY`` (or a key derived from ``SECRET_KEY``), so
the table of identifiers can be matched without holding any value in clear:

- phone numbers: digits only, in the +84 form (``0905 123 456`` -> ``+84905123456``);
- e-mail addresses: lower-cased;
- account handles: lower-cased, without a leading ``@``;
- URLs: ``childsafe.lib.urls.normalise_url``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable

from django.conf import settings

from childsafe.lib.urls import InvalidURL, normalise_url

KINDS = ("handle", "phone", "email", "url")

_PHONE = re.compile(r"(?<![\w+])(?:\+84|84|0)(?:[\s.\-]?\d){8,10}(?!\d)")
_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_HANDLE = re.compile(r"(?<![\w.@])@([A-Za-z0-9_][A-Za-z0-9_.]{0,63})")
_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_HANDLE_VALUE = re.compile(r"[a-z0-9_][a-z0-9_.]{0,63}")
_EMAIL_VALUE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def normalise_identifier(kind: str, value: str) -> str:
    """The canonical form of an identifier; raises ``ValueError`` if it is not one."""
    text = value.strip()
    if kind == "phone":
        digits = re.sub(r"[\s.\-()]", "", text)
        if digits.startswith("+84"):
            digits = digits[3:]
        elif digits.startswith("84") and len(digits) >= 11:
            digits = digits[2:]
        elif digits.startswith("0"):
            digits = digits[1:]
        if not digits.isdigit() or not 8 <= len(digits) <= 10:
            raise ValueError("not a Vietnamese phone number")
        return "+84" + digits
    if kind == "email":
        text = text.lower()
        if not _EMAIL_VALUE.fullmatch(text):
            raise ValueError("not an e-mail address")
        return text
    if kind == "handle":
        text = text.lower().removeprefix("@")
        if not _HANDLE_VALUE.fullmatch(text):
            raise ValueError("not an account handle")
        return text
    if kind == "url":
        try:
            return normalise_url(text)
        except InvalidURL as exc:
            raise ValueError(str(exc)) from None
    raise ValueError(f"unknown identifier kind {kind!r}")


def match_key() -> bytes:
    configured: str = getattr(settings, "CHILDSAFE_MATCH_KEY", "")
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"childsafe.poi.match", hashlib.sha256).digest()


def match_digest(kind: str, normalised: str) -> str:
    """Keyed digest of a normalised identifier; the same value always gives the same one."""
    return hmac.new(match_key(), f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()


def identifiers_in(text: str, urls: Iterable[str] = ()) -> set[tuple[str, str]]:
    """(kind, normalised value) of every identifier in ``text``, plus the given URLs.

    Finds URLs, ``@handles``, e-mail addresses and phone numbers; what does not
    normalise is left out.
    """
    found: set[tuple[str, str]] = set()
    candidates: list[tuple[str, str]] = [("url", u) for u in urls]
    candidates += [("url", m.group(0).rstrip(".,;:!?)")) for m in _URL.finditer(text)]
    without_urls = _URL.sub(" ", text)
    emails = [m.group(0) for m in _EMAIL.finditer(without_urls)]
    candidates += [("email", e) for e in emails]
    without_emails = _EMAIL.sub(" ", without_urls)
    candidates += [("handle", m.group(1).rstrip(".")) for m in _HANDLE.finditer(without_emails)]
    candidates += [("phone", m.group(0)) for m in _PHONE.finditer(without_emails)]
    for kind, value in candidates:
        try:
            found.add((kind, normalise_identifier(kind, value)))
        except ValueError:
            continue
    return found
