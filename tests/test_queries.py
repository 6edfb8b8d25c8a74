"""Every cypher/ file is a well-formed named query that something runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loader import queries
from loader.errors import MissingParameter, QueryError, UnknownQuery

ROOT = Path(__file__).resolve().parent.parent


def test_every_file_has_a_title_and_declares_exactly_its_parameters():
    assert queries.all_queries(), "no named queries found"
    for q in queries.all_queries().values():
        assert q.title and q.title != q.name, f"{q.name}: no title comment"
        declared = {p.name for p in q.params}
        used = queries.used_params(q.text)
        assert used == declared, f"{q.name}: uses {sorted(used)}, declares {sorted(declared)}"
        assert ";" not in q.text, f"{q.name}: one statement per file"


def test_every_query_is_run_by_the_product():
    """A query no code, page or README names is dead; an unknown name would fail at run time."""
    sources = "\n".join(
        p.read_text() for folder in ("loader", "explorer") for p in (ROOT / folder).rglob("*.py")
    )
    sources += (ROOT / "README.md").read_text()
    unused = [
        name
        for name in queries.all_queries()
        if f'"{name}"' not in sources and f" {name} " not in sources and f"`{name}`" not in sources
    ]
    assert unused == []
    named = set(re.findall(r'queries\.run\([^,]+,\s*"([\w-]+)"', sources))
    assert named <= set(queries.all_queries()), named - set(queries.all_queries())


def test_schema_statements_are_all_translated_for_the_embedded_store():
    from loader.stores.dialect import falkordb_schema, split_statements

    statements = split_statements(queries.schema_text())
    assert len(statements) == 10
    for s in statements:
        assert falkordb_schema(s)
    assert falkordb_schema(statements[0]) == [
        ("CREATE INDEX FOR (n:NicipCode) ON (n.code)",),
        ("UNIQUE", "NicipCode", "code"),
    ]
    assert falkordb_schema(statements[-1]) == [
        (
            "CALL db.idx.fulltext.createNodeIndex({label: 'SnomedConcept', stopwords: [], "
            "language: 'english'}, 'term', 'fsn')",
        )
    ]


def test_full_text_calls_and_queries_per_store():
    from loader.stores.dialect import falkordb_query, fulltext_indexes, fulltext_query

    indexes = fulltext_indexes(queries.schema_text())
    assert indexes == {"snomed_terms": "SnomedConcept"}
    text = queries.get("search-snomed").text
    assert "CALL db.idx.fulltext.queryNodes('SnomedConcept', $text)" in falkordb_query(
        text, indexes
    )
    plain = "MATCH (n) RETURN 'db.index.fulltext' AS s"
    assert falkordb_query(plain, indexes) == plain
    assert fulltext_query("CT of  Head", "embedded") == "ct* of* head*"
    assert fulltext_query("CT of  Head", "neo4j") == "ct* AND of* AND head*"
    # Query syntax typed into the box is dropped, never passed on.
    assert fulltext_query('x-ray "knee" | -foot @term:{a}', "embedded") == (
        "x* ray* knee* foot* term* a*"
    )
    assert fulltext_query(" -- ", "neo4j") == ""
    assert fulltext_query("c", "embedded") == ""  # one letter: too many to rank
    assert fulltext_query("x ray", "embedded") == "x* ray*"


def test_binding_parameters():
    q = queries.get("mapping-path")
    with pytest.raises(MissingParameter, match="--param code=VALUE"):
        q.bind({})
    with pytest.raises(QueryError, match="has no parameter nope"):
        q.bind({"code": "XWRIB", "nope": 1})
    r = queries.get("orphans-refset-unreached")
    assert r.bind({}) == {"refset": 999001111000000105}
    assert r.bind({"refset": "123"}) == {"refset": 123}
    with pytest.raises(QueryError, match="must be int"):
        r.bind({"refset": "abc"})
    with pytest.raises(UnknownQuery, match="mapping-path"):
        queries.get("no-such-query")
