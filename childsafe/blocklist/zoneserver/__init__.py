"""``childsafe zoneserver``: the authority Response Policy Zone over DNS.

Resolvers (Unbound, BIND, Knot Resolver...) take the authority list as a secondary
copy of an RPZ: AXFR for the whole zone, IXFR for the changes since their serial, and
a NOTIFY from us whenever the serial grows. The package is a plain asyncio core around
dnspython's wire format, in the shape of dnspython's own test nameserver:

- ``config``: the command's options as values (addresses, TSIG keys, networks).
- ``zonedata``: the zone in memory, Django-free. ``ZoneState`` holds the blocked
  domains, the minimal cover actually written (each covered domain's wire-format name,
  rendered once) and the last diffs, in records, for IXFR; ``ZoneView`` is the
  immutable part the transport answers from, swapped whole when the serial changes.
- ``wire``: message bytes: the records of a domain, transfers split into messages and
  signed with TSIG (RFC 8945, several messages), NOTIFY.
- ``protocol``: the policy, a pure function of one request: answer, refuse, or start
  a transfer. Bad packets get FORMERR (dropped when not even the header parses).
- ``follower``: the only part that touches the database: loads the zone, follows the
  journal (``zones.zone_changes_since``) from a thread, woken by a NOTIFY from the app.
- ``server``: the transport: UDP and TCP listeners, the NOTIFY sender, SERVFAIL on
  internal errors, one log line per transfer.
"""
