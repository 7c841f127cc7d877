"""Authenticated encryption of personal data at rest.

Values are encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from the
``cryptography`` package) under the keys in ``CHILDSAFE_DATA_KEY``. The first key
encrypts; every listed key decrypts, so keys rotate by prepending a new key,
running ``childsafe rotate-key`` and then dropping the old one.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

PREFIX = "enc1:"


class DecryptionError(RuntimeError):
    """A stored value could not be decrypted with any configured key."""


@lru_cache(maxsize=8)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise DecryptionError("CHILDSAFE_DATA_KEY holds no key")
    try:
        return MultiFernet([Fernet(k.encode("ascii")) for k in keys])
    except (ValueError, UnicodeEncodeError) as exc:
        raise DecryptionError(
            "CHILDSAFE_DATA_KEY must hold Fernet keys (32 url-safe base64 bytes)"
        ) from exc


def data_cipher() -> MultiFernet:
    return _fernet_for(tuple(settings.CHILDSAFE_DATA_KEYS))


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def encrypt_text(plaintext: str) -> str:
    token = data_cipher().encrypt(plaintext.encode("utf-8"))
    return PREFIX + token.decode("ascii")


def decrypt_text(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise DecryptionError("value is not in the encrypted format")
    try:
        return data_cipher().decrypt(stored[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise DecryptionError("no configured key decrypts this value") from None


def blind_index(value: str, *, purpose: str) -> str:
    """A keyed hash for exact-match lookups on encrypted values.

    Derived from the primary data key and ``purpose`` so that indexes of
    different fields cannot be compared with each other.
    """
    key = hashlib.sha256(
        ("blind-index:" + purpose + ":" + settings.CHILDSAFE_DATA_KEYS[0]).encode()
    ).digest()
    return hmac.new(key, value.strip().casefold().encode("utf-8"), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text field stored encrypted; reads give the plaintext back.

    Encrypted values cannot be filtered or ordered on in the database. Empty
    strings are stored as empty strings (nothing to protect) and ``None`` as NULL.
    ``dumpdata`` writes the encrypted form and ``loaddata`` reads it back.
    """

    description = "Text encrypted at rest"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def value_to_string(self, obj: Any) -> Any:
        # Serialisers (``dumpdata``) write the encrypted form: no dump holds the plaintext.
        return self.get_prep_value(self.value_from_object(obj))

    def to_python(self, value: Any) -> Any:
        # ``loaddata`` hands back that encrypted form; saving encrypts the plaintext again.
        if isinstance(value, str) and value.startswith(PREFIX):
            try:
                return decrypt_text(value)
            except DecryptionError as exc:
                raise ValidationError(str(exc), code="undecryptable") from None
        return super().to_python(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in ("isnull",):
            raise NotImplementedError(
                f"encrypted fields do not support the {lookup_name!r} lookup"
            )
        return super().get_lookup(lookup_name)


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with encrypted fields, and the names of those fields."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = [
            f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
        ]
        if names:
            found.append((model, names))
    return found
