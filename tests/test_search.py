"""Search as you type, on the bundled sample, on every store (full-text on SNOMED CT terms)."""

from __future__ import annotations

import pytest

from explorer.views import Recorder, search
from loader.pipeline import load

from .conftest import SAMPLE


@pytest.fixture
def rec(store):
    load([SAMPLE], store)
    return Recorder(store, 10.0)


def keys(hits, kind):
    return [h.key for h in hits if h.kind == kind]


def test_words_find_concepts_by_the_start_of_words_in_their_terms(rec):
    # 60027007's preferred term in the sample is "Radiography of wrist" (its synonym "X-ray of
    # wrist" is not on the concept, so it is not searched).
    assert "60027007" in keys(search(rec, "wri"), "snomed")
    assert "60027007" in keys(search(rec, "radiography wri"), "snomed")
    assert "60027007" in keys(search(rec, "RADIOGRAPHY of WRIST"), "snomed")
    assert "60027007" not in keys(search(rec, "x-ray of wrist"), "snomed")
    assert "60027007" not in keys(search(rec, "radiography knee"), "snomed")
    assert "60027007" not in keys(search(rec, "rist"), "snomed")  # starts of words only


def test_a_whole_concept_id_is_an_exact_hit_and_comes_first(rec):
    hits = search(rec, "60027007")
    assert (hits[0].kind, hits[0].key, hits[0].exact) == ("snomed", "60027007", True)
    assert hits[0].label == "Radiography of wrist"


def test_codes_and_typed_query_syntax(rec):
    assert keys(search(rec, "xwri"), "nicip")[:3] == ["XWRIB", "XWRIL", "XWRIR"]
    assert search(rec, "xwrib")[0].exact
    # Characters of full-text query syntax are dropped, not passed on (no error).
    assert search(rec, '"wrist" | -@term:{x}') is not None
