"""The real files in ``../shared/data``: where they are, and what the generator borrows.

The real NICIP map's SNOMED CT ids become imaging procedures in the generated snapshot
(:mod:`benchmarks.synth`), with their public terms where ``snomed_terms_public.csv`` has
them, and the extended map points at real OPCS-4 codes.
"""

from __future__ import annotations

import csv
from pathlib import Path

__all__ = [
    "MAP",
    "OPCS",
    "data_dir",
    "next_release",
    "opcs_codes",
    "real_files",
    "reserved_ids",
    "terms",
]

ROOT = Path(__file__).resolve().parent.parent
MAP = "nicip_snomed_map.csv"
OPCS = "opcs4_codes_ukbiobank_coding240.csv"
TERMS = "snomed_terms_public.csv"


def data_dir() -> Path:
    return ROOT.parent / "shared" / "data"


def real_files(folder: Path | None = None) -> list[Path] | None:
    """The real map and OPCS-4 table, or None when either is missing."""
    folder = folder or data_dir()
    files = [folder / MAP, folder / OPCS]
    return files if all(f.is_file() for f in files) else None


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def reserved_ids(folder: Path) -> list[int]:
    """The distinct SNOMED CT ids of the real map, in file order."""
    ids = (r["snomed_concept_id"].strip() for r in _rows(folder / MAP))
    return list(dict.fromkeys(int(i) for i in ids if i.isdigit()))


def terms(folder: Path) -> dict[int, str]:
    path = folder / TERMS
    if not path.is_file():
        return {}
    return {int(r["concept_id"]): r["term"] for r in _rows(path) if r["concept_id"].isdigit()}


def opcs_codes(folder: Path) -> list[str]:
    """The 4-character OPCS-4 codes of the real table (dotless)."""
    return [r["code"] for r in _rows(folder / OPCS) if len(r["code"]) == 4]


def next_release(nicip_map: Path, out: Path) -> Path:
    """A made-up next release of a code-pairs map, for the release diff at full size.

    Every 50th code is left out (retired), every 30th is remapped to the concept of the code
    seven places on, and 20 codes are added on existing concepts.
    """
    pairs = [(r["nicip_code"].strip(), r["snomed_concept_id"].strip()) for r in _rows(nicip_map)]
    codes = sorted(dict.fromkeys(c for c, _ in pairs))
    first = dict(reversed(pairs))  # code -> its first concept
    rows = []
    for i, code in enumerate(codes):
        if i % 50 == 49:
            continue
        concept = first[codes[(i + 7) % len(codes)]] if i % 30 == 29 else first[code]
        rows.append((code, concept))
    rows += [(f"ZNEW{k:02d}", first[codes[(k * 11) % len(codes)]]) for k in range(20)]
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["nicip_code", "snomed_concept_id"])
        w.writerows(rows)
    return out
