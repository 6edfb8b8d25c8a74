"""The store contract, run on every backend (see tests/conftest.py for which)."""

from __future__ import annotations

import pytest

from loader import queries
from loader.errors import InputError, QueryLimitExceeded, ReadOnlyViolation, StoreError
from loader.pipeline import load
from loader.stores.base import Step, WritePlan

from ..conftest import STORES, open_test_store

MAP = (
    "nicip_code,snomed_concept_id\n"
    "XWRIB,60027007\nXWRIL,60027007\nXWRIR,60027007\nCFOOB,241576007\n"
)
OPCS = (
    "U21\tDiagnostic imaging procedures\r\n"
    "U21.2\tComputed tomography NEC\r\n"
    "U21.1\tMagnetic resonance imaging NEC\r\n"
)


@pytest.fixture(params=[*STORES, "embedded-by-id"])
def store(request, tmp_path):
    """An empty store of each backend, and the embedded one writing every step by id."""
    s = open_test_store(request.param, tmp_path)
    yield s
    s.close()


@pytest.fixture
def release(tmp_path):
    folder = tmp_path / "release"
    folder.mkdir()
    (folder / "map.csv").write_text(MAP)
    (folder / "OPCS CodesAndTitles.txt").write_bytes(OPCS.encode())
    (folder / "nicip_opcs.csv").write_text("NICIP Code,OPCS-4 Code\nCFOOB,U21.2\n")
    return folder


def snapshot(store):
    """Everything a user could see, to compare before and after."""
    return {
        "counts": queries.counts(store),
        "releases": sorted(r[0] for r in queries.run(store, "releases").rows),
        "maps": sorted(
            tuple(r)
            for r in store.read(
                "MATCH (n:NicipCode)-[r]->(m) RETURN n.code, type(r), "
                "coalesce(m.code, toString(m.id), m.name, m.id)"
            ).rows
        ),
    }


def test_load_counts(store, release):
    load([release], store)
    # 4 codes, 2 concepts, OPCS U21 + U21.2 + U21.1 and the implied chapter U, 1 modality for
    # X and 1 for C, a NICIP release (2 files) and an OPCS-4 release; each code is listed
    # once in the NICIP release.
    assert queries.counts(store) == {
        "Modality": 2,
        "NicipCode": 4,
        "OpcsCode": 4,
        "Release": 2,
        "SnomedConcept": 2,
        "CHILD_OF": 3,
        "IN_RELEASE": 4,
        "MAPS_TO": 4,
        "MAPS_TO_OPCS": 1,
        "OF_MODALITY": 4,
    }
    path = queries.run(store, "mapping-path", {"code": "CFOOB"}).records()
    assert path[0]["opcs_direct"] == ["U21.2"] and path[0]["snomed_id"] == 241576007
    groups = queries.run(store, "many-to-one").records()
    assert [(g["snomed_id"], g["kind"], sorted(g["codes"])) for g in groups] == [
        (60027007, "laterality family", ["XWRIB", "XWRIL", "XWRIR"])
    ]


def test_loading_twice_changes_nothing(store, release):
    load([release], store)
    first = snapshot(store)
    load([release], store)
    assert snapshot(store) == first


def test_bad_row_loads_nothing_and_says_where(store, release, tmp_path):
    load([release], store)
    before = snapshot(store)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "map.csv").write_text(MAP + "CHEAD,12345678\n")
    (bad / "more.csv").write_text("nicip_code,snomed_concept_id\nMKNEB,241641004\n")
    with pytest.raises(InputError) as err:
        load([bad], store)
    assert str(err.value).startswith("map.csv, row 6, column 'snomed_concept_id'")
    assert snapshot(store) == before


def test_failed_write_leaves_graph_as_it_was(store, release):
    load([release], store)
    before = snapshot(store)
    plan = WritePlan(
        schema=[],
        steps=[
            Step(
                "codes", "UNWIND $rows AS r MERGE (n:NicipCode {code: r.code})", [{"code": "ZZZZZ"}]
            ),
            Step(
                "link",
                "UNWIND $rows AS r MATCH (a:NicipCode {code: r.a}) "
                "MATCH (b:SnomedConcept {id: r.b}) MERGE (a)-[:MAPS_TO]->(b) RETURN count(*)",
                [{"a": "ZZZZZ", "b": 1}],
                counted=True,
            ),
        ],
    )
    with pytest.raises(StoreError, match="matched 0 of 1 rows"):
        store.apply(plan)
    assert snapshot(store) == before


def test_corrected_file_replaces_the_old_map(store, release, tmp_path):
    load([release], store)
    fixed = tmp_path / "fixed.csv"
    fixed.write_text("nicip_code,snomed_concept_id\nCFOOB,60027007\n")
    load([fixed], store)
    rows = queries.run(store, "mapping-path", {"code": "CFOOB"}).records()
    assert [r["snomed_id"] for r in rows] == [60027007]


def test_reads_cannot_write(store, release):
    load([release], store)
    before = snapshot(store)
    for text in [
        "CREATE (n:X)",
        "MATCH (n:NicipCode) SET n.code = 'Q'",
        "MATCH (n:NicipCode) DETACH DELETE n",
        "MERGE (n:NicipCode {code: 'NEW1'})",
    ]:
        with pytest.raises(ReadOnlyViolation):
            store.read(text)
    assert snapshot(store) == before


def test_time_limit_and_row_limit(store, release):
    load([release], store)
    with pytest.raises(QueryLimitExceeded):
        store.read(
            "UNWIND range(1, 100000000) AS x WITH x WHERE x % 7 = 3 RETURN count(x)", timeout_s=0.2
        )
    result = store.read("UNWIND range(1, 50) AS x RETURN x", row_limit=10)
    assert result.truncated and [r[0] for r in result.rows] == list(range(1, 11))
    result = store.read("UNWIND range(1, 5) AS x RETURN x", row_limit=10)
    assert not result.truncated and len(result.rows) == 5


def test_parameters_are_passed_not_formatted(store, release):
    load([release], store)
    hostile = "XWRIB'}) DETACH DELETE n //"
    assert store.read("MATCH (n:NicipCode {code: $c}) RETURN n.code", {"c": hostile}).rows == []
    assert queries.counts(store)["NicipCode"] == 4
