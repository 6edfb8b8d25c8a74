"""Two small NICIP releases, six months apart, written here; loaded into one store.

Release 2025-04-01 (A) and release 2025-10-01 (B) differ by:
- UNEWB added in B;
- CABDO left out of B (removed: retired on B's date);
- XOLDB active in A, inactive in B from 2025-09-15 (retired), its successor XWRIB;
- CFOOB re-described ("CT Foot Both" -> "CT Feet Both");
- MKNEB remapped from 241641004 to 432719005, its OPCS-4 codes from U21.1 to U21.1 and
  Y98.1, and through SNOMED CT from U13.1 to U21.1.
B comes with a SNOMED CT snapshot (dated 2025-10-01) in which 399208008 (XCHES's concept)
became inactive on 2025-07-01 and is replaced by 45036003, and 55501000 (CKIDB's) became
inactive with no replacement. A pairs file in B maps MMULT to two concepts.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest

from loader.codes import verhoeff_digit
from loader.formats.rf2 import write_rf2
from loader.model import Association, Concept, Description, ExtendedMap, RefsetMember
from loader.pipeline import load
from loader.stores.embedded import EmbeddedStore

A_CODES = """NICIP Code,Description,Status,SNOMED CT Concept ID,OPCS-4 Code,Inactive Date
XWRIB,XR Wrist Both,Active,60027007,,
XWRIL,XR Wrist Lt,Active,60027007,,
XWRIR,XR Wrist Rt,Active,60027007,,
CFOOB,CT Foot Both,Active,241576007,U21.2,
MKNEB,MRI Knee Both,Active,241641004,U21.1,
XOLDB,XR Old Both,Active,168537006,,
CABDO,CT Abdomen,Active,169070004,U21.2,
"""
B_CODES = """\
NICIP Code,Description,Status,SNOMED CT Concept ID,OPCS-4 Code,Inactive Date,Replaced By
XWRIB,XR Wrist Both,Active,60027007,,,
XWRIL,XR Wrist Lt,Active,60027007,,,
XWRIR,XR Wrist Rt,Active,60027007,,,
CFOOB,CT Feet Both,Active,241576007,U21.2,,
MKNEB,MRI Knee Both,Active,432719005,U21.1;Y98.1,,
XOLDB,XR Old Both,Inactive,168537006,,15/09/2025,XWRIB
UNEWB,US New Both,Active,45036003,,,
XCHES,XR Chest,Active,399208008,,,
CKIDB,CT Renal Both,Active,55501000,,,
MTMJB,MRI TMJ Both,Active,57902003,,,
MJTMB,MRI Temporomandibular joint Both,Active,57902003,,,
XDEMO,XR Demonstration,Active,,,,
"""
# A pairs file in release B: MMULT maps to two concepts.
B_PAIRS = "nicip_code,snomed_concept_id\nMMULT,77477000\nMMULT,113091000\n"

MODULE = 900000000000207008
UK_MODULE = 999000031000000106
REFSET = 999001111000000105
OPCS_REFSET = 1382401000000109
FSN = 900000000000003001
DAY = date(2025, 10, 1)


def _desc_id(n: int) -> int:
    body = f"{100000 + n}01"  # an item number, then partition 01 (a description)
    return int(body + str(verhoeff_digit(body)))


def write_snomed(folder: Path) -> None:
    active = [
        60027007,
        241576007,
        432719005,
        241641004,
        45036003,
        57902003,
        168537006,
        169070004,
        77477000,
        113091000,
        OPCS_REFSET,
        REFSET,
    ]
    concepts = [Concept(i, DAY, True, MODULE, 900000000000074008) for i in active]
    concepts += [
        Concept(399208008, date(2025, 7, 1), False, MODULE, 900000000000074008),
        Concept(55501000, date(2025, 7, 1), False, MODULE, 900000000000074008),
    ]
    descs = [
        Description(
            _desc_id(1),
            DAY,
            True,
            UK_MODULE,
            OPCS_REFSET,
            "en",
            FSN,
            "OPCS-4 complex map reference set (foundation metadata concept)",
            900000000000448009,
        )
    ]
    members = [
        RefsetMember(str(uuid.uuid5(uuid.NAMESPACE_OID, str(i))), DAY, True, UK_MODULE, REFSET, i)
        for i in (60027007, 241576007, 432719005, 45036003, 57902003)
    ]
    members.append(
        RefsetMember(
            str(uuid.uuid5(uuid.NAMESPACE_OID, "399208008")),
            date(2025, 7, 1),
            False,
            UK_MODULE,
            REFSET,
            399208008,
        )
    )
    assoc = [
        Association(
            str(uuid.uuid5(uuid.NAMESPACE_OID, "r")),
            date(2025, 7, 1),
            True,
            MODULE,
            900000000000526001,
            399208008,
            45036003,
        )
    ]
    maps = [
        ExtendedMap(
            str(uuid.uuid5(uuid.NAMESPACE_OID, f"m{c}")),
            DAY,
            True,
            UK_MODULE,
            OPCS_REFSET,
            c,
            1,
            1,
            "TRUE",
            f"ALWAYS {t}",
            t.replace(".", ""),
            447561005,
            "",
        )
        for c, t in [(241641004, "U13.1"), (432719005, "U21.1"), (241576007, "U21.2")]
    ]
    files = {
        "sct2_Concept_Snapshot_GB1000000_20251001.txt": ("concept", concepts),
        "sct2_Description_Snapshot-en_GB1000000_20251001.txt": ("description", descs),
        "der2_Refset_SimpleSnapshot_GB1000000_20251001.txt": ("simple_refset", members),
        "der2_cRefset_AssociationSnapshot_GB1000000_20251001.txt": ("association_refset", assoc),
        "der2_iisssciRefset_ExtendedMapSnapshot_GB1000000_20251001.txt": ("extended_map", maps),
    }
    for name, (kind, records) in files.items():
        (folder / name).write_text("".join(write_rf2(records, kind)), newline="")


def write_releases(root: Path) -> tuple[Path, Path]:
    """Write releases A and B into folders ``a`` and ``b`` under ``root``."""
    a, b = root / "a", root / "b"
    a.mkdir()
    b.mkdir()
    (a / "nicip_codes.csv").write_text(A_CODES)
    (b / "nicip_codes.csv").write_text(B_CODES)
    (b / "pairs.csv").write_text(B_PAIRS)
    write_snomed(b)
    return a, b


def load_both(a: Path, b: Path, store: EmbeddedStore) -> None:
    load([a], store, release="2025-04-01")
    load([b], store, release="2025-10-01")


@pytest.fixture(scope="package")
def releases(tmp_path_factory):
    return write_releases(tmp_path_factory.mktemp("releases"))


@pytest.fixture(scope="package")
def store(releases):
    a, b = releases
    s = EmbeddedStore(releases[0].parent / "graph.db")
    load_both(a, b, s)
    yield s
    s.close()
