"""The readiness exports: worklist CSV/XLSX, FHIR ConceptMap, SSSOM TSV, on hand-made rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from fhir.resources.R4B.conceptmap import ConceptMap
from openpyxl import load_workbook

from loader import exports
from loader.exports import concept_map, neutralise, sssom_tsv, worklist_csv, worklist_xlsx
from loader.migration import CLASSES, with_reasons

# Slots of the SSSOM schema's `mapping` and `mapping set` classes (sssom_schema.yaml).
# fmt: off
MAPPING_SLOTS = {
    "record_id", "subject_id", "subject_label", "subject_category", "predicate_id",
    "predicate_label", "predicate_modifier", "object_id", "object_label", "object_category",
    "mapping_justification", "author_id", "author_label", "reviewer_id", "reviewer_label",
    "creator_id", "creator_label", "license", "subject_type", "subject_source",
    "subject_source_version", "object_type", "object_source", "object_source_version",
    "predicate_type", "mapping_provider", "mapping_source", "mapping_cardinality",
    "cardinality_scope", "mapping_tool", "mapping_tool_id", "mapping_tool_version",
    "mapping_date", "publication_date", "review_date", "confidence", "curation_rule",
    "curation_rule_text", "subject_match_field", "object_match_field", "match_string",
    "subject_preprocessing", "object_preprocessing", "similarity_score", "similarity_measure",
    "see_also", "issue_tracker_item", "other", "comment",
}
MAPPING_SET_SLOTS = {
    "sssom_version", "curie_map", "mappings", "mapping_set_id", "mapping_set_version",
    "mapping_set_source", "mapping_set_title", "mapping_set_description",
    "mapping_set_confidence", "creator_id", "creator_label", "license", "subject_type",
    "subject_source", "subject_source_version", "object_type", "object_source",
    "object_source_version", "predicate_type", "mapping_provider", "cardinality_scope",
    "mapping_tool", "mapping_tool_id", "mapping_tool_version", "mapping_date",
    "publication_date", "subject_match_field", "object_match_field", "subject_preprocessing",
    "object_preprocessing", "similarity_measure", "curation_rule", "curation_rule_text",
    "see_also", "issue_tracker", "other", "comment", "extension_definitions",
}
# R4 ConceptMapEquivalence (http://hl7.org/fhir/R4/valueset-concept-map-equivalence.html);
# fhir.resources does not check the code, so the test does.
R4_EQUIVALENCE = {
    "relatedto", "equivalent", "equal", "wider", "subsumes", "narrower", "specializes",
    "inexact", "unmatched", "disjoint",
}
# fmt: on
SSSOM_REQUIRED = ["subject_id", "predicate_id", "object_id", "mapping_justification"]
SSSOM_BUILT_IN = {
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "semapv": "https://w3id.org/semapv/vocab/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "sssom": "https://w3id.org/sssom/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "linkml": "https://w3id.org/linkml/",
}
SET_ID = "https://example.org/nicip/nicip-snomed.sssom.tsv"


def row(code: str, readiness: str, **facts: Any) -> dict[str, Any]:
    """A ``migration-readiness`` row with empty lists unless given."""
    out: dict[str, Any] = {
        "code": code,
        "description": f"{code} description",
        "modality": "CT",
        "readiness": readiness,
        "targets": [],
        "target_terms": [],
        "replacements": [],
        "sharing": [],
        "colliding": [],
        "laterality": None,
    }
    return out | facts


def readiness_rows() -> list[dict[str, Any]]:
    """One code or more of every readiness class."""
    wrist = {"targets": [60027007], "target_terms": ["Radiography of wrist"]}
    xr = "Plain X-ray"
    # fmt: off
    return [
        row("CHEAD", "one-to-one", targets=[408754009], target_terms=["CT of head"]),
        row("XWRIB", "laterality family", modality=xr, laterality="Both",
            sharing=["XWRIL", "XWRIR"], **wrist),
        row("XWRIL", "laterality family", modality=xr, laterality="Left",
            sharing=["XWRIB", "XWRIR"], **wrist),
        row("XWRIR", "laterality family", modality=xr, laterality="Right",
            sharing=["XWRIB", "XWRIL"], **wrist),
        row("CABPE", "collision", targets=[1000001], target_terms=["CT of abdomen"],
            sharing=["CABDO"], colliding=["CABDO"]),
        row("MHEAN", "several targets", modality="MRI", targets=[1000002, 1000003],
            target_terms=["MRI of head", None]),
        row("UOLDR", "inactive target, replaced", modality="Ultrasound", targets=[1000004],
            target_terms=["Old ultrasound"], replacements=[1000005, 1000006]),
        row("FOLDN", "inactive target, no replacement", modality="Fluoroscopy",
            targets=[1000007], target_terms=["Old fluoroscopy"]),
        row("NNOMP", "no target", modality="Nuclear medicine", description=None),
        row("XRETD", "retired", modality=xr, targets=[1000008], target_terms=["Retired X-ray"]),
    ]
    # fmt: on


# -- neutralising ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["=1+1", "+44 20", "-2", "@SUM(A1)", "\t=cmd", "\r=cmd", '=HYPERLINK("x")']
)
def test_a_formula_start_gets_a_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["CT Head", "", "a=b", "'=already", 3, -2, 1.5, True, None])
def test_other_values_are_unchanged(value):
    assert neutralise(value) == value


# -- worklist CSV ---------------------------------------------------------------------------


def expected_text(value: Any) -> str:
    """What a CSV cell holds for ``value``."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join("" if v is None else str(v) for v in value)
    return str(neutralise(value))


def hostile_rows() -> list[dict[str, Any]]:
    rows = with_reasons(readiness_rows())  # adds "reason" and "ready"
    rows[0]["description"] = '=HYPERLINK("http://x","click")'
    rows[1]["description"] = "+1 wrist"
    rows[2]["description"] = "-2 wrist"
    rows[3]["description"] = "@SUM(A1)"
    rows[4]["description"] = 'comma, "quote"\nnew line'
    return rows


@pytest.mark.parametrize("to", ["path", "buffer"])
def test_csv_reads_back_equal_after_neutralising(tmp_path, to):
    rows = hostile_rows()
    if to == "path":
        assert worklist_csv(rows, tmp_path / "w.csv") == len(rows)
        text = (tmp_path / "w.csv").read_text(encoding="utf-8")
    else:
        buf = io.StringIO()
        worklist_csv(rows, buf)
        text = buf.getvalue()
    header, *body = list(csv.reader(io.StringIO(text)))
    assert header == list(rows[0])  # first-seen key order
    assert "reason" in header and "ready" in header
    assert body == [[expected_text(r[c]) for c in header] for r in rows]
    assert body[0][1].startswith("'=") and body[2][1] == "'-2 wrist"
    assert body[1][header.index("sharing")] == "XWRIL; XWRIR"


def test_csv_takes_any_dicts_with_columns_in_first_seen_order():
    buf = io.StringIO()
    worklist_csv([{"a": 1, "b": "-x"}, {"c": ["=1", None, 2], "a": 2}], buf)
    assert list(csv.reader(io.StringIO(buf.getvalue()))) == [
        ["a", "b", "c"],
        ["1", "'-x", ""],
        ["2", "", "'=1; ; 2"],
    ]


def test_csv_of_no_rows_is_empty():
    buf = io.StringIO()
    assert worklist_csv([], buf) == 0
    assert buf.getvalue().strip() == ""


# -- worklist XLSX --------------------------------------------------------------------------


def expected_cell(value: Any) -> Any:
    """What an XLSX cell holds for ``value`` (read back by openpyxl)."""
    if value is None or value == []:
        return None
    if isinstance(value, bool | int | float) and len(str(abs(value))) <= 15:
        return value
    return expected_text(value)


def test_xlsx_reads_back_equal_after_neutralising(tmp_path):
    rows = hostile_rows()
    assert worklist_xlsx(rows, tmp_path / "w.xlsx") == len(rows)
    wb = load_workbook(tmp_path / "w.xlsx")
    assert wb.sheetnames == ["Worklist", "Summary"]
    ws = wb["Worklist"]
    header, *body = [list(r) for r in ws.iter_rows(values_only=True)]
    assert header == list(rows[0])
    assert body == [[expected_cell(r[c]) for c in header] for r in rows]
    assert ws["B2"].value.startswith("'=") and ws["B2"].data_type == "s"
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == ws.dimensions
    assert ws["A1"].font.b
    widths = [ws.column_dimensions[c].width for c in "ABCDEFGHIJKL"]
    assert all(10 <= w <= 62 for w in widths)
    assert ws.column_dimensions["B"].width > ws.column_dimensions["A"].width


def test_xlsx_keeps_numbers_as_numbers_and_long_ids_as_text():
    buf = io.BytesIO()
    worklist_xlsx(
        [
            {
                "count": 3,
                "negative": -2,
                "share": 0.5,
                "ready": True,
                "text": "-2",
                "sctid": 999001111000000105,  # 18 digits: Excel would round it
                "day": dt.date(2025, 4, 1),
            }
        ],
        buf,
    )
    ws = load_workbook(io.BytesIO(buf.getvalue()))["Worklist"]
    values = dict(zip(*ws.iter_rows(values_only=True), strict=True))
    assert values["count"] == 3 and ws["A2"].data_type == "n"
    assert values["negative"] == -2 and ws["B2"].data_type == "n"
    assert values["share"] == 0.5
    assert values["ready"] is True
    assert values["text"] == "'-2"
    assert values["sctid"] == "999001111000000105"
    assert values["day"] == dt.datetime(2025, 4, 1)


def summary(wb) -> dict[tuple[str, str], int]:
    rows = list(wb["Summary"].iter_rows(values_only=True))
    assert rows[0] == ("by", "value", "count")
    return {(by, value or ""): n for by, value, n in rows[1:]}


def test_xlsx_summary_counts_readiness_and_modality():
    rows = readiness_rows() + [row("CEXTR", "one-to-one", targets=[1], modality=None)]
    buf = io.BytesIO()
    worklist_xlsx(rows, buf)
    counts = summary(load_workbook(io.BytesIO(buf.getvalue())))
    assert counts[("total", "")] == 11
    readiness = [(k[1], n) for k, n in counts.items() if k[0] == "readiness"]
    assert [k for k, _ in readiness] == list(CLASSES)  # every class, in order
    assert dict(readiness) == {
        "retired": 1,
        "no target": 1,
        "several targets": 1,
        "inactive target, replaced": 1,
        "inactive target, no replacement": 1,
        "collision": 1,
        "laterality family": 3,
        "one-to-one": 2,
    }
    modality = {k[1]: n for k, n in counts.items() if k[0] == "modality"}
    assert modality == {
        "Plain X-ray": 4,
        "CT": 2,
        "(none)": 1,
        "MRI": 1,
        "Ultrasound": 1,
        "Fluoroscopy": 1,
        "Nuclear medicine": 1,
    }
    assert sum(modality.values()) == 11


def test_xlsx_summary_of_another_table_and_without_one():
    buf = io.BytesIO()
    worklist_xlsx([{"code": "A", "modality": "CT"}, {"code": "B", "modality": "CT"}], buf)
    assert summary(load_workbook(io.BytesIO(buf.getvalue()))) == {
        ("total", ""): 2,
        ("modality", "CT"): 2,
    }
    buf = io.BytesIO()
    worklist_xlsx([{"code": "A"}], buf, sheet_title="Orphans", summary_by=())
    assert load_workbook(io.BytesIO(buf.getvalue())).sheetnames == ["Orphans"]


# -- FHIR ConceptMap ------------------------------------------------------------------------


def elements(cm: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["code"]: e for e in cm["group"][0]["element"]}


def test_every_class_has_an_equivalence_and_a_predicate():
    assert set(exports.EQUIVALENCE) | {"retired"} == set(CLASSES)
    assert set(exports.PREDICATE) | {"retired"} == set(CLASSES)
    assert set(exports.EQUIVALENCE.values()) <= R4_EQUIVALENCE


def test_concept_map_validates_and_round_trips_through_json():
    cm = concept_map(readiness_rows(), version="20250401", date="2025-04-01")
    model = ConceptMap.model_validate(cm)
    assert model.status == "draft" and model.group[0].element[0].code == "CHEAD"
    again = ConceptMap.model_validate_json(json.dumps(cm))
    assert json.loads(again.model_dump_json()) == cm


def test_concept_map_header():
    cm = concept_map(readiness_rows(), version="20250401", date="2025-04-01")
    assert cm["resourceType"] == "ConceptMap"
    assert cm["status"] == "draft"
    assert cm["url"] and cm["name"] and cm["title"]
    assert (cm["version"], cm["date"]) == ("20250401", "2025-04-01")
    assert (cm["sourceUri"], cm["targetUri"]) == ("https://nicip.nhs.uk", "http://snomed.info/sct")
    [group] = cm["group"]
    assert (group["source"], group["target"]) == ("https://nicip.nhs.uk", "http://snomed.info/sct")
    bare = concept_map(readiness_rows())
    assert "version" not in bare and "date" not in bare
    ConceptMap.model_validate(bare)


@pytest.mark.parametrize("bad", ["1/4/2025", "2025-13-01", "today"])
def test_concept_map_refuses_a_date_fhir_would_not(bad):
    with pytest.raises(ValueError, match="dateTime"):
        concept_map(readiness_rows(), date=bad)


@pytest.mark.parametrize(
    "code, equivalence",
    [
        ("CHEAD", "equivalent"),
        ("XWRIL", "wider"),
        ("CABPE", "inexact"),
        ("MHEAN", "relatedto"),
        ("UOLDR", "relatedto"),
        ("FOLDN", "unmatched"),
        ("NNOMP", "unmatched"),
    ],
)
def test_concept_map_equivalence_per_class(code, equivalence):
    targets = elements(concept_map(readiness_rows()))[code]["target"]
    assert {t["equivalence"] for t in targets} == {equivalence}


def test_concept_map_targets_and_comments():
    rows = readiness_rows()
    els = elements(concept_map(rows))
    assert els["CHEAD"] == {
        "code": "CHEAD",
        "display": "CHEAD description",
        "target": [{"code": "408754009", "display": "CT of head", "equivalence": "equivalent"}],
    }
    [left] = els["XWRIL"]["target"]
    assert left["code"] == "60027007" and "Left" in left["comment"]
    assert "XWRIB" in left["comment"] and "XWRIR" in left["comment"]
    [collision] = els["CABPE"]["target"]
    assert "CABDO" in collision["comment"]  # R4 cmd-1: inexact needs a comment
    several = els["MHEAN"]["target"]
    assert [t["code"] for t in several] == ["1000002", "1000003"]
    assert "display" in several[0] and "display" not in several[1]
    replaced = els["UOLDR"]["target"]
    assert [t["code"] for t in replaced] == ["1000005", "1000006"]
    assert all("1000004 |Old ultrasound|" in t["comment"] for t in replaced)


def test_concept_map_unmatched_targets_have_no_code_and_say_why():
    els = elements(concept_map(readiness_rows()))
    [none] = els["NNOMP"]["target"]
    assert set(none) == {"equivalence", "comment"} and none["equivalence"] == "unmatched"
    assert "display" not in els["NNOMP"]  # no description
    [inactive] = els["FOLDN"]["target"]
    assert set(inactive) == {"equivalence", "comment"}
    assert "1000007" in inactive["comment"] and "inactive" in inactive["comment"]


def test_concept_map_leaves_retired_codes_out():
    cm = concept_map(readiness_rows())
    assert "XRETD" not in elements(cm)
    assert len(elements(cm)) == len(readiness_rows()) - 1
    only_retired = concept_map([row("XRETD", "retired", targets=[1])])
    assert "group" not in only_retired  # R4: a group needs an element
    ConceptMap.model_validate(only_retired)


@pytest.mark.parametrize(
    "bad, message",
    [
        (row("A", "fine"), "unknown readiness"),
        (row("A", "one-to-one"), "no targets"),
        (row("A", "inactive target, replaced", targets=[1]), "no replacements"),
    ],
)
def test_malformed_rows_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        concept_map([bad])
    with pytest.raises(ValueError, match=message):
        sssom_tsv([bad], io.StringIO(), mapping_set_id=SET_ID)


# -- SSSOM ----------------------------------------------------------------------------------


def read_sssom(text: str) -> tuple[dict[str, Any], list[str], list[dict[str, str]]]:
    lines = text.split("\n")
    meta = [line[1:] for line in lines if line.startswith("#")]
    assert lines[: len(meta)] == ["#" + m for m in meta]  # the block comes first
    table = "\n".join(lines[len(meta) :])
    reader = csv.DictReader(io.StringIO(table), delimiter="\t")
    body = list(reader)
    return yaml.safe_load("\n".join(meta)), list(reader.fieldnames or []), body


def write_sssom(rows: list[dict[str, Any]], **kw: Any) -> tuple[dict, list[str], list[dict]]:
    buf = io.StringIO()
    n = sssom_tsv(rows, buf, mapping_set_id=SET_ID, **kw)
    meta, columns, body = read_sssom(buf.getvalue())
    assert n == len(body)
    return meta, columns, body


def test_sssom_metadata_block(tmp_path):
    sssom_tsv(readiness_rows(), tmp_path / "m.sssom.tsv", mapping_set_id=SET_ID, date="2025-04-01")
    raw = (tmp_path / "m.sssom.tsv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw  # UTF-8, no BOM, LF
    meta, _, _ = read_sssom(raw.decode("utf-8"))
    assert set(meta) <= MAPPING_SET_SLOTS
    assert meta["mapping_set_id"] == SET_ID
    assert meta["license"] == "https://w3id.org/sssom/license/all-rights-reserved"
    assert meta["mapping_tool"] == "nicip-graph"
    assert meta["publication_date"] == dt.date(2025, 4, 1)
    curies = meta["curie_map"]
    assert curies["NICIP"] == "https://nicip.nhs.uk#"
    assert curies["SCTID"] == "http://snomed.info/id/"
    for prefix in ("skos", "semapv", "sssom"):
        assert curies[prefix] == SSSOM_BUILT_IN[prefix]
    meta, _, _ = write_sssom(readiness_rows(), license="https://example.org/licence", version="1.0")
    assert meta["license"] == "https://example.org/licence"
    assert meta["mapping_set_version"] == "1.0"  # a string, not the float 1.0


def test_sssom_columns_and_required_values():
    meta, columns, body = write_sssom(readiness_rows())
    assert set(columns) <= MAPPING_SLOTS
    assert columns[:3] == ["subject_id", "subject_label", "predicate_id"]
    for needed in SSSOM_REQUIRED + ["subject_label", "object_label", "comment"]:
        assert needed in columns
    assert "subject_source" in columns and "object_source" in columns
    declared = set(meta["curie_map"]) | set(SSSOM_BUILT_IN)
    for mapping in body:
        assert all(mapping[c] for c in SSSOM_REQUIRED)
        for column in SSSOM_REQUIRED[:3] + ["subject_source", "object_source"]:
            assert mapping[column].split(":", 1)[0] in declared  # CURIEs, declared prefixes
    source = body[0]
    assert meta["curie_map"]["nicip_system"] == "https://nicip.nhs.uk"
    assert source["subject_source"] == "nicip_system:"
    assert meta["curie_map"]["snomed_system"] == "http://snomed.info/sct"
    assert source["object_source"] == "snomed_system:"


@pytest.mark.parametrize(
    "code, predicate, justification",
    [
        ("CHEAD", "skos:exactMatch", "semapv:ManualMappingCuration"),
        ("XWRIB", "skos:broadMatch", "semapv:ManualMappingCuration"),
        ("CABPE", "skos:relatedMatch", "semapv:ManualMappingCuration"),
        ("MHEAN", "skos:relatedMatch", "semapv:ManualMappingCuration"),
        ("UOLDR", "skos:relatedMatch", "semapv:MappingChaining"),
        ("FOLDN", "skos:exactMatch", "semapv:UnspecifiedMatching"),
        ("NNOMP", "skos:exactMatch", "semapv:UnspecifiedMatching"),
    ],
)
def test_sssom_predicate_per_class(code, predicate, justification):
    _, _, body = write_sssom(readiness_rows())
    mine = [m for m in body if m["subject_id"] == f"NICIP:{code}"]
    assert mine
    assert {(m["predicate_id"], m["mapping_justification"]) for m in mine} == {
        (predicate, justification)
    }


def test_sssom_rows_per_class():
    _, _, body = write_sssom(readiness_rows())
    objects = {}
    for m in body:
        objects.setdefault(m["subject_id"].removeprefix("NICIP:"), []).append(m)
    assert "XRETD" not in objects  # retired: no row
    assert [m["object_id"] for m in objects["CHEAD"]] == ["SCTID:408754009"]
    assert objects["CHEAD"][0]["object_label"] == "CT of head"
    assert [m["object_id"] for m in objects["MHEAN"]] == ["SCTID:1000002", "SCTID:1000003"]
    replaced = objects["UOLDR"]
    assert [m["object_id"] for m in replaced] == ["SCTID:1000005", "SCTID:1000006"]
    assert all("1000004" in m["comment"] for m in replaced)
    assert "CABDO" in objects["CABPE"][0]["comment"]
    assert "Left" in objects["XWRIL"][0]["comment"]
    for code in ("NNOMP", "FOLDN"):
        [unmapped] = objects[code]
        assert unmapped["object_id"] == "sssom:NoTermFound"
        assert unmapped["object_source"]  # the spec: SHOULD say where nothing was found
        assert unmapped["object_label"] == ""
    assert "1000007" in objects["FOLDN"][0]["comment"]
    assert objects["NNOMP"][0]["subject_label"] == ""


def test_sssom_quotes_tabs_newlines_and_quotes():
    odd = row("CODD1", "one-to-one", targets=[1], description='tab\there, "quoted"\nnext')
    _, _, body = write_sssom([odd])
    assert body[0]["subject_label"] == odd["description"]


def test_sssom_leaves_out_columns_empty_in_every_row():
    _, columns, body = write_sssom([row("NNOMP", "no target", description=None)])
    assert "object_label" not in columns and "subject_label" not in columns
    assert columns[:4] == SSSOM_REQUIRED and len(body) == 1
    _, columns, body = write_sssom([row("XRETD", "retired", targets=[1])])
    assert columns == SSSOM_REQUIRED and body == []


@pytest.mark.parametrize(
    "kw", [{"mapping_set_id": "nicip.sssom.tsv"}, {"license": "CC0"}, {"date": "1/4/2025"}]
)
def test_sssom_refuses_relative_ids_and_bad_dates(kw):
    args = {"mapping_set_id": SET_ID} | kw
    with pytest.raises(ValueError):
        sssom_tsv(readiness_rows(), io.StringIO(), **args)


def test_sssom_to_a_path(tmp_path: Path):
    path = tmp_path / "nicip.sssom.tsv"
    assert sssom_tsv(readiness_rows(), path, mapping_set_id=SET_ID) == 11
    assert path.read_text(encoding="utf-8").startswith("#curie_map:\n")
