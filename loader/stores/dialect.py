"""The differences between Neo4j's and FalkorDB's Cypher that cannot be written around.

Every query in ``cypher/`` runs unchanged on both stores. What cannot be shared is the
schema: ``cypher/schema.cypher`` is written in Neo4j 5 syntax (named constraints and indexes
with ``IF NOT EXISTS``, so it can be pasted into Neo4j Browser), and this module turns each
statement into what FalkorDB understands:

=========================================================  ==================================
Neo4j 5                                                    FalkorDB
=========================================================  ==================================
``CREATE CONSTRAINT n IF NOT EXISTS FOR (x:L)``            ``CREATE INDEX FOR (x:L) ON (x.p)``
``REQUIRE x.p IS UNIQUE``                                  and a check after each load
``CREATE INDEX n IF NOT EXISTS FOR (x:L) ON (x.p)``        ``CREATE INDEX FOR (x:L) ON (x.p)``
``CREATE FULLTEXT INDEX n IF NOT EXISTS FOR (x:L)``        ``CALL db.idx.fulltext.
``ON EACH [x.p, x.q]``                                     createNodeIndex({label: 'L',
                                                           stopwords: []}, 'p', 'q')``
``CALL db.index.fulltext.queryNodes('n', $q)``             ``CALL db.idx.fulltext.queryNodes(
                                                           'L', $q)`` (in any query)
full-text query ``ct* AND head*`` (Lucene)                 ``ct* head*`` (RediSearch), made by
                                                           :func:`fulltext_query`
=========================================================  ==================================

FalkorDB names a full-text index by its label, Neo4j by a name: :func:`falkordb_query` turns
the one into the other using the names in ``schema.cypher``. Neither store drops stop words
("of", "the"), so "CT of head" finds the same concepts on both; FalkorDB also matches
English word forms ("knees" finds "knee"), Neo4j's standard analyzer does not.

FalkorDB has unique constraints (``GRAPH.CONSTRAINT CREATE``), but it checks one on every
node created, which made creating the 400,000 concepts of a full SNOMED CT snapshot three
times slower, and building one after the data took 8 seconds more. Only a load writes to
the embedded store (the console is read-only), so the store checks each key after the load
instead, before the load is switched in (``("UNIQUE", label, property)`` below): a load
that would leave two nodes with one key is refused whole, as a constraint would refuse it.

Anything else in the schema file is an error, so a new kind of statement is noticed here.
"""

from __future__ import annotations

import re

__all__ = [
    "falkordb_query",
    "falkordb_schema",
    "fulltext_indexes",
    "fulltext_query",
    "split_statements",
]

_CONSTRAINT = re.compile(
    r"CREATE\s+CONSTRAINT\s+\w+\s+IF\s+NOT\s+EXISTS\s+FOR\s+\((\w+):(\w+)\)\s+"
    r"REQUIRE\s+\1\.(\w+)\s+IS\s+UNIQUE",
    re.IGNORECASE,
)
_FULLTEXT = re.compile(
    r"CREATE\s+FULLTEXT\s+INDEX\s+(\w+)\s+IF\s+NOT\s+EXISTS\s+FOR\s+\((\w+):(\w+)\)\s+"
    r"ON\s+EACH\s+\[([^\]]+)\]",
    re.IGNORECASE,
)
_FULLTEXT_CALL = re.compile(r"db\.index\.fulltext\.queryNodes\(\s*'(\w+)'")
_WORD = re.compile(r"[0-9a-z]+")
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

    A 1-tuple is a Cypher query; ``("UNIQUE", label, property)`` is a key the store checks
    after each load.
    """
    flat = " ".join(statement.split())
    m = _CONSTRAINT.fullmatch(flat)
    if m:
        var, label, prop = m.groups()
        return [
            (f"CREATE INDEX FOR ({var}:{label}) ON ({var}.{prop})",),
            ("UNIQUE", label, prop),
        ]
    m = _FULLTEXT.fullmatch(flat)
    if m:
        _, var, label, props = m.groups()
        names = [p.strip().removeprefix(f"{var}.") for p in props.split(",")]
        quoted = ", ".join(f"'{p}'" for p in names)
        return [
            (
                "CALL db.idx.fulltext.createNodeIndex("
                f"{{label: '{label}', stopwords: [], language: 'english'}}, {quoted})",
            )
        ]
    m = _INDEX.fullmatch(flat)
    if m:
        var, label, prop = m.groups()
        return [(f"CREATE INDEX FOR ({var}:{label}) ON ({var}.{prop})",)]
    raise ValueError(f"schema statement not translated for FalkorDB: {flat}")


def fulltext_indexes(schema: str) -> dict[str, str]:
    """Full-text index name -> its label, from the schema's statements."""
    out = {}
    for statement in split_statements(schema):
        m = _FULLTEXT.fullmatch(" ".join(statement.split()))
        if m:
            out[m.group(1)] = m.group(3)
    return out


def falkordb_query(text: str, indexes: dict[str, str]) -> str:
    """A query with Neo4j's full-text calls turned into FalkorDB's (``indexes`` from
    :func:`fulltext_indexes`); anything else is left exactly as it is."""
    if "db.index.fulltext" not in text:
        return text
    return _FULLTEXT_CALL.sub(
        lambda m: f"db.idx.fulltext.queryNodes('{indexes.get(m.group(1), m.group(1))}'", text
    )


def fulltext_query(words: str, store_kind: str) -> str:
    """A full-text query matching words that start with each word of ``words``; ``""``
    when no word has two characters (one letter starts a word in a quarter of SNOMED CT:
    ranking 98,000 concepts takes 60 ms, past the budget for a keystroke). Only letters and
    digits are kept, so nothing typed can be read as query syntax."""
    found = _WORD.findall(words.lower())
    if not any(len(w) > 1 for w in found):
        return ""
    return (" AND " if store_kind == "neo4j" else " ").join(f"{w}*" for w in found)
