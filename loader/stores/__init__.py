"""Graph stores: the embedded default (FalkorDB) and Neo4j, behind one small interface.

``open_store(settings)`` opens whichever the settings name; see :mod:`loader.stores.base`
for the interface and :mod:`loader.stores.dialect` for the one place their Cypher differs.
"""

from __future__ import annotations

from loader.settings import Settings
from loader.stores.base import GraphStore, QueryResult

__all__ = ["GraphStore", "QueryResult", "open_store"]


def open_store(settings: Settings | None = None) -> GraphStore:
    """Open the store the settings name (defaults: the embedded store in the user folder)."""
    settings = settings or Settings.resolve()
    if settings.store == "neo4j":
        from loader.stores.neo4j import Neo4jStore

        uri, user, password = settings.require_neo4j()
        return Neo4jStore(uri, user, password, settings.neo4j_database)
    from loader.stores.embedded import EmbeddedStore

    return EmbeddedStore(settings.db)
