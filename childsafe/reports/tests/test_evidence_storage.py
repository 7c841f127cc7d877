from __future__ import annotations

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL storage setting"),
]


def test_evidence_ciphertext_is_stored_out_of_line_without_compression():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute"
            " WHERE attrelid = 'reports_evidenceblob'::regclass AND attname = 'ciphertext'"
        )
        assert cursor.fetchone() == ("e",)  # EXTERNAL: TOAST without compression
