"""PostgreSQL: store evidence ciphertext out of line without trying to compress it.

A Fernet token does not compress, but PostgreSQL tries (pglz) on every insert of a value
over 2 KB before giving up: CPU for nothing on each uploaded file. ``EXTERNAL`` keeps
the out-of-line (TOAST) storage and skips the attempt. Only new rows are affected; the
stored bytes do not change. Nothing to do on SQLite.
"""

from django.db import migrations

TABLE = "reports_evidenceblob"


def _set_storage(storage):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN ciphertext SET STORAGE {storage}")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_consent_records_and_evidence_views"),
    ]

    operations = [
        migrations.RunPython(_set_storage("EXTERNAL"), _set_storage("EXTENDED")),
    ]
