"""The school filtering policy (issue 5, docs/school-filter.md): category list import,
the services that change a school's policy, and the compiled ``childsafe-policy/1``
document the filter service loads."""
