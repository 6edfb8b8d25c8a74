"""The bundled sample release loads and every named query gives what its README says.

Every expected value below was worked out by hand from the files in
``tests/data/sample-release`` (see its README.md), not by running the loader. The comment
beside each one gives the working.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from loader import load, queries
from loader.pipeline import LoadReport
from loader.stores.embedded import EmbeddedStore

SAMPLE = Path(__file__).resolve().parent / "data" / "sample-release"
IMAGING_REFSET = 999001111000000105
OPCS_MAP_REFSET = 1382401000000109
INACTIVE = 10019999999102  # made-up concept in namespace 9999999


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EmbeddedStore, LoadReport]]:
    store = EmbeddedStore(tmp_path_factory.mktemp("sample") / "graph.db")
    try:
        report = load([SAMPLE], store)
        yield store, report
    finally:
        store.close()


@pytest.fixture(scope="module")
def store(loaded: tuple[EmbeddedStore, LoadReport]) -> EmbeddedStore:
    return loaded[0]


def rows(store: EmbeddedStore, name: str, **params: Any) -> list[list[Any]]:
    return queries.run(store, name, params).rows


def records(store: EmbeddedStore, name: str, **params: Any) -> list[dict[str, Any]]:
    return queries.run(store, name, params).records()


def test_files_loaded_and_readme_skipped(loaded: tuple[EmbeddedStore, LoadReport]) -> None:
    _, report = loaded
    # 10 release files: 2 NICIP tables, 1 OPCS-4 text file, 7 RF2 files; README.md skipped.
    assert len(report.files) == 10
    assert [f.path.name for f in report.skipped] == ["README.md"]
    # The only extended map refset has a term containing "OPCS" (its FSN/synonym).
    assert report.opcs_map_refsets == [OPCS_MAP_REFSET]
    rows_by_file = {f.name: f.rows for f in report.files}
    assert rows_by_file == {
        "nicip_codes.csv": 23,  # 23 code rows below the header on row 3
        "nicip_opcs4_map.csv": 9,
        "OPCS4 CodesAndTitles sample.txt": 27,  # 10 categories + 17 codes
        "sct2_Concept_Snapshot_GB1000000_20250401.txt": 17,
        "sct2_Description_Snapshot-en_GB1000000_20250401.txt": 20,
        "sct2_Relationship_Snapshot_GB1000000_20250401.txt": 13,  # 11 is-a + 2 sites
        "der2_cRefset_LanguageSnapshot-en_GB1000000_20250401.txt": 14,  # one per synonym
        "der2_Refset_SimpleSnapshot_GB1000000_20250401.txt": 12,  # 11 active + 1 inactive
        "der2_cRefset_AssociationSnapshot_GB1000000_20250401.txt": 1,
        "der2_iisssciRefset_ExtendedMapSnapshot_GB1000000_20250401.txt": 7,
    }


def test_node_counts(store: EmbeddedStore) -> None:
    assert dict(rows(store, "status-nodes")) == {
        # One node per row of nicip_codes.csv (the map file adds no new codes).
        "NicipCode": 23,
        # 17 concept rows. Everything a map, relationship or refset names is among them,
        # so the loader adds no extra concepts.
        "SnomedConcept": 17,
        # 27 lines in the OPCS-4 file + chapters U, Y, Z implied by its categories = 30.
        "OpcsCode": 30,
        # First letters C, M, N, O, U, X -> CT, MRI, Nuclear medicine, Unknown, Ultrasound,
        # Plain X-ray = 6.
        "Modality": 6,
        # Only the imaging refset 999001111000000105 is loaded as members.
        "Refset": 1,
        # Procedure-site targets 74670003 and 53620006.
        "BodySite": 2,
        # One per family of files: NICIP (the two CSV files), OPCS-4, SNOMED CT (7 RF2 files).
        "Release": 3,
    }


def test_relationship_counts(store: EmbeddedStore) -> None:
    counts = dict(rows(store, "status-relationships"))
    # 23 codes, and all but XDEMO have a SNOMED CT id: 22.
    assert counts["MAPS_TO"] == 22
    # Direct NICIP->OPCS: XWRIB 2 + XWRIL 2 + XWRIR 2 + XCHES 1 + UABDO 1 + CABAO 1 + MAULR 2
    # + CKIDB 2 + MTMJB 1 = 14. Then 7 SNOMED->OPCS rows: 21.
    assert counts["MAPS_TO_OPCS"] == 21
    # Each of the 27 file rows has a parent (code -> category -> chapter letter).
    assert counts["CHILD_OF"] == 27
    assert counts["IS_A"] == 11  # 10 used procedures + 444900008
    assert counts["HAS_SITE"] == 2
    assert counts["MEMBER_OF"] == 12  # 11 active + 1 inactive member
    assert counts["REPLACED_BY"] == 1
    assert counts["OF_MODALITY"] == 23


def test_codes_by_modality(store: EmbeddedStore) -> None:
    got = {r[0]: r[1] for r in rows(store, "codes-by-modality")}
    # X: XWRIB/L/R, XCHES, XDEMO, XDEMI = 6. C: CFOOB/L/R, CKIDB, CABAO = 5.
    # M: MAUL x3, MTMJ x3, MJTM x3 = 9. U: UABDO. N: NCMPS. O: OTORS.
    assert got == {
        "MRI": 9,
        "Plain X-ray": 6,
        "CT": 5,
        "Nuclear medicine": 1,
        "Ultrasound": 1,
        "Unknown": 1,
    }


def test_otors_modality_is_unknown(store: EmbeddedStore) -> None:
    # No source names the letter O.
    [row] = records(store, "mapping-path", code="OTORS")
    assert row["modality"] == "Unknown"
    # Its R has no B/L siblings and it has no description, so no side is read from it.
    assert row["laterality"] is None


def test_many_to_one(store: EmbeddedStore) -> None:
    got = [
        (r["snomed_id"], r["kind"], r["code_count"], sorted(r["codes"]), sorted(r["stems"]))
        for r in records(store, "many-to-one")
    ]
    # Collisions first. 57902003 carries two B/L/R families (MTMJ_, MJTM_): a collision.
    # Then the three single-stem families, 3 codes each, in snomed_id order.
    assert got == [
        (
            57902003,
            "collision",
            6,
            ["MJTMB", "MJTML", "MJTMR", "MTMJB", "MTMJL", "MTMJR"],
            ["MJTM_", "MTMJ_"],
        ),
        (60027007, "laterality family", 3, ["XWRIB", "XWRIL", "XWRIR"], ["XWRI_"]),
        (241576007, "laterality family", 3, ["CFOOB", "CFOOL", "CFOOR"], ["CFOO_"]),
        (418062002, "laterality family", 3, ["MAULB", "MAULL", "MAULR"], ["MAUL_"]),
    ]


def test_many_to_one_summary(store: EmbeddedStore) -> None:
    # 1 collision of 6 codes; 3 families of 3 codes = 9.
    assert rows(store, "many-to-one-summary") == [
        ["collision", 1, 6],
        ["laterality family", 3, 9],
    ]


def test_one_to_many_is_empty(store: EmbeddedStore) -> None:
    # The code table gives each code one SNOMED CT id, and no other file maps codes to SNOMED.
    assert rows(store, "one-to-many") == []


def test_orphans_without_snomed(store: EmbeddedStore) -> None:
    # Only XDEMO has an empty SNOMED CT cell.
    assert rows(store, "orphans-nicip-without-snomed") == [
        ["XDEMO", "XR Illustrative orphan", "Plain X-ray"],
    ]


def test_orphans_without_opcs(store: EmbeddedStore) -> None:
    # The direct map covers XWRIB/L/R, XCHES, UABDO, CABAO, MAULR, CKIDB and MTMJB.
    # The SNOMED map covers 60027007, 241553009, 45036003, 399208008, 241576007 (CFOO*),
    # 252432008 (NCMPS) and 57902003 (MTMJ*, MJTM*).
    # Neither path covers MAULB and MAULL (418062002 has no map row), OTORS (169283005),
    # XDEMI (the inactive concept) or XDEMO (no concept).
    assert rows(store, "orphans-nicip-without-opcs") == [
        ["MAULB", "MRA Upper limb Both", "MRI"],
        ["MAULL", "MRA Upper limb Lt", "MRI"],
        ["OTORS", "", "Unknown"],
        ["XDEMI", "XR Illustrative retired code", "Plain X-ray"],
        ["XDEMO", "XR Illustrative orphan", "Plain X-ray"],
    ]


def test_orphans_refset_unreached(store: EmbeddedStore) -> None:
    # 11 active members. 10 of them are mapped by NICIP codes; 444900008 (UABDOC's concept,
    # code left out) is not. The inactive member 10019999999102 is not counted.
    assert rows(store, "orphans-refset-unreached") == [
        [444900008, "Ultrasonography of abdomen with contrast", True],
    ]


def test_orphans_opcs_unreached(store: EmbeddedStore) -> None:
    # 4-character codes in imaging categories: U05.1 U07.3 U08.1 U08.2 U10.6 U11.7 U13.4
    # U21.1 U21.2 U21.6 U21.7 U37.2. The maps reach all but U05.1, U21.6 and U21.7.
    # Y98.1 and Z94.4 are also unreached, but they are not imaging codes.
    assert rows(store, "orphans-opcs-unreached") == [
        ["U05.1", "U051", "Computed tomography of head"],
        ["U21.6", "U216", "Ultrasound scan NEC"],
        ["U21.7", "U217", "Plain x-ray NEC"],
    ]


def test_orphan_counts(store: EmbeddedStore) -> None:
    # The counts of the four orphan lists above, and 23 codes in all.
    assert records(store, "orphan-counts") == [
        {
            "codes": 23,
            "nicip_without_snomed": 1,
            "nicip_without_opcs": 5,
            "refset_unreached": 1,
            "opcs_imaging_unreached": 3,
        }
    ]


def test_mapping_path_xwrib(store: EmbeddedStore) -> None:
    [row] = records(store, "mapping-path", code="XWRIB")
    assert row["description"] == "XR Wrist Both"
    assert row["modality"] == "Plain X-ray"  # first letter X
    assert row["laterality"] == "Both"  # siblings XWRIL/XWRIR differ only in the 5th letter
    assert row["snomed_id"] == 60027007
    # Both synonyms are active. "X-ray of wrist" comes first in the file but is only
    # acceptable, so the preferred "Radiography of wrist" is the term.
    assert row["snomed_term"] == "Radiography of wrist"
    assert row["snomed_active"] is True
    assert row["replaced_by"] == []
    assert sorted(row["opcs_direct"]) == ["U13.4", "Z94.1"]  # nicip_opcs4_map.csv
    assert row["opcs_via_snomed"] == ["U13.4"]  # extended map 60027007 -> U134
    assert sorted(row["shared_with"]) == ["XWRIL", "XWRIR"]
    assert row["body_sites"] == ["Wrist joint"]  # 405813007 -> 74670003


def test_mapping_path_cabao_direct_and_via_differ(store: EmbeddedStore) -> None:
    [row] = records(store, "mapping-path", code="CABAO")
    assert row["opcs_direct"] == ["U21.2"]
    assert row["opcs_via_snomed"] == ["U08.1"]


def test_retired_code_and_replacement(store: EmbeddedStore) -> None:
    [row] = records(store, "mapping-path", code="XDEMI")
    assert row["snomed_id"] == INACTIVE
    assert row["snomed_active"] is False  # concept row has active = 0
    assert row["replaced_by"] == [60027007]  # association refset 900000000000526001
    result = store.read(
        "MATCH (n:NicipCode {code: 'XDEMI'}) RETURN n.active AS active, "
        "n.inactive_date AS inactive_date"
    )
    assert result.records() == [{"active": False, "inactive_date": "2024-10-01"}]
    result = store.read(
        "MATCH (a:SnomedConcept)-[e:REPLACED_BY]->(b:SnomedConcept) "
        "RETURN a.id AS a, b.id AS b, e.association AS association"
    )
    assert result.records() == [{"a": INACTIVE, "b": 60027007, "association": "REPLACED BY"}]


def test_lone_both_code_gets_side_from_description(store: EmbeddedStore) -> None:
    # CKIDB has no L/R sibling. Its description "CT Renal Both" ends in Both.
    [row] = records(store, "mapping-path", code="CKIDB")
    assert row["laterality"] == "Both"
    assert sorted(row["opcs_direct"]) == ["U37.2", "Z94.1"]
    assert row["opcs_via_snomed"] == []  # 55501000 has no extended map row


def test_header_found_below_title_rows(store: EmbeddedStore) -> None:
    # Rows 1-2 of nicip_codes.csv are a title and a near-blank row. The header is row 3,
    # so XWRIB (the first code) is row 4. The NICIP release is both CSV files.
    result = store.read(
        "MATCH (:NicipCode {code: 'XWRIB'})-[e:IN_RELEASE]->(r:Release) "
        "RETURN e.file AS file, e.row AS row, r.files AS files"
    )
    assert result.rows == [["nicip_codes.csv", 4, ["nicip_codes.csv", "nicip_opcs4_map.csv"]]]
