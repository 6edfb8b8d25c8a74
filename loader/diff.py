"""What changed between two NICIP releases, code by code, in the codes and in both maps.

Every loaded NICIP release keeps what it said of each code (``IN_RELEASE``), so two
releases are compared from the graph (``cypher/release-snapshots.cypher``). Each change is
one flat row ``{code, modality, change, old, new}``, so it can be shown, counted by
modality and exported as it is:

============================  =======================================================
change                        when
============================  =======================================================
added                         listed by the new release only
removed                       listed by the old release only
retired                       active (or unstated) in the old release, inactive in the new
reactivated                   inactive in the old release, active in the new
re-described                  the description changed
SNOMED CT map changed         the concepts the code maps to changed
OPCS-4 map changed            the NICIP to OPCS-4 map's codes changed
OPCS-4 via SNOMED CT changed  the OPCS-4 codes reached through the code's concepts
                              changed (with the SNOMED CT to OPCS-4 map as loaded now)
============================  =======================================================

Concepts whose SNOMED CT effective time falls between the two releases' dates are listed
apart with the NICIP codes they affect (``cypher/snomed-changed-between.cypher``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from loader import queries
from loader.codes import opcs_dotted
from loader.errors import NicipError
from loader.stores.base import GraphStore

__all__ = ["CHANGES", "ReleaseDiff", "diff"]

CHANGES = (
    "added",
    "removed",
    "retired",
    "reactivated",
    "re-described",
    "SNOMED CT map changed",
    "OPCS-4 map changed",
    "OPCS-4 via SNOMED CT changed",
)


@dataclass
class ReleaseDiff:
    old: dict[str, Any]
    new: dict[str, Any]
    changes: list[dict[str, Any]] = field(default_factory=list)
    concepts: list[dict[str, Any]] = field(default_factory=list)

    def by_modality(self) -> dict[str, dict[str, int]]:
        """Per modality, the number of codes with each kind of change."""
        out: dict[str, Counter[str]] = defaultdict(Counter)
        for c in self.changes:
            out[c["modality"] or "Unknown"][c["change"]] += 1
        return {m: dict(v) for m, v in sorted(out.items())}

    def counts(self) -> dict[str, int]:
        return dict(Counter(c["change"] for c in self.changes))


def _release(store: GraphStore, name: str) -> dict[str, Any]:
    releases = queries.run(store, "nicip-releases").records()
    for r in releases:
        if name in (r["release"], r["label"]):
            return r
    known = ", ".join(r["release"] for r in releases) or "none loaded"
    raise NicipError(f"no NICIP release {name!r}; the NICIP releases are: {known}")


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


def diff(store: GraphStore, old: str, new: str) -> ReleaseDiff:
    """Compare NICIP release ``old`` with ``new`` (ids like ``nicip:2025-04-01`` or labels)."""
    o, n = _release(store, old), _release(store, new)
    result = ReleaseDiff(o, n)
    snaps: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    modality: dict[str, str | None] = {}
    for row in queries.run(
        store, "release-snapshots", {"old": o["release"], "new": n["release"]}
    ).records():
        snaps[row["code"]][row["release"]] = row
        modality[row["code"]] = row["modality"]

    concept_ids = {i for s in snaps.values() for r in s.values() for i in r["snomed"] or ()}
    via: dict[int, list[str]] = {}
    if concept_ids:
        ids = ",".join(str(i) for i in sorted(concept_ids))
        via = {
            r["id"]: sorted(r["opcs"])
            for r in queries.run(store, "snomed-opcs-of", {"ids": ids}).records()
        }

    def add(code: str, change: str, before: Any, after: Any) -> None:
        result.changes.append(
            {
                "code": code,
                "modality": modality.get(code),
                "change": change,
                "old": _text(before),
                "new": _text(after),
            }
        )

    for code in sorted(snaps):
        a, b = snaps[code].get(o["release"]), snaps[code].get(n["release"])
        if a is None:
            assert b is not None
            add(code, "added", None, b["description"] or "")
            continue
        if b is None:
            add(code, "removed", a["description"] or "", None)
            continue
        if a["active"] is not False and b["active"] is False:
            add(
                code,
                "retired",
                "active",
                "inactive" + (f" from {b['inactive_date']}" if b["inactive_date"] else ""),
            )
        elif a["active"] is False and b["active"] is not False:
            add(code, "reactivated", "inactive", "active")
        if (
            a["description"] is not None
            and b["description"] is not None
            and a["description"] != b["description"]
        ):
            add(code, "re-described", a["description"], b["description"])
        if (
            a["snomed"] is not None
            and b["snomed"] is not None
            and sorted(a["snomed"]) != sorted(b["snomed"])
        ):
            add(code, "SNOMED CT map changed", sorted(a["snomed"]), sorted(b["snomed"]))
            before = sorted({x for i in a["snomed"] for x in via.get(i, [])})
            after = sorted({x for i in b["snomed"] for x in via.get(i, [])})
            if before != after:
                add(code, "OPCS-4 via SNOMED CT changed", before, after)
        if (
            a["opcs"] is not None
            and b["opcs"] is not None
            and sorted(a["opcs"]) != sorted(b["opcs"])
        ):
            add(
                code,
                "OPCS-4 map changed",
                [opcs_dotted(x) for x in sorted(a["opcs"])],
                [opcs_dotted(x) for x in sorted(b["opcs"])],
            )

    if o["date"] and n["date"]:
        result.concepts = queries.run(
            store, "snomed-changed-between", {"since": o["date"], "until": n["date"]}
        ).records()
    return result
