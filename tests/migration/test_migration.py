"""Readiness, validity windows and the release diff on the two releases of conftest.py.

Every expected value was worked out by hand from the release texts in conftest.py.
"""

from __future__ import annotations

from datetime import date

from loader import migration
from loader.diff import diff


def test_readiness_classes(store):
    rows = {r["code"]: r for r in migration.readiness(store)}
    got = {code: r["readiness"] for code, r in rows.items()}
    assert got == {
        "CFOOB": "one-to-one",
        "MKNEB": "one-to-one",
        "UNEWB": "one-to-one",
        "XWRIB": "laterality family",
        "XWRIL": "laterality family",
        "XWRIR": "laterality family",
        "MTMJB": "collision",
        "MJTMB": "collision",
        "MMULT": "several targets",
        "XCHES": "inactive target, replaced",
        "CKIDB": "inactive target, no replacement",
        "XDEMO": "no target",
        "XOLDB": "retired",  # inactive in B
        "CABDO": "retired",  # left out of B
    }
    assert rows["XCHES"]["reason"] == "399208008 is inactive; replaced by 45036003"
    assert rows["XOLDB"]["reason"] == "retired; the release names its successor XWRIB"
    assert rows["CABDO"]["reason"].endswith("no successor is named")
    assert rows["XWRIL"]["reason"] == (
        "60027007 is shared only with XWRIB, XWRIR; record the side separately"
    )
    assert rows["MTMJB"]["colliding"] == ["MJTMB"]
    assert rows["CFOOB"]["ready"] and rows["XWRIB"]["ready"] and not rows["MTMJB"]["ready"]


def test_progress_by_modality(store):
    prog = migration.progress(migration.readiness(store))
    # X codes: XWRIB/L/R family, XCHES replaced, XDEMO no target, XOLDB retired.
    assert {k: v for k, v in prog["Plain X-ray"].items() if v} == {
        "laterality family": 3,
        "inactive target, replaced": 1,
        "no target": 1,
        "retired": 1,
    }
    # M codes: MKNEB one-to-one, MTMJB and MJTMB collision, MMULT several targets.
    assert {k: v for k, v in prog["MRI"].items() if v} == {
        "one-to-one": 1,
        "collision": 2,
        "several targets": 1,
    }


def test_nicip_validity_window_edges(store):
    # XOLDB: inactive from 2025-09-15; + 183 days = 2026-03-17 (counted by month by hand).
    assert migration.valid_nicip(store, "XOLDB", date(2026, 3, 17)).valid is True
    assert migration.valid_nicip(store, "XOLDB", date(2026, 3, 18)).valid is False
    # CABDO: left out of release 2025-10-01, so retired that day; + 183 days = 2026-04-02.
    assert migration.valid_nicip(store, "CABDO", date(2026, 4, 2)).valid is True
    assert migration.valid_nicip(store, "CABDO", date(2026, 4, 3)).valid is False
    assert migration.valid_nicip(store, "XWRIB", date(2030, 1, 1)).valid is True
    unknown = migration.valid_nicip(store, "ZZZZZ", date(2026, 1, 1))
    assert unknown.valid is False and "no loaded NICIP release" in unknown.reason


def test_snomed_validity_window_edges(store):
    # 399208008 left the imaging refset on 2025-07-01; + 183 days = 2025-12-31.
    assert migration.valid_snomed(store, 399208008, date(2025, 12, 31)).valid is True
    assert migration.valid_snomed(store, 399208008, date(2026, 1, 1)).valid is False
    assert migration.valid_snomed(store, 60027007, date(2030, 1, 1)).valid is True
    not_member = migration.valid_snomed(store, 168537006, date(2026, 1, 1))
    assert not_member.valid is False and "not a member" in not_member.reason


def test_release_diff(store):
    d = diff(store, "2025-04-01", "nicip:2025-10-01")
    changes = {(c["code"], c["change"]): (c["old"], c["new"]) for c in d.changes}
    assert sorted(k for k in changes if k[1] == "added") == [
        (c, "added") for c in ["CKIDB", "MJTMB", "MMULT", "MTMJB", "UNEWB", "XCHES", "XDEMO"]
    ]
    assert ("CABDO", "removed") in changes
    assert changes[("XOLDB", "retired")] == ("active", "inactive from 2025-09-15")
    assert changes[("CFOOB", "re-described")] == ("CT Foot Both", "CT Feet Both")
    assert changes[("MKNEB", "SNOMED CT map changed")] == ("241641004", "432719005")
    assert changes[("MKNEB", "OPCS-4 map changed")] == ("U21.1", "U21.1; Y98.1")
    assert changes[("MKNEB", "OPCS-4 via SNOMED CT changed")] == ("U13.1", "U21.1")
    assert len(d.changes) == 7 + 1 + 1 + 1 + 3  # nothing else changed
    assert d.by_modality()["MRI"] == {
        "added": 3,
        "SNOMED CT map changed": 1,
        "OPCS-4 map changed": 1,
        "OPCS-4 via SNOMED CT changed": 1,
    }
    changed = {c["snomed_id"]: c for c in d.concepts}
    assert changed[399208008]["active"] is False
    assert changed[399208008]["replaced_by"] == [45036003]
    assert changed[399208008]["nicip_codes"] == ["XCHES"]


def test_older_release_loaded_last_keeps_current_facts(releases, tmp_path):
    from loader import queries
    from loader.pipeline import load
    from loader.stores.embedded import EmbeddedStore

    a, b = releases
    s = EmbeddedStore(tmp_path / "g.db")
    try:
        load([b], s, release="2025-10-01")
        load([a], s, release="2025-04-01")
        rows = queries.run(s, "mapping-path", {"code": "MKNEB"}).records()
        assert [r["snomed_id"] for r in rows] == [432719005]  # B's map, not A's
        hist = queries.run(s, "nicip-history", {"code": "MKNEB"}).records()
        assert [(h["release"], h["snomed"]) for h in hist] == [
            ("nicip:2025-04-01", [241641004]),
            ("nicip:2025-10-01", [432719005]),
        ]
    finally:
        s.close()
