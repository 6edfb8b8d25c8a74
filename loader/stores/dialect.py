"""The differences between Neo4j's and FalkorDB's Cypher that cannot be written around.

Every query in ``cypher/`` runs unchanged on both stores. What cannot be shared is the
schema: ``cypher/schema.cypher`` is written in Neo4j 5 syntax (named constraints and indexes
with ``IF NOT EXISTS``, so it can be pasted into Neo4j Browser), and this module turns each
statement into what FalkorDB understands:

=========================================================  ==================================
Neo4j 5                                                    FalkorDB
=========================================================  ==================================
``CREATE CONSTRAINT n IF NOT EXISTS FOR (x:L)``            ``CREATE INDEX FOR (x:L) ON (x.p)``
``REQUIRE x.p IS UNIQUE``                                  then ``GRAPH.CONSTRAINT CREATE g
                                                           UNIQUE NODE L PROPERTIES 1 p``
``CREATE INDEX n IF NOT EXISTS FOR (x:L) ON (x.p)``        ``CREATE INDEX FOR (x:L) ON (x.p)``
=========================================================  ==================================

Anything else in the schema file is an error, so a new kind of statement is noticed here.
"""

from __future__ import annotations

import re

__all__ = ["falkordb_schema", "split_statements"]

_CONSTRAINT = re.compile(
    r"CREATE\s+CONSTRAINT\s+\w+\s+IF\s+NOT\s+EXISTS\s+FOR\s+\((\w+):(\w+)\)\s+"
    r"REQUIRE\s+\1\.(\w+)\s+IS\s+UNIQUE",
    re.IGNORECASE,
)
_INDEX = re.compile(
    r"CREATE\s+INDEX\s+\w+\s+IF\s+NOT\s+EXISTS\s+FOR\s+\((\w+):(\w+)\)\s+ON\s+\(\1\.(\w+)\)",
    re.IGNORECASE,
)


def split_statements(text: str) -> list[str]:
    """Statements of a Cypher script: ``//`` comment lines dropped, split on ``;``."""
    lines = [ln for ln in text.splitlines() if not ln.strip().startswith("//")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def falkordb_schema(statement: str) -> list[tuple[str, ...]]:
    """FalkorDB commands for one Neo4j schema statement.

    A 1-tuple is a Cypher query; a longer tuple is a Redis command whose second element is
    replaced by the graph name.
    """
    flat = " ".join(statement.split())
    m = _CONSTRAINT.fullmatch(flat)
    if m:
        var, label, prop = m.groups()
        return [
            (f"CREATE INDEX FOR ({var}:{label}) ON ({var}.{prop})",),
            ("GRAPH.CONSTRAINT", "CREATE", "UNIQUE", "NODE", label, "PROPERTIES", "1", prop),
        ]
    m = _INDEX.fullmatch(flat)
    if m:
        var, label, prop = m.groups()
        return [(f"CREATE INDEX FOR ({var}:{label}) ON ({var}.{prop})",)]
    raise ValueError(f"schema statement not translated for FalkorDB: {flat}")
