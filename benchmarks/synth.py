"""A synthetic SNOMED CT UK RF2 snapshot of any size, written with ``write_rf2``.

The shape follows the UK Clinical Edition where the loader cares about it:

- ``concepts`` active concepts under the real root and its 19 top-level hierarchies (real
  ids), in levels 2 to 14 below the root (most at 6 to 9), about 1.67 is-a parents each;
  10% more inactive concepts, most with a REPLACED BY or SAME AS association;
- an FSN, a preferred synonym and on average one acceptable synonym per concept (about
  3 descriptions per concept), every description in the UK clinical language refset;
- procedure-site relationships for procedures, finding sites for findings;
- the imaging refset (999001111000000105) with ``concepts // 90`` members (at most 4,000)
  drawn from imaging procedures, and the OPCS-4 extended map (1382401000000109) for them
  and for some other procedures.

Every id has the right partition and a valid Verhoeff check digit. Given ``reserved``
concept ids (the real NICIP map's), those ids become imaging procedures in the hierarchy,
so the real map's codes land on concepts with parents, children, sites, terms and maps.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import batched
from pathlib import Path

from loader.codes import verhoeff_digit
from loader.formats.rf2 import write_rf2
from loader.model import (
    Association,
    Concept,
    Description,
    ExtendedMap,
    LanguageMember,
    RefsetMember,
    Relationship,
)

__all__ = ["Snapshot", "sctid", "write_nicip_map", "write_snapshot"]

ROOT = 138875005
IS_A, FSN, SYNONYM = 116680003, 900000000000003001, 900000000000013009
CORE, UK_MODULE = 900000000000207008, 999000011000000103
PRIMITIVE = 900000000000074008
INFERRED, EXISTENTIAL = 900000000000011006, 900000000000451002
CASE_INSENSITIVE = 900000000000448009
PREFERRED, ACCEPTABLE = 900000000000548007, 900000000000549004
UK_LANGUAGE = 999001261000000100
IMAGING_REFSET = 999001111000000105
OPCS_MAP = 1382401000000109
REPLACED_BY, SAME_AS = 900000000000526001, 900000000000527005
PROCEDURE_SITE_DIRECT, FINDING_SITE = 405813007, 363698007
VERSION = date(2025, 4, 1)
#: Metadata concepts the files name, with the term each is described by.
METADATA = {
    IS_A: "Is a (attribute)",
    FSN: "Fully specified name (core metadata concept)",
    SYNONYM: "Synonym (core metadata concept)",
    CORE: "SNOMED CT core module (core metadata concept)",
    UK_MODULE: "SNOMED CT United Kingdom clinical extension module (core metadata concept)",
    PRIMITIVE: "Primitive (core metadata concept)",
    INFERRED: "Inferred relationship (core metadata concept)",
    EXISTENTIAL: "Existential restriction modifier (core metadata concept)",
    CASE_INSENSITIVE: "Entire term case insensitive (core metadata concept)",
    PREFERRED: "Preferred (foundation metadata concept)",
    ACCEPTABLE: "Acceptable (foundation metadata concept)",
    UK_LANGUAGE: "National Health Service realm language reference set (clinical part)",
    IMAGING_REFSET: "Diagnostic imaging procedure simple reference set",
    OPCS_MAP: "SNOMED CT to OPCS-4 extended map reference set",
    REPLACED_BY: "REPLACED BY association reference set",
    SAME_AS: "SAME AS association reference set",
    PROCEDURE_SITE_DIRECT: "Procedure site - Direct (attribute)",
    FINDING_SITE: "Finding site (attribute)",
    447561005: "SNOMED CT source code not mappable to target coding scheme",
}
#: The top-level hierarchies (real ids): semantic tag and share of the concepts.
TOP = {
    404684003: ("finding", 0.33),
    71388002: ("procedure", 0.17),
    123037004: ("body structure", 0.11),
    410607006: ("organism", 0.09),
    105590001: ("substance", 0.07),
    373873005: ("product", 0.06),
    362981000: ("qualifier value", 0.03),
    363787002: ("observable entity", 0.03),
    243796009: ("situation", 0.02),
    272379006: ("event", 0.01),
    260787004: ("physical object", 0.02),
    78621006: ("physical force", 0.002),
    123038009: ("specimen", 0.005),
    48176007: ("social concept", 0.01),
    370115009: ("special concept", 0.001),
    308916002: ("environment / location", 0.005),
    254291000: ("staging scale", 0.005),
    419891008: ("record artifact", 0.002),
    900000000000441003: ("metadata", 0.005),
}
#: Share of the concepts at each level below the root (level 1 is the top hierarchies).
LEVELS = (1, 3, 6, 10, 14, 16, 15, 12, 9, 6, 4, 2.5, 1.5)  # levels 2 to 14
_WORDS = (
    "abdomen aorta ankle appendix arm artery bladder bone brain breast bronchus cardiac "
    "carotid cervical chest colon coronary duodenum ear elbow eye femur foot gallbladder "
    "hand head heart hip humerus ileum jaw kidney knee larynx leg liver lumbar lung "
    "mandible neck nerve oesophagus orbit ovary pancreas pelvis prostate radius rectum "
    "renal rib sacrum shoulder sinus skull spine spleen sternum stomach testis thigh thorax "
    "thyroid tibia trachea ulna ureter uterus vein vertebra wrist acute chronic congenital "
    "primary secondary benign malignant partial total left right bilateral anterior "
    "posterior upper lower lateral medial deep superficial structure region entire part "
    "disorder injury fracture infection inflammation neoplasm cyst stenosis obstruction "
    "haemorrhage abscess ulcer lesion syndrome deficiency excision repair biopsy drainage "
    "insertion removal replacement examination assessment therapy injection imaging "
    "radiography ultrasonography tomography resonance fluoroscopy angiography scan contrast "
    "guided with without of and by using"
)
WORDS = _WORDS.split()
IMAGING = ("CT of", "MRI of", "Ultrasonography of", "Radiography of", "Fluoroscopy of")


def sctid(item: int, partition: str) -> int:
    """A SNOMED CT id from an item number: item, partition digits, Verhoeff check digit."""
    s = f"{item}{partition}"
    return int(f"{s}{verhoeff_digit(s)}")


@dataclass
class Snapshot:
    """The files written and what they hold."""

    folder: Path
    files: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    imaging: list[int] = field(default_factory=list)  # the imaging refset's concept ids


@dataclass
class _Tree:
    ids: list[int]
    level: list[int]
    top: list[int]  # index of each concept's top-level hierarchy concept
    parents: list[list[int]]
    terms: list[str]


def _tree(n: int, rng: random.Random, reserved: Sequence[int], real_terms: dict[int, str]) -> _Tree:
    tops = list(TOP)
    ids, level, top, parents = [ROOT, *tops], [0] + [1] * len(tops), [0], [[]]
    top += list(range(1, len(tops) + 1))
    parents += [[0] for _ in tops]
    remaining = max(n - len(ids), 0)
    weights = [share for _, share in TOP.values()]
    by_level: list[list[int]] = [[0], list(range(1, len(ids)))]
    total = sum(LEVELS)
    for depth, share in enumerate(LEVELS, start=2):
        count = round(remaining * share / total) if depth < 14 else remaining - (len(ids) - 20)
        prev, this = by_level[depth - 1], []
        if not prev:
            break
        prev_by_top: dict[int, list[int]] = {}
        for p in prev:
            prev_by_top.setdefault(top[p], []).append(p)
        for _ in range(max(count, 0)):
            if depth == 2:
                t = rng.choices(range(1, len(tops) + 1), weights)[0]
                pool = [t]
            else:
                pool = prev_by_top[top[rng.choice(prev)]]
            first = pool[int(len(pool) * rng.random() ** 2)]  # a few parents with many children
            ps = [first]
            extra = rng.random()
            for _ in range((extra < 0.58) + (extra < 0.12)):
                q = pool[rng.randrange(len(pool))]
                if q not in ps:
                    ps.append(q)
            this.append(len(ids))
            ids.append(0)
            level.append(depth)
            top.append(top[first])
            parents.append(ps)
        by_level.append(this)
    terms = [""] * len(ids)
    terms[0] = "SNOMED CT Concept"
    # Ids: generated ones, except the reserved (real) ids on imaging procedures.
    procedure = tops.index(71388002) + 1
    imaging_slots = [i for i in range(len(ids)) if top[i] == procedure and 4 <= level[i] <= 9]
    rng.shuffle(imaging_slots)
    taken = set(reserved) | set(TOP) | {ROOT} | set(METADATA)
    slot_ids = dict(zip(imaging_slots, reserved, strict=False))
    item = 3_000_000
    for i in range(len(ids)):
        if i <= len(tops):
            ids[i] = ROOT if i == 0 else tops[i - 1]
            if i:
                terms[i] = TOP[tops[i - 1]][0].capitalize()
            continue
        if i in slot_ids:
            ids[i] = slot_ids[i]
        else:
            while (cid := sctid(item, "00")) in taken:
                item += 1
            ids[i] = cid
            item += 1
        terms[i] = real_terms.get(ids[i]) or _term(rng, top[i] == procedure)
    return _Tree(ids, level, top, parents, terms)


def _term(rng: random.Random, procedure: bool) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 5)))
    if procedure and rng.random() < 0.3:
        return f"{rng.choice(IMAGING)} {words}"
    return words.capitalize()


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _write(path: Path, kind: str, records: Iterable, extra: Sequence[str] = ()) -> int:
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(write_rf2([], kind, extra)[0])
        for chunk in batched(records, 50_000):
            fh.writelines(write_rf2(chunk, kind, extra)[1:])
            rows += len(chunk)
    return rows


def write_snapshot(
    folder: Path,
    concepts: int,
    *,
    reserved: Sequence[int] = (),
    real_terms: dict[int, str] | None = None,
    opcs_targets: Sequence[str] = (),
    seed: int = 6,
) -> Snapshot:
    """Write a snapshot of about ``concepts`` active concepts into ``folder``."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    tree = _tree(concepts, rng, reserved, real_terms or {})
    ids, tops = tree.ids, list(TOP)
    procedure, body = tops.index(71388002) + 1, tops.index(123037004) + 1
    finding = tops.index(404684003) + 1
    active_ids, wanted = set(ids), set(reserved)
    meta = [m for m in METADATA if m not in active_ids]
    inactive = [sctid(9_000_000 + k, "00") for k in range(concepts // 10)]
    inactive = [cid for cid in inactive if cid not in wanted]
    reserved_in = [i for i in range(len(ids)) if ids[i] in wanted]
    n_imaging = min(max(concepts // 90, 10), 4000)
    pool = [i for i in range(len(ids)) if tree.top[i] == procedure and tree.level[i] >= 4]
    free = [i for i in pool if ids[i] not in wanted]
    imaging = reserved_in + rng.sample(free, min(max(n_imaging - len(reserved_in), 0), len(free)))
    imaging_set = set(imaging)
    bodies = [i for i in range(len(ids)) if tree.top[i] == body] or [0]
    snap = Snapshot(folder)
    name = "{}_GB1000000_20250401.txt"

    def concept_rows() -> Iterator[Concept]:
        for cid in [*ids, *meta]:
            yield Concept(cid, VERSION, True, CORE, PRIMITIVE)
        for cid in inactive:
            yield Concept(cid, VERSION, False, CORE, PRIMITIVE)

    def described() -> Iterator[tuple[int, str, str]]:
        for i, cid in enumerate(ids):
            tag = "SNOMED RT+CTV3" if i == 0 else TOP[tops[tree.top[i] - 1]][0]
            yield cid, tree.terms[i], tag
        for cid in meta:
            term, _, tag = METADATA[cid].partition(" (")
            yield cid, term, tag.rstrip(")") or "foundation metadata concept"
        for cid in inactive:
            yield cid, _term(rng, False), "disorder"

    languages: list[tuple[int, bool]] = []  # (description id, preferred)

    def description_rows() -> Iterator[Description]:
        item = 1_000_000
        for cid, term, tag in described():
            synonyms = [term]
            extra = rng.random()
            for _ in range((extra < 0.6) + (extra < 0.3) + (extra < 0.1)):
                words = term.split()
                rng.shuffle(words)
                synonyms.append(" ".join(words).capitalize())
            for k, (type_id, text) in enumerate(
                [(FSN, f"{term} ({tag})"), *[(SYNONYM, s) for s in synonyms]]
            ):
                did = sctid(item, "01")
                item += 1
                languages.append((did, k <= 1))
                yield Description(
                    did, VERSION, True, CORE, cid, "en", type_id, text, CASE_INSENSITIVE
                )

    def language_rows() -> Iterator[LanguageMember]:
        for did, preferred in languages:
            acceptability = PREFERRED if preferred else ACCEPTABLE
            yield LanguageMember(
                _uuid(rng), VERSION, True, UK_MODULE, UK_LANGUAGE, did, acceptability
            )

    counts = {"is_a": 0, "attributes": 0}

    def relationship_rows() -> Iterator[Relationship]:
        item = 2_000_000

        def rel(source: int, dest: int, group: int, type_id: int) -> Relationship:
            nonlocal item
            item += 1
            return Relationship(
                sctid(item, "02"), VERSION, True, CORE, source, dest, group, type_id,
                INFERRED, EXISTENTIAL,
            )  # fmt: skip

        for i, ps in enumerate(tree.parents):
            for p in ps:
                counts["is_a"] += 1
                yield rel(ids[i], ids[p], 0, IS_A)
            if tree.top[i] in (procedure, finding) and tree.level[i] >= 3:
                counts["attributes"] += 1
                site = ids[bodies[rng.randrange(len(bodies))]]
                kind = PROCEDURE_SITE_DIRECT if tree.top[i] == procedure else FINDING_SITE
                yield rel(ids[i], site, 1, kind)
        for cid in meta:
            counts["is_a"] += 1
            yield rel(cid, 900000000000441003, 0, IS_A)

    def refset_rows() -> Iterator[RefsetMember]:
        for i in imaging:
            yield RefsetMember(_uuid(rng), VERSION, True, UK_MODULE, IMAGING_REFSET, ids[i])

    def association_rows() -> Iterator[Association]:
        for cid in inactive:
            r = rng.random()
            if r < 0.8:
                refset = REPLACED_BY if r < 0.6 else SAME_AS
                target = ids[rng.randrange(len(tops) + 1, len(ids))] if len(ids) > 20 else ROOT
                yield Association(_uuid(rng), VERSION, True, CORE, refset, cid, target)

    targets = list(opcs_targets) or [f"U{c:02d}{d}" for c in range(1, 22) for d in range(1, 9)]
    imaging_targets = [t for t in targets if t.startswith("U")] or targets

    def map_rows() -> Iterator[ExtendedMap]:
        others = [i for i in rng.sample(pool, len(pool) // 20) if i not in imaging_set]
        for i in [*imaging, *others]:
            choices = imaging_targets if i in imaging_set else targets
            k = 2 if i in imaging_set and rng.random() < 0.5 else 1
            for priority in range(1, k + 1):
                t = rng.choice(choices)
                dotted = t if len(t) <= 3 else f"{t[:3]}.{t[3:]}"
                yield ExtendedMap(
                    _uuid(rng), VERSION, True, UK_MODULE, OPCS_MAP, ids[i], 1, priority,
                    "TRUE", f"ALWAYS {dotted}", dotted, 447561005, "447637006", ("1",),
                )  # fmt: skip

    for label, fname, kind, rows, extra in (
        ("concepts", "sct2_Concept_Snapshot", "concept", concept_rows(), ()),
        ("descriptions", "sct2_Description_Snapshot-en", "description", description_rows(), ()),
        ("language", "der2_cRefset_LanguageUKCLSnapshot-en", "language_refset", None, ()),
        ("relationships", "sct2_Relationship_Snapshot", "relationship", relationship_rows(), ()),
        ("imaging_refset", "der2_Refset_SimpleUKCLSnapshot", "simple_refset", refset_rows(), ()),
        (
            "associations",
            "der2_cRefset_AssociationUKCLSnapshot",
            "association_refset",
            association_rows(),
            (),
        ),
        (
            "opcs_map",
            "der2_iisssciRefset_ExtendedMapUKCLSnapshot",
            "extended_map",
            map_rows(),
            ("mapBlock",),
        ),
    ):
        path = folder / name.format(fname)
        snap.counts[label] = _write(path, kind, language_rows() if rows is None else rows, extra)
        snap.files.append(path)
    snap.counts["active_concepts"] = len(ids) + len(meta)
    snap.counts["inactive_concepts"] = len(inactive)
    snap.counts["reserved_ids_placed"] = len(reserved_in)
    snap.counts["max_depth"] = max(tree.level)
    snap.counts.update(counts)
    snap.imaging = [ids[i] for i in imaging]
    languages.clear()
    return snap


def write_nicip_map(path: Path, concepts: Sequence[int], codes: int, seed: int = 6) -> Path:
    """A NICIP to SNOMED CT pairs file for when the real map is absent.

    ``codes`` codes of real shape (modality letter, site letters, some B/L/R families) on
    the given imaging concepts; a family shares one concept, as on the real map.
    """
    rng = random.Random(seed)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    rows, seen = [], set()
    while len(rows) < codes and concepts:
        stem = rng.choice("CMUXFN") + "".join(rng.choice(letters) for _ in range(3))
        if stem in seen:
            continue
        seen.add(stem)
        concept = rng.choice(concepts)
        family = [stem + side for side in "BLR"] if rng.random() < 0.3 else [stem]
        rows += [(code, concept) for code in family]
    path.write_text(
        "nicip_code,snomed_concept_id\n" + "".join(f"{c},{i}\n" for c, i in rows[:codes])
    )
    return path
