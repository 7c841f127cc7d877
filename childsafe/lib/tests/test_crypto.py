from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from childsafe.lib.crypto import (
    PREFIX,
    DecryptionError,
    decrypt_text,
    encrypt_text,
    encrypted_fields,
    generate_key,
)
from childsafe.orgs.models import FocalPoint, User

NAME = "Nguyễn Thị Bé Na"


@pytest.fixture
def one_key(settings):
    settings.CHILDSAFE_DATA_KEYS = [generate_key()]
    return settings


def test_it_round_trips_vietnamese_text(one_key):
    assert decrypt_text(encrypt_text(NAME)) == NAME


def test_the_stored_form_is_prefixed_and_hides_the_text(one_key):
    stored = encrypt_text(NAME)
    assert stored.startswith(PREFIX)
    assert NAME not in stored
    assert "Nguy" not in stored


def test_the_same_text_encrypts_differently_each_time(one_key):
    assert encrypt_text(NAME) != encrypt_text(NAME)


def test_a_tampered_value_raises(one_key):
    stored = encrypt_text(NAME)
    middle = len(stored) // 2
    flipped = "A" if stored[middle] != "A" else "B"
    with pytest.raises(DecryptionError):
        decrypt_text(stored[:middle] + flipped + stored[middle + 1 :])


def test_a_truncated_value_raises(one_key):
    with pytest.raises(DecryptionError):
        decrypt_text(encrypt_text(NAME)[:-4])


def test_a_value_without_the_prefix_raises(one_key):
    with pytest.raises(DecryptionError, match="not in the encrypted format"):
        decrypt_text(NAME)


def test_a_wrong_key_raises(settings):
    settings.CHILDSAFE_DATA_KEYS = [generate_key()]
    stored = encrypt_text(NAME)
    settings.CHILDSAFE_DATA_KEYS = [generate_key()]
    with pytest.raises(DecryptionError, match="no configured key"):
        decrypt_text(stored)


def test_any_listed_key_decrypts_and_the_first_encrypts(settings):
    old, new = generate_key(), generate_key()
    settings.CHILDSAFE_DATA_KEYS = [old]
    from_old = encrypt_text(NAME)
    settings.CHILDSAFE_DATA_KEYS = [new, old]
    assert decrypt_text(from_old) == NAME
    from_new = encrypt_text(NAME)
    settings.CHILDSAFE_DATA_KEYS = [new]
    assert decrypt_text(from_new) == NAME


def test_no_key_raises(settings):
    settings.CHILDSAFE_DATA_KEYS = []
    with pytest.raises(DecryptionError, match="holds no key"):
        encrypt_text(NAME)


def test_a_malformed_key_raises(settings):
    settings.CHILDSAFE_DATA_KEYS = ["not-a-fernet-key"]
    with pytest.raises(DecryptionError, match="must hold Fernet keys"):
        encrypt_text(NAME)


def test_generated_keys_are_fernet_keys():
    key = generate_key()
    assert Fernet(key.encode()).decrypt(Fernet(key.encode()).encrypt(b"x")) == b"x"
    assert generate_key() != key


def test_the_field_stores_ciphertext_and_reads_plaintext(orgs):
    fp = FocalPoint.objects.create(organisation=orgs.ict, full_name=NAME, phone="0905111222")
    raw = FocalPoint.objects.filter(pk=fp.pk).values_list("full_name", flat=True)
    assert FocalPoint.objects.get(pk=fp.pk).full_name == NAME
    assert list(raw) == [NAME]  # values_list decrypts too
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name, phone FROM orgs_focalpoint WHERE id = %s", [fp.pk])
        stored_name, stored_phone = cursor.fetchone()
    assert stored_name.startswith(PREFIX)
    assert decrypt_text(stored_name) == NAME
    assert decrypt_text(stored_phone) == "0905111222"


def test_an_empty_value_is_stored_empty(orgs):
    fp = FocalPoint.objects.create(organisation=orgs.ict, full_name=NAME, phone="")
    assert FocalPoint.objects.get(pk=fp.pk).phone == ""


def test_filtering_on_an_encrypted_field_raises(orgs):
    with pytest.raises(NotImplementedError, match="'exact' lookup"):
        FocalPoint.objects.filter(full_name=NAME)
    with pytest.raises(NotImplementedError, match="'icontains' lookup"):
        FocalPoint.objects.filter(phone__icontains="0905")


def test_isnull_is_the_one_lookup_allowed(orgs):
    FocalPoint.objects.create(organisation=orgs.ict, full_name=NAME)
    assert FocalPoint.objects.filter(full_name__isnull=False).count() == 1


def test_it_lists_every_model_with_encrypted_fields():
    found = dict(encrypted_fields())
    assert found[FocalPoint] == ["full_name", "phone", "email"]
    assert found[User] == ["phone"]


def test_serialisers_get_the_encrypted_form(orgs):
    fp = FocalPoint.objects.create(organisation=orgs.ict, full_name=NAME)
    serialised = FocalPoint._meta.get_field("full_name").value_to_string(fp)
    assert serialised.startswith(PREFIX)
    assert decrypt_text(serialised) == NAME


def test_the_encrypted_form_converts_back_to_plaintext(one_key):
    field = FocalPoint._meta.get_field("full_name")
    assert field.to_python(encrypt_text(NAME)) == NAME
    assert field.to_python(NAME) == NAME


def test_an_undecryptable_encrypted_form_is_a_validation_error(one_key):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        FocalPoint._meta.get_field("full_name").to_python(PREFIX + "garbage")


def test_bytes_round_trip_and_hide_the_plaintext(one_key):
    from childsafe.lib.crypto import decrypt_bytes, encrypt_bytes

    content = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    token = encrypt_bytes(content)
    assert b"PNG" not in token
    assert encrypt_bytes(content) != token
    assert decrypt_bytes(token) == content
    assert decrypt_bytes(memoryview(token)) == content  # as BinaryField reads it back


def test_tampered_bytes_raise(one_key):
    from childsafe.lib.crypto import decrypt_bytes, encrypt_bytes

    token = bytearray(encrypt_bytes(b"evidence"))
    token[20] = ord("A") if token[20] != ord("A") else ord("B")
    with pytest.raises(DecryptionError):
        decrypt_bytes(bytes(token))


def test_bytes_encrypted_under_an_old_key_still_decrypt_after_rotation(settings):
    from childsafe.lib.crypto import decrypt_bytes, encrypt_bytes

    old = generate_key()
    settings.CHILDSAFE_DATA_KEYS = [old]
    token = encrypt_bytes(b"evidence")
    settings.CHILDSAFE_DATA_KEYS = [generate_key(), old]
    assert decrypt_bytes(token) == b"evidence"
