"""The embedded store's by-id writes build exactly the graph the plan's Cypher builds.

The same loads run into a store that writes every shaped step by internal node id
(``by_id_from_rows=1``) and one that runs the plan's statements by key
(``by_id_from_rows=None``), and every node and relationship, with every property, must be
the same: after the sample release, after loading it again, and after two releases on top
of each other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from loader.pipeline import load
from loader.stores.embedded import EmbeddedStore

from ..conftest import SAMPLE
from ..migration.conftest import load_both, write_releases

#: Properties that differ between any two loads (when the load ran).
VOLATILE = {"loaded_at"}


def dump(store: EmbeddedStore) -> dict[str, Any]:
    def key(node: dict[str, Any]) -> Any:
        return (node["_labels"][0], *(str(node.get(k)) for k in ("code", "id", "name", "key")))

    def props(value: dict[str, Any]) -> tuple:
        return tuple(
            sorted(
                (k, repr(v))
                for k, v in value.items()
                if not k.startswith("_") and k not in VOLATILE
            )
        )

    nodes = store.read("MATCH (n) RETURN n", row_limit=1_000_000).rows
    edges = store.read("MATCH (a)-[r]->(b) RETURN a, r, b", row_limit=1_000_000).rows
    return {
        "nodes": sorted((key(n), props(n)) for (n,) in nodes),
        "edges": sorted((key(a), r["_type"], key(b), props(r)) for a, r, b in edges),
    }


@pytest.fixture
def pair(tmp_path: Path):
    by_id = EmbeddedStore(tmp_path / "by-id" / "graph.db", by_id_from_rows=1)
    by_key = EmbeddedStore(tmp_path / "by-key" / "graph.db", by_id_from_rows=None)
    yield by_id, by_key
    by_id.close()
    by_key.close()


def test_sample_release_loaded_twice(pair):
    by_id, by_key = pair
    for store in pair:
        load([SAMPLE], store)
    first = dump(by_id)
    assert first == dump(by_key)
    assert len(first["nodes"]) > 50 and len(first["edges"]) > 50
    for store in pair:
        load([SAMPLE], store)
    assert dump(by_id) == dump(by_key) == first


def test_two_releases_on_top_of_each_other(pair, tmp_path):
    (tmp_path / "releases").mkdir()
    a, b = write_releases(tmp_path / "releases")
    for store in pair:
        load_both(a, b, store)
    assert dump(pair[0]) == dump(pair[1])


def test_a_link_to_a_missing_node_stops_the_load(pair):
    from loader.errors import StoreError
    from loader.graph import _link
    from loader.stores.base import WritePlan

    by_id, _ = pair
    load([SAMPLE], by_id)
    before = dump(by_id)
    step = _link(
        "test", "NicipCode.code", "MAPS_TO", "SnomedConcept.id", [{"a": "XWRIB", "b": 1234567}]
    )
    with pytest.raises(StoreError, match="matched 0 of 1 rows"):
        by_id.apply(WritePlan([], [step]))
    assert dump(by_id) == before


def test_a_load_that_would_duplicate_a_key_is_refused_whole(pair):
    from loader import queries
    from loader.errors import StoreError
    from loader.stores.base import Step, WritePlan
    from loader.stores.dialect import split_statements

    store, _ = pair
    load([SAMPLE], store)
    before = dump(store)
    plan = WritePlan(
        split_statements(queries.schema_text()),
        [
            Step("one", "CREATE (:Modality {name: 'Extra'})"),
            Step("two", "CREATE (:NicipCode {code: 'XWRIB'})"),
        ],
    )
    with pytest.raises(StoreError, match=r"two NicipCode nodes the same code \('XWRIB'\)"):
        store.apply(plan)
    assert dump(store) == before
