"""Search insensitive to Vietnamese diacritics, the same on SQLite and PostgreSQL.

The services keep ``Case.search_text`` folded (lower case, no diacritics, đ as d); a query
is folded the same way and each of its words must appear in that column (``icontains``).
No database extension (``unaccent``) is needed, so both databases answer alike.
"""

from __future__ import annotations

import unicodedata

from django.db.models import QuerySet

MAX_TERMS = 8


def fold(text: str) -> str:
    """``"Xâm hại ĐÀ NẴNG"`` → ``"xam hai da nang"``."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare).lower()


def search_terms(query: str) -> list[str]:
    return fold(query).split()[:MAX_TERMS]


def filter_folded(qs: QuerySet, query: str, field: str = "search_text") -> QuerySet:  # type: ignore[type-arg]
    """Keep the rows whose folded ``field`` holds every word of ``query``."""
    for term in search_terms(query):
        qs = qs.filter(**{f"{field}__icontains": term})
    return qs
