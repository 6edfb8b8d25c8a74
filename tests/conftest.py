"""Shared fixtures: stores over both backends, the bundled sample, the real data folder.

The contract suite runs on every store named in ``NICIP_TEST_STORES`` (comma separated,
default ``embedded,neo4j``; ``tests/contract/test_stores.py`` adds ``embedded-by-id``, the
embedded store writing every step by internal node id). The Neo4j store is used when
``NEO4J_URI`` (with ``NEO4J_PASSWORD``) is set, and skipped with that reason otherwise.
Tests on the real data use ``../shared/data`` beside the checkout (or ``NICIP_REAL_DATA``)
and skip cleanly where it is absent.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from loader.stores.base import GraphStore

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "sample-release"
REAL_DATA = Path(os.environ.get("NICIP_REAL_DATA", ROOT.parent / "shared" / "data"))
STORES = [
    s.strip() for s in os.environ.get("NICIP_TEST_STORES", "embedded,neo4j").split(",") if s.strip()
]


def open_test_store(kind: str, tmp: Path) -> GraphStore:
    """A fresh, empty store of ``kind``."""
    if kind == "embedded":
        from loader.stores.embedded import EmbeddedStore

        return EmbeddedStore(tmp / "graph.db")
    if kind == "embedded-by-id":  # every shaped step by internal id, however small
        from loader.stores.embedded import EmbeddedStore

        return EmbeddedStore(tmp / "graph.db", by_id_from_rows=1)
    if kind == "neo4j":
        if not os.environ.get("NEO4J_URI"):
            pytest.skip("Neo4j store: NEO4J_URI is not set, so no Neo4j server to test against")
        from loader.settings import Settings
        from loader.stores.neo4j import Neo4jStore

        uri, user, password = Settings.resolve().require_neo4j()
        store = Neo4jStore(uri, user, password, os.environ.get("NEO4J_DATABASE"))
        store.clear()
        return store
    raise ValueError(kind)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """An empty store, once per backend."""
    s = open_test_store(request.param, tmp_path)
    yield s
    s.close()


@pytest.fixture(scope="session")
def real_data() -> Path:
    if not (REAL_DATA / "nicip_snomed_map.csv").is_file():
        pytest.skip(f"real data not found at {REAL_DATA} (set NICIP_REAL_DATA to its folder)")
    return REAL_DATA
