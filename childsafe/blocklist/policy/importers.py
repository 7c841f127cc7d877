"""Parsers of category list files: pure functions, text in, canonical domains out.

Formats (``detect_format`` guesses from the first meaningful lines):

- ``hosts``: ``0.0.0.0 name`` or ``127.0.0.1 name`` (``::``/``::1`` too), several names
  per line allowed, ``#`` comments; ``localhost`` and friends skipped;
- ``plain``: one domain per line, ``#`` or ``!`` comments;
- ``adblock``: ``||domain^`` network rules; exception rules (``@@``), cosmetic rules
  (``##``, ``#@#``), rules with a path or options and other syntax are skipped;
- ``rpz``: ``name CNAME .`` and ``*.name CNAME .``; SOA, NS, ``$`` directives and
  comments (``;``) are skipped; other actions (``rpz-passthru.``) too.

Every name goes through ``normalise_domain``; a line that does not parse or whose name
is refused counts as invalid. Invalid lines are not fatal; a file with no valid name,
or in none of the formats, raises ``ImportFormatError``, so nothing is imported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from childsafe.lib.domains import InvalidDomain, normalise_domain

FORMATS = ("hosts", "plain", "adblock", "rpz")
_HOSTS_ADDRESSES = {"0.0.0.0", "127.0.0.1", "::", "::1"}  # noqa: S104
_HOSTS_SKIP = {
    "localhost",
    "localhost.localdomain",
    "local",
    "broadcasthost",
    "ip6-localhost",
    "ip6-loopback",
    "0.0.0.0",  # noqa: S104
}
_ADBLOCK_RULE = re.compile(r"^\|\|([^/^$|*]+)\^(?:\|)?$")
_RPZ_RECORD = re.compile(
    r"^(?P<name>\S+?)\.?(?:\s+\d+)?(?:\s+IN)?\s+CNAME\s+(?P<target>\S+)\s*$", re.IGNORECASE
)


class ImportFormatError(ValueError):
    """The file is refused as a whole: nothing is imported."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class ParseResult:
    file_format: str
    domains: list[str]  # canonical, sorted, unique
    invalid: int  # lines that looked like entries but were refused
    skipped: int  # rules of the format that are not blocking entries (adblock, rpz)


def _meaningful(lines: Iterable[str], comments: tuple[str, ...]) -> Iterable[str]:
    for line in lines:
        text = line.strip()
        if text and not text.startswith(comments):
            yield text


def detect_format(text: str) -> str:
    """The format of ``text``, from its first 50 meaningful lines; raises
    ``ImportFormatError`` when they fit none."""
    head = list(_meaningful(text.splitlines()[:2000], ("#", "!", ";", "[")))[:50]
    if not head:
        raise ImportFormatError(_("The file holds no entries."), "empty")
    votes = {name: 0 for name in FORMATS}
    for line in head:
        first = line.split()[0]
        if first in _HOSTS_ADDRESSES:
            votes["hosts"] += 1
        elif line.startswith(("||", "@@", "##", "#@#", "|")) or "##" in line:
            votes["adblock"] += 1
        elif _RPZ_RECORD.match(line) or line.startswith("$") or " SOA " in line.upper():
            votes["rpz"] += 1
        elif len(line.split()) == 1 and "/" not in line and ":" not in line:
            votes["plain"] += 1
    best = max(FORMATS, key=lambda name: votes[name])
    if votes[best] * 2 <= len(head):
        raise ImportFormatError(
            _(
                "The file is in none of the known formats: a hosts file (0.0.0.0 name), "
                "a plain list (one domain a line), adblock rules (||domain^) or an RPZ "
                "zone (name CNAME .)."
            ),
            "format",
        )
    return best


def _hosts_names(line: str) -> tuple[list[str], int]:
    fields = line.split("#", 1)[0].split()
    if not fields:
        return [], 0
    if fields[0] not in _HOSTS_ADDRESSES or len(fields) < 2:
        return [], 1
    return [name for name in fields[1:] if name.lower() not in _HOSTS_SKIP], 0


def _candidates(text: str, file_format: str) -> tuple[list[str], int, int]:
    """(names to check, invalid lines, skipped lines)."""
    names: list[str] = []
    invalid = skipped = 0
    if file_format == "hosts":
        for line in _meaningful(text.splitlines(), ("#",)):
            found, bad = _hosts_names(line)
            names.extend(found)
            invalid += bad
    elif file_format == "plain":
        for line in _meaningful(text.splitlines(), ("#", "!")):
            fields = line.split("#", 1)[0].split()
            if len(fields) == 1:
                names.append(fields[0])
            else:
                invalid += 1
    elif file_format == "adblock":
        for line in _meaningful(text.splitlines(), ("!", "[")):
            match = _ADBLOCK_RULE.match(line)
            if match:
                names.append(match[1])
            elif line.startswith("||"):
                skipped += 1  # a rule with a path, options or a wildcard
            else:
                skipped += 1  # exceptions (@@), cosmetic rules (##) and the rest
    elif file_format == "rpz":
        for line in _meaningful(text.splitlines(), (";", "$")):
            match = _RPZ_RECORD.match(line.split(";", 1)[0].strip())
            if match is None:
                skipped += 1  # SOA, NS and other records
            elif match["target"] != ".":
                skipped += 1  # not a block (rpz-passthru., a redirect)
            else:
                names.append(match["name"])
    else:  # pragma: no cover - callers pass one of FORMATS
        raise ImportFormatError(_("Unknown format."), "format")
    return names, invalid, skipped


def parse_list(text: str, file_format: str | None = None) -> ParseResult:
    """The canonical domains of a list file. ``file_format`` (one of ``FORMATS``) or
    detected. Raises ``ImportFormatError`` if the format is unknown or nothing valid."""
    if file_format is not None and file_format not in FORMATS:
        raise ImportFormatError(
            _("Unknown format %(format)s: use one of %(formats)s.")
            % {"format": file_format, "formats": ", ".join(FORMATS)},
            "format",
        )
    file_format = file_format or detect_format(text)
    names, invalid, skipped = _candidates(text, file_format)
    domains: set[str] = set()
    for name in names:
        try:
            domains.add(normalise_domain(name))
        except InvalidDomain:
            invalid += 1
    if not domains:
        raise ImportFormatError(
            _("The file holds no valid domain in the %(format)s format.")
            % {"format": file_format},
            "no-domains",
        )
    return ParseResult(file_format, sorted(domains), invalid, skipped)


def decode_upload(data: bytes) -> str:
    """The text of an uploaded file (UTF-8, a BOM allowed); binary files are refused."""
    if b"\x00" in data[:65536]:
        raise ImportFormatError(_("This is not a text file."), "binary")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFormatError(_("The file is not UTF-8 text."), "encoding") from None
