"""One load: discover the files, read and check all of them, then write the graph at once.

Nothing touches the store until every file has been read and checked, and the store lands
the write plan whole or not at all, so a bad row anywhere leaves the graph as it was.

>>> report = load(["release/"], store, progress=print)       # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from loader import queries
from loader.codes import CodeFormatError, opcs_dotted, parse_opcs_code, sctid_partition
from loader.derive import is_imaging_opcs
from loader.discover import Found, discover
from loader.errors import InputError, NicipError
from loader.formats import nicip, opcs4, rf2
from loader.graph import FSN, IMAGING_REFSET, SITE_TYPES, SYNONYM, FileInfo, Parsed, plan
from loader.model import (
    Association,
    Concept,
    Description,
    ExtendedMap,
    LanguageMember,
    RefsetMember,
    Relationship,
)
from loader.stores.base import GraphStore, Progress, no_progress

__all__ = ["HISTORICAL_ASSOCIATIONS", "LoadReport", "load", "read_release"]

IS_A = 116680003
PREFERRED = 900000000000548007
FULLY_DEFINED = 900000000000073002
#: Language reference sets, in the order a preferred term is taken from.
LANGUAGES = (999001261000000100, 999000691000001104, 900000000000508004, 900000000000509007)
#: Historical association reference sets that say what replaces an inactive concept.
HISTORICAL_ASSOCIATIONS = {
    900000000000527005: "SAME AS",
    900000000000526001: "REPLACED BY",
    900000000000523009: "POSSIBLY EQUIVALENT TO",
    1186921001: "POSSIBLY REPLACED BY",
    1186924009: "PARTIALLY EQUIVALENT TO",
    900000000000530003: "ALTERNATIVE",
    900000000000528000: "WAS A",
    900000000000524003: "MOVED TO",
}


@dataclass
class LoadReport:
    """What a load read and wrote, for the CLI and the explorer."""

    files: list[FileInfo]
    skipped: list[Found]
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    opcs_map_refsets: list[int] = field(default_factory=list)
    releases: dict[str, str] = field(default_factory=dict)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


#: RF2 relationship and language files at least this big are read in a second process
#: while this one reads the rest (a full UK snapshot's are 60 to 100 MB; two cores).
SIDE_READ_BYTES = 20_000_000
_SIDE_KINDS = ("relationship", "language_refset")


def side_facts(path: str) -> tuple[str, int, list[tuple[int, ...]]]:
    """What the load keeps of a relationship or language refset file (read by
    :mod:`loader.sideread`): active is-a and procedure-site relationships, or active
    preferred terms."""
    kind = rf2.rf2_kind(Path(path).name)
    rows, kept = 0, []
    for rec in rf2.read_rf2(path):
        rows += 1
        if isinstance(rec, Relationship):
            if rec.active and (rec.type_id == IS_A or rec.type_id in SITE_TYPES):
                kept.append((rec.type_id, rec.source_id, rec.destination_id))
        elif isinstance(rec, LanguageMember) and rec.active and rec.acceptability_id == PREFERRED:
            kept.append((rec.refset_id, rec.referenced_component_id))
    return kind or "", rows, kept


class _SideRead:
    """The large relationship and language files, read by a second process."""

    def __init__(self, files: list[Found]) -> None:
        self.paths = [
            f.path
            for f in files
            if f.kind == "rf2"
            and rf2.rf2_kind(f.path.name) in _SIDE_KINDS
            and f.path.stat().st_size >= SIDE_READ_BYTES
        ]
        self.proc: subprocess.Popen[bytes] | None = None
        self.folder = ""
        if self.paths:
            self.folder = tempfile.mkdtemp(prefix="nicip-side-")
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "loader.sideread", self.folder, *map(str, self.paths)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )

    def results(self) -> dict[Path, tuple[str, int, list[tuple[int, ...]]]]:
        """Wait for the second process; re-raise the error of a bad row it found."""
        if self.proc is None:
            return {}
        _, err = self.proc.communicate()
        try:
            out = {}
            for k, path in enumerate(self.paths):
                done = Path(self.folder) / f"{k}.pickle"
                if not done.exists():
                    tail = err.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
                    raise NicipError(f"reading {path.name} in a second process failed: {tail[0]}")
                value = pickle.loads(done.read_bytes())
                if isinstance(value, BaseException):
                    raise value
                out[path] = value
            return out
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def cancel(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            shutil.rmtree(self.folder, ignore_errors=True)


def read_release(
    found: Iterable[Found],
    *,
    overrides: Mapping[str, str] | None = None,
    refsets: Iterable[int] = (IMAGING_REFSET,),
    opcs_map_refset: int | None = None,
    progress: Progress = no_progress,
) -> tuple[Parsed, list[str], list[int]]:
    """Read and check every file; return what they say, notes, and the OPCS-4 map refsets."""
    parsed = Parsed()
    notes: list[str] = []
    wanted_refsets = set(refsets)
    synonyms: dict[int, tuple[int, str]] = {}
    first_synonym: dict[int, str] = {}
    preferred: dict[int, dict[int, int]] = defaultdict(dict)  # concept -> {language: desc}
    maps: dict[int, list[ExtendedMap]] = defaultdict(list)
    map_files: dict[int, str] = {}
    files = [f for f in found if f.loadable]
    side = _SideRead(files)
    later: dict[Path, FileInfo] = {}
    try:
        for index, f in enumerate(files, start=1):
            progress(f"reading {f.path.name}", index - 1, len(files))
            family = {"nicip": "nicip", "opcs4": "opcs4", "rf2": "snomed"}[f.kind or ""]
            info = FileInfo(str(f.path), f.kind or "", _sha256(f.path), family)
            parsed.files.append(info)
            if f.path in side.paths:
                info.kind = "SNOMED CT RF2"
                later[f.path] = info  # filled in from the second process below
                continue
            if f.kind == "rf2" and rf2.rf2_kind(f.path.name) in _SIDE_KINDS:
                info.kind = "SNOMED CT RF2"
                _take_side(side_facts(str(f.path)), info, parsed, preferred)
                continue
            if f.kind == "nicip":
                table, records = nicip.read_nicip(f.path, overrides)
                info.kind = nicip.kind_of(table)
                fields = set(table.columns) | set(table.multi)
                headers = {name: table.header_of(name) for name in fields}
                for row in records:
                    parsed.add_nicip(info, row, fields, headers)
                    info.rows += 1
                notes.extend(table.notes)
            elif f.kind == "opcs4":
                info.kind = "OPCS-4 codes"
                for o in opcs4.read_opcs4(f.path, notes):
                    parsed.opcs[o.code] = o
                    info.rows += 1
            elif f.kind == "rf2":
                info.kind = "SNOMED CT RF2"
                for rec in rf2.read_rf2(f.path):
                    info.rows += 1
                    if isinstance(rec, Concept):
                        parsed.concepts[rec.id] = {
                            "active": rec.active,
                            "module_id": rec.module_id,
                            "effective_time": rec.effective_time.isoformat(),
                            "defined": rec.definition_status_id == FULLY_DEFINED,
                        }
                    elif isinstance(rec, Description):
                        if not rec.active:
                            continue
                        if rec.type_id == FSN:
                            parsed.terms.setdefault(rec.concept_id, {})["fsn"] = rec.term
                        elif rec.type_id == SYNONYM:
                            synonyms[rec.id] = (rec.concept_id, rec.term)
                            first_synonym.setdefault(rec.concept_id, rec.term)
                    elif isinstance(rec, Association):
                        name = HISTORICAL_ASSOCIATIONS.get(rec.refset_id)
                        if (
                            name
                            and rec.active
                            and sctid_partition(str(rec.referenced_component_id)) == "concept"
                            and sctid_partition(str(rec.target_component_id)) == "concept"
                        ):
                            parsed.replacements.append(
                                {
                                    "a": rec.referenced_component_id,
                                    "b": rec.target_component_id,
                                    "association": name,
                                    "refset_id": rec.refset_id,
                                }
                            )
                    elif isinstance(rec, ExtendedMap):
                        maps[rec.refset_id].append(rec)
                        map_files.setdefault(rec.refset_id, f.path.name)
                    elif isinstance(rec, RefsetMember) and rec.refset_id in wanted_refsets:
                        parsed.refset_members.append(
                            {
                                "id": rec.referenced_component_id,
                                "refset_id": rec.refset_id,
                                "active": rec.active,
                                "effective_time": rec.effective_time.isoformat(),
                            }
                        )
    except BaseException:
        side.cancel()  # a bad row here: the second process's work is not wanted
        raise
    for path, facts in side.results().items():
        _take_side(facts, later[path], parsed, preferred)
    progress("checking", len(files), len(files))

    # Preferred terms: the first language refset (UK English first) that names one.
    for concept, term in first_synonym.items():
        parsed.terms.setdefault(concept, {})["term"] = term
    for language in reversed(LANGUAGES):
        for desc_id in preferred.get(language, {}):
            if desc_id in synonyms:
                concept, term = synonyms[desc_id]
                parsed.terms.setdefault(concept, {})["term"] = term

    chosen = _opcs_map_refsets(maps, parsed, opcs_map_refset, map_files)
    for refset_id in chosen:
        for m in maps[refset_id]:
            if not m.active or not m.map_target.strip():
                continue
            try:
                target = parse_opcs_code(m.map_target)
            except CodeFormatError as err:
                raise InputError(
                    map_files[refset_id],
                    None,
                    "mapTarget",
                    m.map_target,
                    err.expected,
                    f"member {m.id} of OPCS-4 map refset {refset_id}",
                ) from None
            parsed.snomed_opcs.append(
                {
                    "a": m.referenced_component_id,
                    "b": target,
                    "dotted": target if len(target) <= 3 else f"{target[:3]}.{target[3:]}",
                    "imaging": is_imaging_opcs(target),
                    "map_group": m.map_group,
                    "map_priority": m.map_priority,
                    "map_advice": m.map_advice,
                    "map_rule": m.map_rule,
                    "refset_id": refset_id,
                }
            )
    parsed.check_files_agree()
    _check_opcs_targets(parsed, overrides)
    return parsed, notes, chosen


def _take_side(
    facts: tuple[str, int, list[tuple[int, ...]]],
    info: FileInfo,
    parsed: Parsed,
    preferred: dict[int, dict[int, int]],
) -> None:
    """Add what :func:`side_facts` kept of a relationship or language refset file, read
    here or by the second process."""
    kind, rows, kept = facts
    info.rows = rows
    if kind == "relationship":
        for type_id, source, destination in kept:
            if type_id == IS_A:
                parsed.is_a.append((source, destination))
            else:
                parsed.sites.append((source, destination, SITE_TYPES[type_id]))
    else:
        for refset_id, description in kept:
            preferred[refset_id][description] = 1


def _check_opcs_targets(parsed: Parsed, overrides: Mapping[str, str] | None) -> None:
    """Refuse a NICIP to OPCS-4 map target that is not in the OPCS-4 codes this load read.

    ICD-10 and OPCS-4 codes have the same shape (``K59.2``; ``Z94`` is a code in both,
    FIELD_NOTES 5), so an ICD-10 code in an OPCS-4 column passes every check on its own;
    only the OPCS-4 list tells. Without an OPCS-4 file in the load nothing is checked. The
    file is read again, only on this error path, to name the row.
    """
    known = set(parsed.opcs) | {r.parent for r in parsed.opcs.values() if r.parent}
    unknown = {o for f in parsed.nicip.values() for o in f.opcs or () if o not in known}
    if not parsed.opcs or not unknown:
        return
    lists = ", ".join(Path(f.path).name for f in parsed.files if f.family == "opcs4")
    for info in parsed.files:
        if info.family != "nicip":
            continue
        table, records = nicip.read_nicip(info.path, overrides)
        for rec in records:
            for code in rec.opcs_codes or ():
                if code in unknown:
                    raise InputError(
                        table.file,
                        rec.row,
                        table.header_of("opcs"),
                        opcs_dotted(code),
                        f"an OPCS-4 code in the loaded OPCS-4 list ({lists})",
                        "It is not an OPCS-4 code in that list: it may be an ICD-10 code "
                        "(the two have the same shape), a code of another OPCS-4 version, "
                        "or mistyped",
                    )
    raise InputError(  # not reached: the first pass found it in one of these files
        ", ".join(Path(f.path).name for f in parsed.files if f.family == "nicip"),
        None,
        "OPCS-4",
        opcs_dotted(min(unknown)),
        f"an OPCS-4 code in the loaded OPCS-4 list ({lists})",
    )


def _opcs_map_refsets(
    maps: Mapping[int, list[ExtendedMap]],
    parsed: Parsed,
    forced: int | None,
    map_files: Mapping[int, str],
) -> list[int]:
    """Which extended map refsets map to OPCS-4: named by the user, by their term, or by data.

    The refset id changed in 2024 (1126441000000105 became 1382401000000109), so it is
    never assumed. A refset is taken as OPCS-4 when its own description mentions OPCS, or,
    failing any description, when at least 90% of its targets are OPCS-4 codes loaded in
    this load's OPCS-4 file.
    """
    if forced is not None:
        if forced not in maps:
            raise InputError(
                ", ".join(sorted(set(map_files.values()))) or "the extended map files",
                None,
                "refsetId",
                forced,
                f"one of the extended map refsets in the files: {sorted(maps) or 'none'}",
            )
        return [forced]
    chosen = []
    for refset_id, members in maps.items():
        term = " ".join(parsed.terms.get(refset_id, {}).values()).upper()
        if term:
            if "OPCS" in term:
                chosen.append(refset_id)
            continue
        targets = [m.map_target for m in members if m.active and m.map_target.strip()]
        if not targets or not parsed.opcs:
            continue
        known = 0
        for t in targets:
            with contextlib.suppress(CodeFormatError):
                known += parse_opcs_code(t) in parsed.opcs
        if known >= 0.9 * len(targets):
            chosen.append(refset_id)
    return sorted(chosen)


def load(
    paths: Iterable[str | Path],
    store: GraphStore,
    *,
    overrides: Mapping[str, str] | None = None,
    refsets: Iterable[int] = (IMAGING_REFSET,),
    opcs_map_refset: int | None = None,
    release: str | None = None,
    release_date: str | None = None,
    progress: Progress = no_progress,
) -> LoadReport:
    """Load release files into ``store``: all of them, or nothing.

    ``release`` names this load's releases (default: a date in the file names, else the
    files' checksums) and ``release_date`` (ISO) orders them; a NICIP release older than
    one already loaded adds its history without changing the codes' current facts.
    """
    if release_date is not None:
        try:
            date.fromisoformat(release_date)
        except ValueError:
            raise NicipError(f"--release-date must be YYYY-MM-DD, got {release_date!r}") from None
    paths = list(paths)
    found = discover(paths, overrides)
    for f in found:
        if f.named and not f.loadable:
            raise NicipError(f"{f.path.name}: {f.detail}")
        if f.broken:
            raise NicipError(
                f"{f.path} could not be read ({f.detail}); nothing was loaded. "
                "Fix the file or move it out of the folder."
            )
    loadable = [f for f in found if f.loadable]
    if not found:
        raise NicipError(f"no files found in {', '.join(map(str, paths))}")
    if not loadable:
        raise NicipError(
            "none of the given files is a release file nicip-graph reads: "
            + "; ".join(f"{f.path.name}: {f.detail}" for f in found)
        )
    parsed, notes, chosen = read_release(
        loadable,
        overrides=overrides,
        refsets=refsets,
        opcs_map_refset=opcs_map_refset,
        progress=progress,
    )
    parsed.name_releases(release, release_date)
    existing: dict[str, str | None] = {}
    if parsed.nicip:
        rows = queries.run(store, "nicip-codes-releases").rows
        existing = {code: d for code, d, _ in rows}
        this = parsed.releases["nicip"].date
        newest: dict[str, str | None] = {
            code: max((x for x in dates if x), default=None) for code, _, dates in rows
        }
        parsed.current = set()
        for code in parsed.nicip:
            seen = newest.get(code)
            if this is None or seen is None or this >= seen:
                parsed.current.add(code)
    write_plan = plan(parsed, queries.schema_text(), existing)
    store.apply(write_plan, progress)
    report = LoadReport(
        parsed.files, [f for f in found if not f.loadable], notes, opcs_map_refsets=chosen
    )
    report.releases = {f: r.id for f, r in parsed.releases.items()}
    report.counts = queries.counts(store)
    return report
