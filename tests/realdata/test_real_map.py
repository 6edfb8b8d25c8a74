"""The real NICIP to SNOMED CT map and OPCS-4 codes from ../shared/data, through the CLI.

Expected values were counted from the files independently of the loader (pandas, shown in
the comments); the many-to-one split is also recomputed here with a rule that knows nothing
of side-marker positions: a group is a laterality family when all its codes have one length
and differ in exactly one position, where each holds B, L or R.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict

import pytest
from click.testing import CliRunner

from loader.cli import cli

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def nicip(real_data, tmp_path_factory):
    db = tmp_path_factory.mktemp("real") / "graph.db"
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(cli, ["--db", str(db), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    run(
        "load",
        str(real_data / "nicip_snomed_map.csv"),
        str(real_data / "opcs4_codes_ukbiobank_coding240.csv"),
    )
    yield run
    from loader.stores.embedded import EmbeddedStore

    EmbeddedStore(db).close()  # stop the server the CLI left for later commands


def as_json(text):
    return json.loads(text)


def test_status_counts(nicip):
    status = as_json(nicip("status", "--format", "json"))
    # 2,787 rows, 2,787 distinct codes, 2,075 distinct SNOMED ids (pandas nunique);
    # 11,288 OPCS-4 rows with 11,288 distinct codes, 11,263 of them with a parent_code;
    # modalities: the 8 named letters plus Unknown for I and O.
    assert status["nodes"] == {
        "Modality": 9,
        "NicipCode": 2787,
        "OpcsCode": 11288,
        "Release": 2,
        "SnomedConcept": 2075,
    }
    assert status["relationships"] == {
        "CHILD_OF": 11263,
        "IN_RELEASE": 2787,
        "MAPS_TO": 2787,
        "OF_MODALITY": 2787,
    }
    assert sorted((r["family"], r["files"]) for r in status["releases"]) == [
        ("NICIP", ["nicip_snomed_map.csv"]),
        ("OPCS-4", ["opcs4_codes_ukbiobank_coding240.csv"]),
    ]


def test_codes_by_modality(nicip):
    rows = as_json(nicip("query", "codes-by-modality", "--format", "json"))["rows"]
    # First letters (FORMATS.md, and a pandas value_counts): I 19 + O 10 = 29 unknown.
    assert {r["modality"]: r["codes"] for r in rows} == {
        "Ultrasound": 516,
        "MRI": 512,
        "CT": 469,
        "Fluoroscopy": 426,
        "Nuclear medicine": 374,
        "Plain X-ray": 337,
        "Endoscopy": 74,
        "Cone beam CT": 50,
        "Unknown": 29,
    }


def independent_groups(real_data):
    groups = defaultdict(list)
    with open(real_data / "nicip_snomed_map.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            groups[int(row["snomed_concept_id"])].append(row["nicip_code"])

    def family(codes):
        if len({len(c) for c in codes}) != 1:
            return False
        for p in range(len(codes[0])):
            if len({c[:p] + c[p + 1 :] for c in codes}) == 1 and all(c[p] in "BLR" for c in codes):
                return True
        return False

    return {
        sid: ("laterality family" if family(cs) else "collision", sorted(cs))
        for sid, cs in groups.items()
        if len(cs) > 1
    }


def test_many_to_one(nicip, real_data):
    rows = as_json(nicip("query", "many-to-one", "--format", "json"))["rows"]
    got = {r["snomed_id"]: (r["kind"], sorted(r["codes"])) for r in rows}
    assert got == independent_groups(real_data)
    # The same counts as numbers worked out once by hand from that rule:
    kinds = defaultdict(lambda: [0, 0])
    for kind, codes in got.values():
        kinds[kind][0] += 1
        kinds[kind][1] += len(codes)
    assert dict(kinds) == {"laterality family": [335, 987], "collision": [29, 89]}
    assert got[60027007] == ("laterality family", ["XWRIB", "XWRIL", "XWRIR"])
    # Collisions come first.
    assert [r["kind"] for r in rows][:29] == ["collision"] * 29
    summary = as_json(nicip("query", "many-to-one-summary", "--format", "json"))["rows"]
    assert summary == [
        {"kind": "collision", "groups": 29, "codes": 89},
        {"kind": "laterality family", "groups": 335, "codes": 987},
    ]


def test_orphans_and_one_to_many(nicip):
    counts = as_json(nicip("query", "orphan-counts", "--format", "json"))["rows"][0]
    # Every code has a SNOMED id in the map; no OPCS-4 map is loaded, so no code reaches
    # OPCS-4; no refset file is loaded; 140 four-character codes sit in the imaging
    # categories U01-U18, U20, U21, U35-U37 of the OPCS-4 file (pandas filter).
    assert counts == {
        "codes": 2787,
        "nicip_without_snomed": 0,
        "nicip_without_opcs": 2787,
        "refset_unreached": 0,
        "opcs_imaging_unreached": 140,
    }
    assert as_json(nicip("query", "one-to-many", "--format", "json"))["rows"] == []


def test_mapping_path_of_a_real_code(nicip):
    rows = as_json(nicip("query", "mapping-path", "--param", "code=XWRIL", "--format", "json"))[
        "rows"
    ]
    assert len(rows) == 1
    row = rows[0]
    assert (row["modality"], row["laterality"], row["snomed_id"]) == (
        "Plain X-ray",
        "Left",
        60027007,
    )
    assert sorted(row["shared_with"]) == ["XWRIB", "XWRIR"]


def test_loading_twice_gives_identical_counts(nicip, real_data):
    before = nicip("status", "--format", "json")
    nicip(
        "load",
        str(real_data / "nicip_snomed_map.csv"),
        str(real_data / "opcs4_codes_ukbiobank_coding240.csv"),
    )
    assert as_json(nicip("status", "--format", "json")) == as_json(before)


def n_categories(real_data):
    with open(real_data / "opcs4_titles_hes_2012_2024.csv", newline="") as fh:
        return len({row["code"][:3] for row in csv.DictReader(fh)})


def test_hes_titles_load_latest_title(real_data, tmp_path):
    from loader import queries
    from loader.pipeline import load
    from loader.stores.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path / "g.db")
    try:
        load([real_data / "opcs4_titles_hes_2012_2024.csv"], store)
        # 9,857 distinct 4-character codes (PROVENANCE.md); U21.2's latest title.
        n = store.read("MATCH (o:OpcsCode {level: 'code'}) RETURN count(o)").rows[0][0]
        assert n == 9857
        title = store.read("MATCH (o:OpcsCode {code: 'U212'}) RETURN o.title").rows[0][0]
        assert title == "Computed tomography NEC"
        # Categories and chapters the file implies: distinct first 3 and first 1 characters.
        assert queries.counts(store)["CHILD_OF"] == 9857 + n_categories(real_data)
    finally:
        store.close()


def test_migration_plan_counts(nicip):
    counts = as_json(nicip("plan", "--format", "json"))["counts"]
    # Codes alone on their concept: 2,787 - 1,076 in many-to-one groups = 1,711; family and
    # collision codes as counted in test_many_to_one. No RF2 is loaded, so no concept is
    # known to be inactive.
    assert counts == {"one-to-one": 1711, "laterality family": 987, "collision": 89}
