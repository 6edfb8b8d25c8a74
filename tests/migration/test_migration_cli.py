"""nicip diff, valid and plan on the two releases of conftest.py, and an exam list."""

from __future__ import annotations

import json

from click.testing import CliRunner

from loader.cli import cli


def run(store, *args, code=0):
    result = CliRunner().invoke(cli, ["--db", str(store.path), *args])
    assert result.exit_code == code, result.output
    return result.output


def test_diff_json(store):
    doc = json.loads(run(store, "diff", "2025-04-01", "2025-10-01", "--format", "json"))
    assert doc["counts"] == {
        "added": 7,
        "removed": 1,
        "retired": 1,
        "re-described": 1,
        "SNOMED CT map changed": 1,
        "OPCS-4 via SNOMED CT changed": 1,
        "OPCS-4 map changed": 1,
    }


def test_valid_both_code_systems(store):
    assert "XOLDB on 2026-03-17: valid" in run(store, "valid", "XOLDB", "--on", "2026-03-17")
    assert "not valid" in run(store, "valid", "399208008", "--on", "2026-01-01")
    assert "Error: --on must be a date" in run(store, "valid", "XOLDB", "--on", "17/03", code=1)


def test_plan_with_exam_list(store, tmp_path):
    exams = tmp_path / "exams.csv"
    exams.write_text(
        "Local Code,Exam Name,NICIP Code,Activity\n"
        "WRB,Wrist both,XWRIB,100\n"  # laterality family: ready
        "TMJ,TMJ MRI,MTMJB,30\n"  # collision: blocked
        "CFOOB,CT foot,,20\n"  # local code is a NICIP code: ready
        "ZZ1,Local only,,50\n"
    )  # no NICIP code: blocked
    doc = json.loads(run(store, "plan", "--exams", str(exams), "--format", "json"))
    assert [e["readiness"] for e in doc["exams"]] == [
        "laterality family",
        "collision",
        "one-to-one",
        "not a NICIP code",
    ]
    # Ready activity 100 + 20 = 120 of 200.
    assert doc["summary"]["activity_ready"] == 120 and doc["summary"]["activity_ready_share"] == 0.6
    bad = tmp_path / "bad.csv"
    bad.write_text("Local Code,Activity\nWRB,lots\n")
    assert "Error: bad.csv, row 2, column 'Activity'" in run(
        store, "plan", "--exams", str(bad), code=1
    )


def test_exports_from_the_cli(store, tmp_path):
    import csv

    from fhir.resources.R4B.conceptmap import ConceptMap

    out = tmp_path / "map.json"
    run(store, "export", "conceptmap", "--out", str(out))
    doc = json.loads(out.read_text())
    ConceptMap.model_validate(doc)  # a valid FHIR ConceptMap
    elements = {e["code"]: e["target"] for e in doc["group"][0]["element"]}
    # 14 codes less the 2 retired (XOLDB, CABDO).
    assert len(elements) == 12 and "XOLDB" not in elements
    assert elements["XWRIB"][0]["equivalence"] == "wider"
    assert elements["CFOOB"][0]["equivalence"] == "equivalent"
    sssom = tmp_path / "map.sssom.tsv"
    run(store, "export", "sssom", "--out", str(sssom))
    body = [ln for ln in sssom.read_text().splitlines() if not ln.startswith("#")]
    header = next(csv.reader(body, delimiter="\t"))
    assert {"subject_id", "predicate_id", "object_id", "mapping_justification"} <= set(header)
    xlsx = tmp_path / "worklist.xlsx"
    run(store, "export", "worklist-xlsx", "--out", str(xlsx))
    import openpyxl

    sheet = openpyxl.load_workbook(xlsx)["Worklist"]
    assert sheet.max_row == 15  # header + 14 codes
