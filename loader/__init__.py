"""nicip-graph: NICIP imaging procedure codes, their SNOMED CT and OPCS-4 maps, as one graph.

The library is the product; the ``nicip`` command and the explorer are its clients::

    from loader import open_store, load, queries
    store = open_store()                       # the embedded default, or Neo4j from settings
    load(["release/"], store)                  # all files, or nothing
    queries.run(store, "many-to-one").records()
"""

from loader.pipeline import LoadReport, load
from loader.settings import Settings
from loader.stores import open_store

__all__ = ["LoadReport", "Settings", "load", "open_store"]
__version__ = "0.1.0"
