"""Authenticated encryption of personal data at rest.

Values are encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from the
``cryptography`` package) under the keys in ``CHILDSAFE_DATA_KEY``. The first key
encrypts; every listed key decrypts, so keys rotate by prepending a new key,
running ``childsafe rotate-key`` and then dropping the old one.
"""

from __future__ import annotations

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


def encrypt_bytes(plaintext: bytes) -> bytes:
    """Encrypt a file's bytes (a Fernet token, about 4/3 of the plaintext's size)."""
    return data_cipher().encrypt(plaintext)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return data_cipher().decrypt(bytes(token))
    except InvalidToken:
        raise DecryptionError("no configured key decrypts these bytes") from None


def rotate_bytes(token: bytes) -> bytes:
    """Re-encrypt a token made by ``encrypt_bytes`` under the primary key."""
    try:
        return data_cipher().rotate(bytes(token))
    except InvalidToken:
        raise DecryptionError("no configured key decrypts these bytes") from None


class EncryptedBlobField(models.BinaryField):
    """Bytes encrypted with ``encrypt_bytes`` by the service that stores them.

    The field does not decrypt on read (files are opened deliberately, and
    audited); it marks the column so that ``childsafe rotate-key`` re-encrypts it.
    """

    description = "Bytes encrypted at rest"


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


def encrypted_fields(
    kind: type[models.Field] = EncryptedTextField,  # type: ignore[type-arg]
) -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with fields of ``kind``, and the names of those fields."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = [f.attname for f in model._meta.concrete_fields if isinstance(f, kind)]
        if names:
            found.append((model, names))
    return found


def rotate_all(batch: int = 500) -> int:
    """Re-encrypt every encrypted value in the database under the primary key.

    Works in batches, each in its own transaction, so it can run on a live
    system and be resumed; returns the number of rows rewritten.
    """
    from django.db import transaction

    def same(value: Any) -> Any:
        return value  # read decrypted; ``update`` encrypts again under the primary key

    plans: list[tuple[type[models.Model], list[str], Any]] = [
        (model, names, same) for model, names in encrypted_fields(EncryptedTextField)
    ] + [(model, names, rotate_bytes) for model, names in encrypted_fields(EncryptedBlobField)]
    total = 0
    for model, names, transform in plans:
        last_pk: Any = None
        while True:
            with transaction.atomic():
                qs = model._base_manager.order_by("pk")
                if last_pk is not None:
                    qs = qs.filter(pk__gt=last_pk)
                rows = list(qs.values_list("pk", *names)[:batch])
                if not rows:
                    break
                for pk, *values in rows:
                    updates = {
                        name: transform(value)
                        for name, value in zip(names, values, strict=True)
                        if value
                    }
                    if updates:
                        model._base_manager.filter(pk=pk).update(**updates)
                        total += 1
                last_pk = rows[-1][0]
    return total
