"""Planning the move from NICIP to native SNOMED CT: readiness, validity, exam lists.

**Readiness** (``cypher/migration-readiness.cypher``) puts every NICIP code in one class,
checked in this order:

=================================  =========================================================
class                              meaning, and what to do
=================================  =========================================================
retired                            the code is inactive in its newest release: replace it
no target                          no SNOMED CT concept: ask for a map before migrating
several targets                    more than one concept: choose one
inactive target, replaced          the concept is inactive; move to its replacement
inactive target, no replacement    the concept is inactive and nothing replaces it
collision                          the concept also carries codes for other procedures
laterality family                  the concept is shared only with the same procedure on
                                   other sides: ready, if the side is recorded separately
one-to-one                         ready
=================================  =========================================================

**Validity on a date** follows the DIDS v2.0 rules: a NICIP code is accepted if it is
active in the latest NICIP release, or was made inactive 183 days or less before the date;
a SNOMED CT concept if it is an active member of the UK imaging refset 999001111000000105,
or was removed from it 183 days or less before. A code retired on day R is accepted on
R + 183 days and refused on R + 184. The retirement day is the release's inactive date
for the code, else the date of the first release that lists it as inactive or leaves it
out.

**Exam lists** are a user's own table (CSV or XLSX): a local code, optionally the NICIP
code it stands for, optionally an activity count; each row is joined to the readiness of
its NICIP code (or of the local code itself when that is a NICIP code).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from loader import queries
from loader.codes import CodeFormatError, parse_nicip_code, parse_sctid
from loader.errors import InputError, NicipError
from loader.formats.table import read_table
from loader.stores.base import GraphStore

__all__ = [
    "CLASSES",
    "GRACE_DAYS",
    "READY",
    "Exam",
    "Validity",
    "join_exams",
    "progress",
    "read_exams",
    "readiness",
    "valid_nicip",
    "valid_snomed",
    "with_reasons",
]

CLASSES = (
    "retired",
    "no target",
    "several targets",
    "inactive target, replaced",
    "inactive target, no replacement",
    "collision",
    "laterality family",
    "one-to-one",
)
#: Classes a code can migrate in as it is (a family needs the side recorded apart).
READY = frozenset({"one-to-one", "laterality family"})
GRACE_DAYS = 183
IMAGING_REFSET = 999001111000000105


def _concept(ids: list[Any], terms: list[Any], i: int = 0) -> str:
    term = terms[i] if i < len(terms) and terms[i] else ""
    return f"{ids[i]} {term}".strip()


def _reason(row: Mapping[str, Any]) -> str:
    kind = row["readiness"]
    targets, terms = row["targets"], row["target_terms"]
    if kind == "retired":
        successors = row.get("successors") or []
        if successors:
            return "retired; the release names its successor " + ", ".join(sorted(successors))
        return "inactive, or not in the latest NICIP release; no successor is named"
    if kind == "no target":
        return "no SNOMED CT concept is mapped; a map is needed first"
    if kind == "several targets":
        return "maps to " + ", ".join(_concept(targets, terms, i) for i in range(len(targets)))
    if kind == "inactive target, replaced":
        return f"{_concept(targets, terms)} is inactive; replaced by " + ", ".join(
            str(r) for r in row["replacements"]
        )
    if kind == "inactive target, no replacement":
        return f"{_concept(targets, terms)} is inactive and nothing replaces it"
    if kind == "collision":
        return (
            f"{_concept(targets, terms)} also carries "
            + ", ".join(row["colliding"])
            + " (other procedures)"
        )
    if kind == "laterality family":
        return (
            f"{_concept(targets, terms)} is shared only with "
            + ", ".join(row["sharing"])
            + "; record the side separately"
        )
    return f"maps one-to-one to {_concept(targets, terms)}"


def with_reasons(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add the reason in words and a ``ready`` flag to ``migration-readiness`` rows."""
    for row in rows:
        row["sharing"] = sorted(row["sharing"])
        row["colliding"] = sorted(row["colliding"])
        row["reason"] = _reason(row)
        row["ready"] = row["readiness"] in READY
    return rows


def readiness(store: GraphStore) -> list[dict[str, Any]]:
    """Every NICIP code with its readiness class and the reason, in words."""
    return with_reasons(queries.run(store, "migration-readiness").records())


def progress(
    rows: Iterable[Mapping[str, Any]], weight: str | None = None
) -> dict[str, dict[str, float]]:
    """Per modality, the count (or the sum of ``weight``) of codes in each class."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(CLASSES, 0.0))
    for row in rows:
        amount = float(row.get(weight) or 0) if weight else 1.0
        out[row.get("modality") or "Unknown"][row["readiness"]] += amount
    return dict(out)


# -- validity -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Validity:
    """Whether a code would be accepted on a date, and why."""

    valid: bool | None  # None: cannot tell from what is loaded
    reason: str


def _window(day: date, retired: date, what: str) -> Validity:
    last = retired + timedelta(days=GRACE_DAYS)
    if day <= last:
        return Validity(
            True,
            f"{what} on {retired.isoformat()}; accepted until "
            f"{last.isoformat()} ({GRACE_DAYS} days)",
        )
    return Validity(
        False, f"{what} on {retired.isoformat()}; accepted only until {last.isoformat()}"
    )


def valid_nicip(store: GraphStore, code: str, day: date) -> Validity:
    """Would the national imaging data set accept NICIP ``code`` on ``day``?"""
    releases = queries.run(store, "nicip-releases").records()
    if not releases:
        raise NicipError("no NICIP release is loaded")
    latest = releases[0]
    history = queries.run(store, "nicip-history", {"code": code}).records()
    if not history:
        return Validity(False, f"{code} is in no loaded NICIP release")
    in_latest = next((h for h in history if h["release"] == latest["release"]), None)
    if in_latest is not None and in_latest["active"] is not False:
        return Validity(True, f"{code} is active in the latest release {latest['release']}")
    if in_latest is not None and in_latest["inactive_date"]:
        return _window(day, date.fromisoformat(in_latest["inactive_date"]), f"{code} retired")
    # Retired on the date of the first release after the last that lists it as active.
    order = [r["release"] for r in reversed(releases)]  # oldest first
    said = {h["release"]: h for h in history}
    active_at = [
        i for i, rid in enumerate(order) if rid in said and said[rid]["active"] is not False
    ]
    if active_at:
        retiring = order[active_at[-1] + 1] if active_at[-1] + 1 < len(order) else None
    else:
        retiring = next(rid for rid in order if rid in said)
    entry = said.get(retiring) if retiring else None
    when = (entry or {}).get("inactive_date") or next(
        (r["date"] for r in releases if r["release"] == retiring), None
    )
    if not when:
        return Validity(
            None,
            f"{code} is not active in the latest release, and the release "
            "that retired it has no date (load it with --release-date)",
        )
    return _window(day, date.fromisoformat(when), f"{code} retired")


def valid_snomed(
    store: GraphStore, concept: int, day: date, refset: int = IMAGING_REFSET
) -> Validity:
    """Would the data set accept SNOMED CT ``concept`` on ``day`` (refset membership)?"""
    try:
        parse_sctid(str(concept))
    except CodeFormatError as err:
        raise NicipError(f"{concept} is not {err.expected}") from None
    families = {r["family"] for r in queries.run(store, "releases").records()}
    if "SNOMED CT" not in families:
        return Validity(
            None, "no SNOMED CT release is loaded, so refset membership cannot be checked"
        )
    rows = queries.run(store, "snomed-refset-status", {"id": concept, "refset": refset}).records()
    if not rows:
        return Validity(False, f"{concept} is not in the loaded SNOMED CT release")
    row = rows[0]
    if row["member"] is None:
        return Validity(False, f"{concept} is not a member of refset {refset}")
    if row["member"]:
        return Validity(True, f"{concept} is an active member of refset {refset}")
    return _window(
        day, date.fromisoformat(row["member_since"]), f"{concept} was removed from refset {refset}"
    )


# -- exam lists -----------------------------------------------------------------------------

EXAM_ALIASES: dict[str, tuple[str, ...]] = {
    "local_code": (
        "local code",
        "exam code",
        "ris code",
        "code",
        "local exam code",
        "examination code",
    ),
    "local_name": ("local name", "exam name", "description", "examination", "name"),
    "nicip_code": ("nicip code", "nicip", "nicip_code", "national code"),
    "activity": ("activity", "count", "volume", "exams", "activity count", "number"),
}


@dataclass(frozen=True)
class Exam:
    """One row of a user's exam list."""

    row: int
    local_code: str
    local_name: str | None
    nicip_code: str | None
    activity: float | None


def read_exams(path: str | Path) -> list[Exam]:
    """Read an exam list (CSV or XLSX); the local code column is required."""
    table = read_table(path, EXAM_ALIASES, required=("local_code",), what="exam list")
    exams: list[Exam] = []
    for row, cells in table.records():
        local = cells["local_code"].strip()
        if not local:
            raise InputError(
                table.file, row, table.header_of("local_code"), "", "a local exam code"
            )
        nicip = None
        raw = cells.get("nicip_code", "").strip()
        if raw:
            try:
                nicip = parse_nicip_code(raw)
            except CodeFormatError as err:
                raise InputError(
                    table.file, row, table.header_of("nicip_code"), raw, err.expected, err.hint
                ) from None
        activity = None
        raw = cells.get("activity", "").strip().replace(",", "")
        if raw:
            try:
                activity = float(raw)
            except ValueError:
                raise InputError(
                    table.file, row, table.header_of("activity"), raw, "a number of exams"
                ) from None
            if activity < 0:
                raise InputError(
                    table.file,
                    row,
                    table.header_of("activity"),
                    raw,
                    "a number of exams of 0 or more",
                )
        exams.append(Exam(row, local, cells.get("local_name") or None, nicip, activity))
    if not exams:
        raise InputError(
            table.file,
            None,
            None,
            "",
            "at least one exam row",
            "The table has a header but no rows",
        )
    return exams


def join_exams(exams: Iterable[Exam], rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each exam with the readiness of its NICIP code ("not a NICIP code" when none)."""
    by_code = {r["code"]: r for r in rows}
    out = []
    for e in exams:
        code = e.nicip_code
        if code is None:
            try:
                code = parse_nicip_code(e.local_code)
            except CodeFormatError:
                code = None
        match = by_code.get(code) if code else None
        out.append(
            {
                "local_code": e.local_code,
                "local_name": e.local_name,
                "nicip_code": code,
                "activity": e.activity,
                "readiness": match["readiness"]
                if match
                else ("unknown NICIP code" if code and e.nicip_code else "not a NICIP code"),
                "ready": bool(match and match["ready"]),
                "reason": match["reason"]
                if match
                else (
                    f"{code} is not in the loaded NICIP release"
                    if code and e.nicip_code
                    else "no NICIP code given and the local code is not one"
                ),
                "modality": match["modality"] if match else None,
                "row": e.row,
            }
        )
    return out


def exam_summary(joined: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Ready and blocked exams, by count and weighted by activity."""
    joined = list(joined)
    count = Counter("ready" if j["ready"] else "blocked" for j in joined)
    weight: Counter[str] = Counter()
    for j in joined:
        weight["ready" if j["ready"] else "blocked"] += j["activity"] or 0
    total = sum(weight.values())
    return {
        "exams": len(joined),
        "ready": count["ready"],
        "blocked": count["blocked"],
        "activity_ready": weight["ready"],
        "activity_blocked": weight["blocked"],
        "activity_ready_share": weight["ready"] / total if total else None,
    }
