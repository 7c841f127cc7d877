from childsafe.testing import orgs, personas, staff_client  # noqa: F401  (fixtures)
