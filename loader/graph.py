"""From parsed release files to the statements that write the graph.

:class:`Parsed` gathers what one load read from all its files; :func:`plan` turns it into a
:class:`~loader.stores.base.WritePlan`: nodes first, then relationships, every statement
``UNWIND $rows`` with ``MERGE`` on the node keys, so a driver retry or a second load of the
same files changes nothing. Where a file states a fact about a NICIP code (its SNOMED CT map,
its OPCS-4 codes, its modality), the edges of that kind from that code are replaced, so a
corrected file does not leave the old map behind. The model is drawn in ``cypher/MODEL.md``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from loader import derive
from loader.codes import opcs_dotted
from loader.errors import InputError
from loader.model import NicipRecord, OpcsRecord
from loader.stores.base import LinkShape, NodeShape, Step, UnlinkShape, WritePlan
from loader.stores.dialect import split_statements

__all__ = ["FAMILIES", "FileInfo", "NicipFacts", "Parsed", "ReleaseInfo", "plan"]

FSN = 900000000000003001
SYNONYM = 900000000000013009
IMAGING_REFSET = 999001111000000105
#: Relationship types that name a procedure's body site.
SITE_TYPES = {
    363704007: "procedure site",
    405813007: "procedure site - direct",
    405814001: "procedure site - indirect",
}


FAMILIES = {"nicip": "NICIP", "opcs4": "OPCS-4", "snomed": "SNOMED CT"}
_DATE_IN_NAME = re.compile(r"(20\d\d)[-_]?([01]\d)[-_]?([0-3]\d)")


@dataclass
class FileInfo:
    """One input file as the load understood it."""

    path: str
    kind: str
    sha256: str
    family: str = ""
    rows: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass
class ReleaseInfo:
    """The files of one family (NICIP, OPCS-4 or SNOMED CT) that one load read.

    The release is named by ``label`` (``nicip load --release``), else by a date in its
    file names (``..._20250401.txt``), else by its files' checksums, so loading the same
    files again finds the same release. ``date`` orders releases; it is the label's date
    unless ``--release-date`` says otherwise.
    """

    family: str
    files: list[FileInfo]
    label: str
    date: str | None

    @property
    def id(self) -> str:
        return f"{self.family}:{self.label}"

    @classmethod
    def of(
        cls, family: str, files: list[FileInfo], label: str | None, day: str | None
    ) -> ReleaseInfo:
        if not label:
            dates = sorted(
                {"-".join(m.groups()) for f in files for m in [_DATE_IN_NAME.search(f.name)] if m}
            )
            if len(dates) == 1:
                label = dates[0]
            else:
                digest = hashlib.sha256("".join(sorted(f.sha256 for f in files)).encode())
                label = digest.hexdigest()[:12]
        if day is None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", label):
            day = label
        return cls(family, files, label, day)


@dataclass
class NicipFacts:
    """Everything the files of one load say about one NICIP code."""

    code: str
    files: dict[str, NicipRecord] = field(default_factory=dict)  # file path -> record
    snomed: list[int] | None = None
    opcs: list[str] | None = None
    #: field -> file name -> (its first row for the code, the column, the values it gives)
    given: dict[str, dict[str, tuple[int, str, list[Any]]]] = field(default_factory=dict)

    def note_given(
        self, fld: str, file: str, row: int, column: str | None, values: list[Any]
    ) -> None:
        by_file = self.given.setdefault(fld, {})
        if file in by_file:
            kept = by_file[file][2]
            kept.extend(v for v in values if v not in kept)
        else:
            by_file[file] = (row, column or fld, list(values))

    def first(self, attr: str) -> Any:
        for rec in self.files.values():
            value = getattr(rec, attr)
            if value is not None:
                return value
        return None


@dataclass
class Parsed:
    """What one load read, ready to be written."""

    files: list[FileInfo] = field(default_factory=list)
    releases: dict[str, ReleaseInfo] = field(default_factory=dict)  # family -> release
    nicip: dict[str, NicipFacts] = field(default_factory=dict)
    opcs: dict[str, OpcsRecord] = field(default_factory=dict)
    concepts: dict[int, dict[str, Any]] = field(default_factory=dict)
    terms: dict[int, dict[str, str]] = field(default_factory=dict)  # id -> {fsn, term}
    is_a: list[tuple[int, int]] = field(default_factory=list)
    sites: list[tuple[int, int, str]] = field(default_factory=list)
    refset_members: list[dict[str, Any]] = field(default_factory=list)
    replacements: list[dict[str, Any]] = field(default_factory=list)
    snomed_opcs: list[dict[str, Any]] = field(default_factory=list)
    #: NICIP codes whose current facts this load may replace (it is their newest release).
    current: set[str] | None = None

    def add_nicip(
        self,
        info: FileInfo,
        rec: NicipRecord,
        fields: set[str],
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Add one row; ``fields`` are the fields its file has columns for, ``headers``
        their column headers (for messages)."""
        facts = self.nicip.setdefault(rec.code, NicipFacts(rec.code))
        # A pairs file repeats a code once per map; the first row is the code's record.
        facts.files.setdefault(info.path, rec)
        headers = headers or {}
        if "snomed_id" in fields:
            facts.snomed = facts.snomed or []
            if rec.snomed_id is not None and rec.snomed_id not in facts.snomed:
                facts.snomed.append(rec.snomed_id)
            new = [rec.snomed_id] if rec.snomed_id is not None else []
            facts.note_given("snomed_id", info.name, rec.row, headers.get("snomed_id"), new)
        if "opcs" in fields:
            facts.opcs = facts.opcs or []
            facts.opcs.extend(c for c in rec.opcs_codes or () if c not in facts.opcs)
            new_opcs = list(rec.opcs_codes or ())
            facts.note_given("opcs", info.name, rec.row, headers.get("opcs"), new_opcs)

    def check_files_agree(self) -> None:
        """Refuse a code that two files map differently: which one is right is not ours
        to guess. (Rows of one file that add maps to a code make a one-to-many map.)"""
        what = {"snomed_id": "SNOMED CT", "opcs": "OPCS-4"}
        for code, facts in self.nicip.items():
            for fld, by_file in facts.given.items():
                if len(by_file) < 2:
                    continue
                (name1, (row1, _, vals1)), *others = by_file.items()
                for name2, (row2, column2, vals2) in others:
                    # An empty cell says nothing: another file may hold the map.
                    if vals1 and vals2 and sorted(map(str, vals1)) != sorted(map(str, vals2)):
                        shown1 = ", ".join(map(str, vals1))
                        shown2 = ", ".join(map(str, vals2))
                        raise InputError(
                            name2,
                            row2,
                            column2,
                            shown2,
                            f"the {what[fld]} map {name1} gives {code} (row {row1}: {shown1})",
                            "Two files of one load disagree on this code's map; load the "
                            "one that is right, or make them agree",
                        )

    def name_releases(self, label: str | None = None, day: str | None = None) -> None:
        """Group the files by family into this load's releases."""
        for family in FAMILIES:
            files = [f for f in self.files if f.family == family]
            if files:
                self.releases[family] = ReleaseInfo.of(family, files, label, day)

    def release_id(self, family: str) -> str | None:
        rel = self.releases.get(family)
        return rel.id if rel else None


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def plan(parsed: Parsed, schema_text: str, existing: dict[str, str | None]) -> WritePlan:
    """The write plan for a load.

    ``existing`` holds the NICIP codes already in the store with their descriptions: side
    markers are read from the whole code set, not just this load's files.
    """
    steps: list[Step] = []
    loaded_at = _now()

    rows = []
    for rel in parsed.releases.values():
        props = {
            "family": FAMILIES[rel.family],
            "label": rel.label,
            "date": rel.date,
            "files": [f.name for f in rel.files],
            "kinds": [f.kind for f in rel.files],
            "sha256": [f.sha256 for f in rel.files],
            "rows": sum(f.rows for f in rel.files),
        }
        rows.append({"id": rel.id, "props": props, "loaded_at": loaded_at})
    steps.append(
        Step(
            "releases",
            "UNWIND $rows AS r MERGE (n:Release {id: r.id}) "
            "ON CREATE SET n.loaded_at = r.loaded_at SET n += r.props",
            rows,
        )
    )

    steps.extend(_opcs_steps(parsed))
    steps.extend(_snomed_steps(parsed))
    steps.extend(_nicip_steps(parsed, existing))
    return WritePlan(schema=split_statements(schema_text), steps=steps)


def _nodes(phase: str, label: str, key: str, rows: list[dict[str, Any]]) -> Step:
    """Merge nodes on their key and set ``props`` (rows are ``{key, props}``)."""
    return Step(
        phase,
        f"UNWIND $rows AS r MERGE (n:{label} {{{key}: r.{key}}}) SET n += r.props",
        rows,
        shape=NodeShape(label, key),
    )


def _link(phase: str, a: str, rel: str, b: str, rows: list[dict[str, Any]], then: str = "") -> Step:
    """Merge ``(a)-[rel]->(b)`` between existing nodes; ``a``/``b`` are ``Label.key``.

    Rows carry ``a`` and ``b`` (the two keys); ``then`` may SET properties of ``e``.
    """
    (al, ak), (bl, bk) = a.split("."), b.split(".")
    return Step(
        phase,
        f"UNWIND $rows AS r MATCH (a:{al} {{{ak}: r.a}}) MATCH (b:{bl} {{{bk}: r.b}}) "
        f"MERGE (a)-[e:{rel}]->(b) {then} RETURN count(*) AS matched".replace("  ", " "),
        rows,
        counted=True,
        shape=LinkShape(al, ak, rel, bl, bk, then),
    )


def _opcs_steps(parsed: Parsed) -> Iterable[Step]:
    if not parsed.opcs:
        return
    rows = []
    for code, rec in parsed.opcs.items():
        props = {
            "dotted": rec.dotted,
            "title": rec.title,
            "level": rec.level,
            "imaging": rec.level != "chapter" and derive.is_imaging_opcs(code),
            "release": parsed.release_id("opcs4"),
        }
        rows.append({"code": code, "props": props})
    # Parents a file implies but does not list (HES tables list 4-character codes only).
    implied = {rec.parent for rec in parsed.opcs.values() if rec.parent} - set(parsed.opcs)
    implied |= {c[0] for c in implied if len(c) == 3} - set(parsed.opcs)
    for code in sorted(implied):
        level = "chapter" if len(code) == 1 else "category"
        props = {
            "dotted": f"Chapter {code}" if level == "chapter" else code,
            "level": level,
            "imaging": level != "chapter" and derive.is_imaging_opcs(code),
        }
        rows.append({"code": code, "props": props})
    yield _nodes("OPCS-4 codes", "OpcsCode", "code", rows)
    parents = [{"a": c, "b": r.parent} for c, r in parsed.opcs.items() if r.parent]
    parents += [{"a": c, "b": c[0]} for c in sorted(implied) if len(c) == 3]
    yield _link("OPCS-4 hierarchy", "OpcsCode.code", "CHILD_OF", "OpcsCode.code", parents)


def _snomed_steps(parsed: Parsed) -> Iterable[Step]:
    if parsed.concepts:
        rows = []
        for cid, props in parsed.concepts.items():
            t = parsed.terms.get(cid, {})
            rows.append({"id": cid, "props": {**props, "fsn": t.get("fsn"), "term": t.get("term")}})
        yield _nodes("SNOMED CT concepts", "SnomedConcept", "id", rows)
    # Concepts named by maps, relationships or refsets but absent from the concept file.
    named = {b for _, b in parsed.is_a} | {a for a, _ in parsed.is_a}
    named |= {m["id"] for m in parsed.refset_members}
    named |= {m["a"] for m in parsed.replacements} | {m["b"] for m in parsed.replacements}
    named |= {m["a"] for m in parsed.snomed_opcs} | {a for a, _, _ in parsed.sites}
    for facts in parsed.nicip.values():
        named.update(facts.snomed or ())
    missing = sorted(named - set(parsed.concepts))
    if missing:
        rows = [{"id": i, "props": {}} for i in missing]
        yield _merge_missing("SNOMED CT concepts named by maps", "SnomedConcept", "id", rows)
    concept = "SnomedConcept.id"
    if parsed.is_a:
        rows = [{"a": a, "b": b} for a, b in parsed.is_a]
        yield _link("SNOMED CT is-a", concept, "IS_A", concept, rows)
    if parsed.replacements:
        yield _link(
            "SNOMED CT replacements",
            concept,
            "REPLACED_BY",
            concept,
            parsed.replacements,
            "SET e.association = r.association, e.refset_id = r.refset_id",
        )
    if parsed.refset_members:
        refsets = sorted({m["refset_id"] for m in parsed.refset_members})
        rows = [{"id": r, "props": {"term": parsed.terms.get(r, {}).get("term")}} for r in refsets]
        yield _nodes("reference sets", "Refset", "id", rows)
        members = [
            {
                "a": m["id"],
                "b": m["refset_id"],
                "active": m["active"],
                "effective_time": m["effective_time"],
            }
            for m in parsed.refset_members
        ]
        yield _link(
            "reference set members",
            concept,
            "MEMBER_OF",
            "Refset.id",
            members,
            "SET e.active = r.active, e.effective_time = r.effective_time",
        )
    if parsed.sites:
        sites = sorted({s for _, s, _ in parsed.sites})
        rows = [
            {"key": f"sct:{s}", "props": {"name": _term(parsed, s), "snomed_id": s}} for s in sites
        ]
        yield _nodes("body sites", "BodySite", "key", rows)
        rows = [{"a": a, "b": f"sct:{s}", "attribute": t} for a, s, t in parsed.sites]
        yield _link(
            "procedure sites",
            concept,
            "HAS_SITE",
            "BodySite.key",
            rows,
            "SET e.attribute = r.attribute",
        )
    if parsed.snomed_opcs:
        targets = {m["b"]: m for m in parsed.snomed_opcs}
        rows = [
            {"code": c, "props": {"dotted": m["dotted"], "imaging": m["imaging"]}}
            for c, m in targets.items()
            if c not in parsed.opcs
        ]
        if rows:
            yield _merge_missing("OPCS-4 codes named by maps", "OpcsCode", "code", rows)
        yield _link(
            "SNOMED CT to OPCS-4 map",
            concept,
            "MAPS_TO_OPCS",
            "OpcsCode.code",
            parsed.snomed_opcs,
            "SET e.map_group = r.map_group, e.map_priority = r.map_priority, "
            "e.refset_id = r.refset_id, e.map_advice = r.map_advice, e.map_rule = r.map_rule",
        )


def _term(parsed: Parsed, cid: int) -> str:
    t = parsed.terms.get(cid, {})
    return t.get("term") or t.get("fsn") or str(cid)


def _nicip_steps(parsed: Parsed, existing: dict[str, str | None]) -> Iterable[Step]:
    if not parsed.nicip:
        return
    descriptions = dict(existing)
    for code, facts in parsed.nicip.items():
        descriptions[code] = facts.first("description") or descriptions.get(code)
    sides = derive.sides(descriptions, descriptions)

    release = parsed.release_id("nicip")
    current = parsed.current if parsed.current is not None else set(parsed.nicip)
    nodes, older, in_release, modality, laterality = [], [], [], [], []
    for code, facts in parsed.nicip.items():
        props: dict[str, Any] = {}
        for attr in ("description", "active"):
            value = facts.first(attr)
            if value is not None:
                props[attr] = value
        for attr in ("effective_date", "inactive_date"):
            value = facts.first(attr)
            if value is not None:
                props[attr] = value.isoformat()
        # What this release says of the code, kept whatever newer releases say.
        first_file, first = next(iter(facts.files.items()))
        snapshot = {**props, "file": first_file.rsplit("/", 1)[-1], "row": first.row}
        if facts.snomed is not None:
            snapshot["snomed"] = facts.snomed
        if facts.opcs is not None:
            snapshot["opcs"] = facts.opcs
        if facts.first("replaced_by"):
            snapshot["replaced_by"] = facts.first("replaced_by")
        in_release.append({"a": code, "b": release, "props": snapshot})
        if code not in current:
            older.append({"code": code, "props": props})
            continue
        nodes.append({"code": code, "props": props})
        stated = facts.first("modality")
        if stated:
            modality.append({"a": code, "b": stated, "rule": "stated in the release"})
        else:
            letter_name, rule = derive.modality_from_letter(code)
            modality.append({"a": code, "b": letter_name, "rule": rule})
    # Side markers for every code whose family this load touched or could have changed.
    stated_sides = {c: f.first("laterality") for c, f in parsed.nicip.items()}
    for code in descriptions:
        side = sides.get(code)
        stated = stated_sides.get(code)
        if stated:
            letter = stated[0]
            stem = side.stem(code) if side and side.letter == letter else None
            laterality.append(
                {
                    "code": code,
                    "side": letter,
                    "name": stated,
                    "stem": stem,
                    "rule": "stated in the release",
                }
            )
        elif side:
            laterality.append(
                {
                    "code": code,
                    "side": side.letter,
                    "name": side.name,
                    "stem": side.stem(code),
                    "rule": side.rule,
                }
            )
        else:
            laterality.append(
                {"code": code, "side": None, "name": None, "stem": None, "rule": None}
            )

    yield _nodes("NICIP codes", "NicipCode", "code", nodes)
    if older:
        # Codes a newer release already describes: this older release adds history only.
        yield _merge_missing("NICIP codes of an older release", "NicipCode", "code", older)
    yield Step(
        "NICIP laterality",
        "UNWIND $rows AS r MATCH (n:NicipCode {code: r.code}) SET n.side = r.side, "
        "n.side_name = r.name, n.side_stem = r.stem, n.side_rule = r.rule",
        laterality,
    )
    code = "NicipCode.code"
    yield _link("NICIP releases", code, "IN_RELEASE", "Release.id", in_release, "SET e += r.props")
    yield _unlink("NICIP modality", code, "OF_MODALITY", modality)
    yield _nodes(
        "modalities",
        "Modality",
        "name",
        [{"name": n, "props": {}} for n in sorted({m["b"] for m in modality})],
    )
    yield _link(
        "NICIP modality", code, "OF_MODALITY", "Modality.name", modality, "SET e.rule = r.rule"
    )

    sites = []
    for c, f in parsed.nicip.items():
        name = f.first("body_site") if c in current else None
        if name:
            sites.append({"a": c, "b": f"text:{name.lower()}", "name": name})
    if sites:
        yield _unlink("NICIP body sites", code, "AT_SITE", sites)
        yield _nodes(
            "body sites",
            "BodySite",
            "key",
            [{"key": r["b"], "props": {"name": r["name"]}} for r in sites],
        )
        yield _link(
            "NICIP body sites",
            code,
            "AT_SITE",
            "BodySite.key",
            sites,
            "SET e.rule = 'stated in the release'",
        )

    now = {c: f for c, f in parsed.nicip.items() if c in current}
    successors = [
        {"a": c, "b": f.first("replaced_by")} for c, f in now.items() if f.first("replaced_by")
    ]
    if successors:
        # The successor may be listed later in the file, or not at all: create it if needed.
        rows = [{"code": r["b"], "props": {}} for r in successors]
        yield _merge_missing("NICIP successors", "NicipCode", "code", rows)
        yield _unlink("NICIP successors", code, "REPLACED_BY", successors)
        yield _link("NICIP successors", code, "REPLACED_BY", "NicipCode.code", successors)
    snomed = [{"a": c} for c, f in now.items() if f.snomed is not None]
    if snomed:
        yield _unlink("NICIP to SNOMED CT map", code, "MAPS_TO", snomed)
        pairs = [{"a": c, "b": i} for c, f in now.items() for i in f.snomed or ()]
        yield _link("NICIP to SNOMED CT map", code, "MAPS_TO", "SnomedConcept.id", pairs)
    opcs = [{"a": c} for c, f in now.items() if f.opcs is not None]
    if opcs:
        yield _unlink("NICIP to OPCS-4 map", code, "MAPS_TO_OPCS", opcs)
        pairs = [{"a": c, "b": o} for c, f in now.items() for o in f.opcs or ()]
        named = sorted({o for f in now.values() for o in f.opcs or ()} - set(parsed.opcs))
        if named:
            rows = [
                {
                    "code": o,
                    "props": {"dotted": opcs_dotted(o), "imaging": derive.is_imaging_opcs(o)},
                }
                for o in named
            ]
            yield _merge_missing("OPCS-4 codes named by maps", "OpcsCode", "code", rows)
        yield _link("NICIP to OPCS-4 map", code, "MAPS_TO_OPCS", "OpcsCode.code", pairs)


def _unlink(phase: str, a: str, rel: str, rows: list[dict[str, Any]]) -> Step:
    """Delete the ``rel`` relationships leaving each ``a`` (rows carry ``a``, its key)."""
    label, key = a.split(".")
    return Step(
        phase,
        f"UNWIND $rows AS r MATCH (a:{label} {{{key}: r.a}})-[old:{rel}]->() DELETE old",
        rows,
        shape=UnlinkShape(label, key, rel),
    )


def _merge_missing(phase: str, label: str, key: str, rows: list[dict[str, Any]]) -> Step:
    """Create nodes a map names, leaving any that exist as they are."""
    return Step(
        phase,
        f"UNWIND $rows AS r MERGE (n:{label} {{{key}: r.{key}}}) ON CREATE SET n += r.props",
        rows,
        shape=NodeShape(label, key, on_create=True),
    )
