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


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("cypher", "--timeout", "nan", "RETURN 1"), "'nan' is not a number of seconds"),
        (("cypher", "--timeout", "inf", "RETURN 1"), "inf is not in the range 0<x<=3600"),
        (("cypher", "--timeout", "-1", "RETURN 1"), "-1.0 is not in the range 0<x<=3600"),
        (("cypher", "--timeout", "0", "RETURN 1"), "0.0 is not in the range 0<x<=3600"),
        (("cypher", "--limit", "-5", "RETURN 1"), "-5 is not in the range x>=1"),
        (("query", "many-to-one", "--limit", "0"), "0 is not in the range x>=1"),
        (("load", str(SAMPLE), "--release", "   "), "the release name is blank"),
        (("valid", " "), "give a NICIP code or a SNOMED CT id"),
    ],
)
def test_bad_option_values_are_refused_in_one_line(nicip, args, says):
    r = nicip(*args, code=2)
    assert says in r.output


def test_export_errors_are_one_line(nicip, tmp_path):
    r = nicip("export", "sssom", "--out", str(tmp_path / "no" / "x.tsv"), code=2)
    assert f"the folder {tmp_path / 'no'} does not exist" in r.output
    r = nicip(
        "export", "sssom", "--out", str(tmp_path / "x.tsv"), "--mapping-set-id", "a b", code=2
    )
    assert "'a b' is not an absolute URI" in r.output
    r = nicip("export", "worklist-xlsx", "--out", str(tmp_path / "x.csv"), code=2)
    assert "a workbook needs an .xlsx name" in r.output
    # /proc exists but takes no new files (even from root).
    r = nicip("export", "worklist-csv", "--out", "/proc/nicip-x.csv", code=1)
    assert "Error: could not write /proc/nicip-x.csv: " in r.output


def test_cli_answers_plainly_where_it_used_to_stumble(nicip, tmp_path):
    nicip("load", str(SAMPLE))
    before = nicip("status", "--format", "json").output
    # Given twice, a file is read once: the same release as loading it once.
    one = SAMPLE / "nicip_codes.csv"
    nicip("load", str(one), str(one), str(SAMPLE))
    assert nicip("status", "--format", "json").output == before
    empty = tmp_path / "empty"
    empty.mkdir()
    assert f"Error: no files found in {empty}" in nicip("load", str(empty), code=1).output
    out = nicip("list", str(empty), str(one)).output
    assert f"none  {empty}" in out and "load  " in out
    bad = tmp_path / "x.xlsx"
    bad.write_text("not a workbook")
    out = nicip("list", str(bad), str(one), code=1).output
    assert f"error {bad}" in out and f"load  {one}" in out  # the good file is still listed
    assert "(no rows)" in nicip("query", "mapping-path", "--param", "code=ZZZZZ").output
    r = nicip("cypher", "CREATE INDEX FOR (n:NicipCode) ON (n.foo)", code=1)
    assert "Error: the query tries to change the graph; queries here are read-only" in r.output
    r = nicip("valid", "60027008", code=1)  # check digit wrong
    assert "Error: 60027008 is not a SNOMED CT concept id" in r.output
    r = CliRunner().invoke(cli, ["--db", str(one), "status"])
    assert r.exit_code == 1 and "is not an embedded store file" in r.output


def test_validity_of_a_concept_with_no_snomed_release_loaded(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "graph.db")
    pairs = tmp_path / "map.csv"
    pairs.write_text("nicip_code,snomed_concept_id\nXWRIB,60027007\n")
    assert runner.invoke(cli, ["--db", db, "load", str(pairs)]).exit_code == 0
    r = runner.invoke(cli, ["--db", db, "valid", "60027007"])
    assert "cannot tell: no SNOMED CT release is loaded" in r.output
