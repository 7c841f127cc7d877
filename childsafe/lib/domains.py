"""Domain names as blocking targets: one canonical form, and the names never blocked.

``normalise_domain`` turns what an officer typed (``Ví-dụ.vn``, ``*.bad.example.``,
``BAD.example``) into lower-case punycode without a trailing dot, the form stored,
compared and exported everywhere. A leading ``*.`` is accepted and dropped: a blocked
domain always covers every name below it. It refuses, with ``InvalidDomain``:

- anything that is not a host name: URLs, paths, ports, spaces, empty labels;
- IP literals (v4 or v6): addresses are not blocked by name;
- names that are a public suffix in the Public Suffix List (``vn``, ``com.vn``,
  ``blogspot.com``...), so ``*.com.vn`` can never be blocked: it would block every
  company in the country. The list's private section counts too: a whole hosting
  platform is not blocked by one order.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Set as AbstractSet
from itertools import compress, repeat

from django.utils.translation import gettext as _
from publicsuffixlist import PublicSuffixList

MAX_DOMAIN_CHARS = 253
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_\-]{0,61}[a-z0-9_])?$")


class InvalidDomain(ValueError):
    """The text is not a domain that may be blocked.

    ``code`` says why in a word, for logs and tests (the message is translated):
    ``empty``, ``wildcard``, ``not-a-name``, ``ip``, ``idna``, ``invalid``,
    ``public-suffix``.
    """

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


@functools.cache
def _psl() -> PublicSuffixList:
    return PublicSuffixList()


def is_public_suffix(domain: str) -> bool:
    """Whether ``domain`` (canonical form) is a public suffix: no one owns it."""
    return bool(_psl().is_public(domain))


def normalise_domain(raw: str) -> str:
    """The canonical form of ``raw``; raises ``InvalidDomain`` with the reason."""
    text = raw.strip()
    if text.startswith("*."):
        text = text[2:]
    if text.endswith("."):
        text = text[:-1]
    if not text:
        raise InvalidDomain(_("the domain is empty"), "empty")
    if "*" in text:
        raise InvalidDomain(_("a wildcard may only stand first, as in *.example.com"), "wildcard")
    if any(ch in text for ch in "/:@?#[] \t\r\n\\%"):
        raise InvalidDomain(
            _("this is not a domain name: give the name alone, without http:// or a path"),
            "not-a-name",
        )
    try:
        ipaddress.ip_address(text)
    except ValueError:
        pass
    else:
        raise InvalidDomain(_("an IP address is not a domain name"), "ip")
    if "" in text.split("."):
        raise InvalidDomain(_("the domain is not a valid domain name"))
    try:
        # ASCII names skip the codec, which would refuse a long label as "not IDNA".
        domain = (text if text.isascii() else text.encode("idna").decode("ascii")).lower()
    except UnicodeError:
        raise InvalidDomain(
            _("the domain is not a valid internationalised name"), "idna"
        ) from None
    labels = domain.split(".")
    if len(domain) > MAX_DOMAIN_CHARS or not all(_LABEL.match(label) for label in labels):
        raise InvalidDomain(_("the domain is not a valid domain name"))
    if all(label.isdigit() for label in labels):
        raise InvalidDomain(_("an IP address is not a domain name"), "ip")
    if is_public_suffix(domain):
        raise InvalidDomain(
            _(
                "this is a public suffix (like vn or com.vn): blocking it would block "
                "everyone's sites below it"
            ),
            "public-suffix",
        )
    return domain


def domain_display(domain: str) -> str:
    """The readable (Unicode) form of a canonical domain, for pages."""
    try:
        return domain.encode("ascii").decode("idna")
    except UnicodeError:
        return domain


def parent_domains(domain: str) -> list[str]:
    """The proper parents of ``domain``, nearest first: ``a.b.c`` gives ``b.c``, ``c``."""
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(1, len(labels))]


def minimal_cover(domains: AbstractSet[str]) -> set[str]:
    """The domains of ``domains`` not already covered by a blocked parent in the set."""
    return set(domains) - covered_domains(domains)


def covered_domains(domains: AbstractSet[str]) -> set[str]:
    """The domains of ``domains`` below another domain of the set: a blocked parent
    covers them.

    Written for a million names (the RPZ feed): only names deep enough to have a parent
    that could be in the set are looked at in Python (``a.b.c`` when no single-label
    name is in the set, the usual case); the rest are counted in C.
    """
    dots = list(map(str.count, domains, repeat(".")))
    # A name with n dots has n parents, the last of them a single label.
    min_dots = 1 if 0 in dots else 2
    covered = set()
    for domain in compress(domains, map(min_dots.__le__, dots)):
        dot = domain.find(".")
        while dot != -1:
            if domain[dot + 1 :] in domains:
                covered.add(domain)
                break
            dot = domain.find(".", dot + 1)
    return covered
