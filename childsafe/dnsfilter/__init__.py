"""The school web filter: a DNS service that applies a school's compiled policy.

Django-free (the command around it lives elsewhere); see docs/school-filter.md.

- ``policy``: the ``childsafe-policy/1`` document loaded into an immutable ``Policy``
  and the decision for one query (``Policy.decide`` -> ``Verdict``).
- ``wire``: the header and question parsed from the packet bytes, answers built from
  the query's bytes, upstream answers scanned for their TTLs.
- ``upstream``: forwarding (UDP, TCP on truncation, timeouts, retries) and the cache.
- ``server``: ``Filter`` (one packet in, one answer out; ``set_policy`` swaps the
  policy whole), the UDP and TCP transport, ``run`` and ``serve_in_thread``.
"""
