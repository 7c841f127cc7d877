"""URL normalisation, so that two reports about the same page find each other.

``normalise_url`` turns what a person pasted or typed into one canonical form:

- the scheme and host are lower-cased; only ``http`` and ``https`` are accepted, and a
  URL typed without a scheme (``facebook.com/abc``) is read as ``http://``;
- an internationalised host becomes punycode (Python's ``idna`` codec, IDNA 2003, which
  also folds full-width letters and dots); a trailing dot and leading ``www.`` labels go;
- default ports (80 for http, 443 for https) and any ``user:password@`` part are dropped;
- the path gets ``/`` when empty, its dot segments resolved and its percent-escapes in
  one form (upper-case hex, unreserved characters decoded, other characters encoded);
- tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ``si``...) and empty ones leave
  the query, the others keep their order; the fragment is dropped.

IP-literal hosts are kept (reports name them) and ``host_is_ip`` marks them. Anything
else that cannot be a web address raises ``InvalidURL``, and nothing else is raised.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import SplitResult, urlsplit

MAX_URL_CHARS = 2048

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "igsh",
        "si",
        "ref_src",
        "ref_url",
        "mc_eid",
        "mc_cid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "_ga",
        "_gl",
    }
)
TRACKING_PREFIXES = ("utm_",)

DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SUB_DELIMS = "!$&'()*+,;="
# Characters left as they are in each part; everything else is percent-encoded.
_PATH_SAFE = _UNRESERVED | frozenset(_SUB_DELIMS + ":@/")
_QUERY_SAFE = _UNRESERVED | frozenset(_SUB_DELIMS + ":@/?")
_HEX = frozenset("0123456789abcdefABCDEF")
_SCHEME_WITH_SLASHES = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_OTHER_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:(?!\d)")
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_\-]{0,61}[a-z0-9_])?$")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})


class InvalidURL(ValueError):
    """The text is not an http or https address that can be normalised."""


def normalise_url(raw: str) -> str:
    """The canonical form of ``raw``; raises ``InvalidURL`` if it is not a web address."""
    text = raw.strip()
    if not text:
        raise InvalidURL("the address is empty")
    if len(text) > MAX_URL_CHARS:
        raise InvalidURL(f"the address is longer than {MAX_URL_CHARS} characters")
    for ch in text:
        if ch.isspace() or unicodedata.category(ch) in _REFUSED_CATEGORIES:
            raise InvalidURL("the address contains spaces or control characters")
    if text.startswith("//"):
        text = "http:" + text
    elif not _SCHEME_WITH_SLASHES.match(text):
        if _OTHER_SCHEME.match(text):
            raise InvalidURL("only http and https addresses are accepted")
        text = "http://" + text
    try:
        parts = urlsplit(text)
    except ValueError as exc:  # e.g. an unbalanced "[" in the host
        raise InvalidURL(str(exc)) from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise InvalidURL("only http and https addresses are accepted")
    host, is_ip = _normalise_host(parts)
    port = _normalise_port(parts, scheme)
    path = _remove_dot_segments(_normalise_escapes(parts.path, _PATH_SAFE)) or "/"
    if not path.startswith("/"):
        path = "/" + path
    query = _normalise_query(parts.query)
    netloc = (f"[{host}]" if is_ip and ":" in host else host) + port
    result = f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")
    if len(result) > MAX_URL_CHARS:
        raise InvalidURL(f"the address is longer than {MAX_URL_CHARS} characters")
    return result


def url_host(url: str) -> str:
    """The host of ``url`` once normalised (an IPv6 address without brackets)."""
    host = urlsplit(normalise_url(url)).hostname
    if not host:  # pragma: no cover - normalise_url never returns a URL without a host
        raise InvalidURL("the address has no host")
    return host


def host_is_ip(host: str) -> bool:
    """Whether ``host`` (as ``url_host`` returns it) is an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _normalise_host(parts: SplitResult) -> tuple[str, bool]:
    netloc = parts.netloc.rpartition("@")[2]  # credentials are not part of the page
    if "\\" in parts.netloc or "%" in netloc:
        raise InvalidURL("the host contains characters a host cannot have")
    if netloc.startswith("["):
        literal = netloc[1:].partition("]")[0]
        try:
            address = ipaddress.IPv6Address(literal)
        except ValueError:
            raise InvalidURL("the host is not a valid IPv6 address") from None
        return address.compressed, True
    host = netloc.rpartition(":")[0] if ":" in netloc else netloc
    if host.endswith(".") and not host.endswith(".."):
        host = host[:-1]
    if not host:
        raise InvalidURL("the address has no host")
    try:
        return str(ipaddress.IPv4Address(host)), True
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise InvalidURL("the host is not a valid domain name") from None
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise InvalidURL("the host is not a valid domain name")
    while labels[0] == "www" and len(labels) > 2:
        labels.pop(0)
    return ".".join(labels), False


def _normalise_port(parts: SplitResult, scheme: str) -> str:
    try:
        port = parts.port
    except ValueError:
        raise InvalidURL("the port is not a number between 0 and 65535") from None
    if port is None or port == DEFAULT_PORTS[scheme]:
        return ""
    return f":{port}"


def _normalise_escapes(text: str, safe: frozenset[str]) -> str:
    """Percent-escapes in one form: unreserved characters decoded, the rest upper-case."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "%" and i + 2 < len(text) and set(text[i + 1 : i + 3]) <= _HEX:
            byte = int(text[i + 1 : i + 3], 16)
            out.append(chr(byte) if chr(byte) in _UNRESERVED else f"%{byte:02X}")
            i += 3
            continue
        if ch in safe:
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8"))
        i += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986, section 5.2.4: resolve "." and ".." segments."""
    if "." not in path:
        return path
    segments = path.split("/")
    out: list[str] = []
    for segment in segments[1:] if path.startswith("/") else segments:
        if segment == "..":
            if out:
                out.pop()
        elif segment != ".":
            out.append(segment)
    trailing = "/" if segments[-1] in (".", "..") else ""
    return "/" + "/".join(out) + trailing if out else "/"


def _normalise_query(query: str) -> str:
    kept = []
    for param in query.split("&"):
        if not param:
            continue
        param = _normalise_escapes(param, _QUERY_SAFE - {"&"})
        name = param.partition("=")[0].lower()
        if name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES):
            continue
        kept.append(param)
    return "&".join(kept)
