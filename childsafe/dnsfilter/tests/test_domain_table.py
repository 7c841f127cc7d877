"""``policy.DomainTable``: the names of a policy in two flat arrays."""

from __future__ import annotations

import random
import string
from typing import Any

import pytest

from childsafe.dnsfilter.policy import (
    ALLOW,
    AUTHORITY,
    CATEGORY_SHIFT,
    DENY,
    DomainTable,
    PolicyError,
    load_policy,
)


def test_masks_add_up_and_unlisted_names_are_zero() -> None:
    table = DomainTable(3, 8)
    table.add("example.com", AUTHORITY)
    table.add("example.com", DENY)
    table.add("other.example", ALLOW)
    assert table.get("example.com") == AUTHORITY | DENY
    assert table.get("other.example") == ALLOW
    assert table.get("www.example.com") == 0
    assert table.get("") == 0
    assert len(table) == 2


def test_many_names_against_a_dict() -> None:
    rng = random.Random(7)
    names = {
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 12))) + ".vn"
        for _ in range(20_000)
    }
    expected: dict[str, int] = {}
    table = DomainTable(len(names) * 2, 16)
    for i, name in enumerate(sorted(names)):
        for bit in (1 << (i % 16), 1 << ((i * 7) % 16)):
            table.add(name, bit)
            expected[name] = expected.get(name, 0) | bit
    assert len(table) == len(expected)
    assert all(table.get(name) == mask for name, mask in expected.items())
    unlisted = ("".join(rng.choices(string.digits, k=10)) + ".vn" for _ in range(20_000))
    assert not any(table.get(name) for name in unlisted)


def test_more_than_32_bits(document: dict[str, Any]) -> None:
    extra = {f"custom{i:02d}": [f"c{i}.example"] for i in range(25)}  # 3 + 11 + 25 bits
    document["categories"].update(extra)
    document["rules"].append({"tier": "staff", "category": "custom24"})
    policy = load_policy(document)
    assert policy.index.get("c24.example") == 1 << (CATEGORY_SHIFT + 11 + 24)
    verdict = policy.decide_for("www.c24.example", "staff", policy.always["staff"])
    assert (verdict.action, verdict.reason) == ("block", "custom24")


def test_too_many_categories(document: dict[str, Any]) -> None:
    document["categories"].update({f"custom{i:02d}": [] for i in range(51)})
    with pytest.raises(PolicyError, match="more than 61"):
        load_policy(document)
