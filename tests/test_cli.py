"""The nicip command: output formats, and errors as one line without a traceback."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from loader.cli import cli

from .conftest import SAMPLE


@pytest.fixture(scope="module")
def nicip(tmp_path_factory):
    db = tmp_path_factory.mktemp("cli") / "graph.db"
    runner = CliRunner()

    def run(*args, code=0):
        result = runner.invoke(cli, ["--db", str(db), *args])
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.output
        return result

    yield run
    from loader.stores.embedded import EmbeddedStore

    EmbeddedStore(db).close()


def test_list_shows_how_each_file_is_read(nicip):
    out = nicip("list", str(SAMPLE)).output
    assert "load  " in out and "NICIP code table (header row 3" in out
    assert "skip  " in out and "README.md" in out
    assert out.count("SNOMED CT RF2") == 7


def test_load_then_query_json_is_stable(nicip):
    out = nicip("load", str(SAMPLE), "--format", "json").output
    report = json.loads(out[out.index("{") :])
    assert report["opcs_map_refsets"] == [1382401000000109]
    doc = json.loads(nicip("query", "one-to-many", "--format", "json").output)
    assert set(doc) == {"query", "params", "columns", "rows", "truncated"}
    doc = json.loads(
        nicip("query", "mapping-path", "--param", "code=XWRIB", "--format", "json").output
    )
    assert doc["params"] == {"code": "XWRIB"} and doc["rows"][0]["snomed_id"] == 60027007


def test_csv_output(nicip):
    out = nicip("query", "codes-by-modality", "--format", "csv").output.splitlines()
    assert out[0] == "modality,codes,rules"


def test_errors_are_one_line(nicip, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("nicip_code,snomed_concept_id\nXWRIB,60027008\n")
    r = nicip("load", str(bad), code=1)
    assert "Error: bad.csv, row 2, column 'snomed_concept_id'" in r.output
    r = nicip("cypher", "CREATE (n:X) RETURN n", code=1)
    assert "Error: the query tries to change the graph" in r.output
    r = nicip("query", "no-such", code=1)
    assert "Error: no query named 'no-such'" in r.output
    r = nicip("cypher", "MATCH (n RETURN n", code=1)
    assert r.output.startswith("Error: ")


def test_cypher_row_limit(nicip):
    doc = json.loads(
        nicip(
            "cypher", "UNWIND range(1, 20) AS x RETURN x", "--limit", "5", "--format", "json"
        ).output
    )
    assert doc["truncated"] is True and [r["x"] for r in doc["rows"]] == [1, 2, 3, 4, 5]


def test_settings_errors_name_where_they_looked(nicip, monkeypatch):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    r = nicip("--store", "neo4j", "status", code=1)
    assert "NEO4J_URI" in r.output and "NEO4J_PASSWORD" in r.output
