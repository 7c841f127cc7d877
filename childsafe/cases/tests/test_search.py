"""Folding Vietnamese text for search (``childsafe.cases.search``)."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from childsafe.cases.search import MAX_TERMS, fold, search_terms


def test_it_drops_diacritics_and_case():
    assert fold("Xâm hại TRẺ EM") == "xam hai tre em"
    assert fold("Đà Nẵng, đường Lê Lợi") == "da nang, duong le loi"
    assert fold("ỨNG DỤNG Ở ĐÂY") == "ung dung o day"


def test_composed_and_decomposed_input_fold_alike():
    composed = "xâm hại"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert fold(composed) == fold(decomposed) == "xam hai"


def test_search_terms_are_words_capped():
    assert search_terms("  Xâm   HẠI ") == ["xam", "hai"]
    assert len(search_terms(" ".join(["a"] * 50))) == MAX_TERMS


@given(st.text())
def test_folding_is_idempotent_and_leaves_no_marks(text):
    folded = fold(text)
    assert fold(folded) == folded
    assert not any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", folded))
    assert "đ" not in folded and "Đ" not in folded


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126)))
def test_ascii_only_changes_case(text):
    assert fold(text) == text.lower()
