import pytest

from childsafe.testing import orgs, personas, staff_client  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests hash many passwords. Production keeps argon2
    (checked in core/tests/test_settings_production.py)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
