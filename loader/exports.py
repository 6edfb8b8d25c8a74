"""Migration readiness as files other tools read: a worklist, a FHIR ConceptMap, SSSOM.

The input is the rows of the named query ``migration-readiness`` as dicts
(``queries.run(store, "migration-readiness").records()``, optionally passed through
``migration.with_reasons``): ``code``, ``description``, ``modality``, ``readiness``,
``targets`` (SNOMED CT concept ids), ``target_terms``, ``replacements`` (concepts that
replace an inactive target), ``sharing``, ``colliding``, ``laterality`` and perhaps
``reason`` and ``ready``.

**Worklist CSV** (``worklist_csv``): UTF-8, comma separated, one header row, the columns in
the order their keys are first seen, lists joined with ``"; "``, ``None`` empty. Any list of
dicts can be written, not only readiness rows.

**Worklist XLSX** (``worklist_xlsx``): the same table on a sheet "Worklist" (bold, frozen
header row, an autofilter, column widths from the content), numbers kept as numbers except
integers of more than 15 digits (SNOMED CT ids), which Excel would round, written as text;
and a sheet "Summary" of rows ``by, value, count``: the total, then the count per
readiness class (in the order of ``migration.CLASSES``, zeros included) and per modality,
for those of the ``summary_by`` columns the rows have.

Both are guarded against spreadsheet formula injection (OWASP "CSV Injection"): every text
cell, the header included, that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading ``'`` (``neutralise``), so a spreadsheet shows it as text and never
runs it. Numbers, booleans and dates are not text and are left alone.

**FHIR R4 ConceptMap** (``concept_map``): a JSON-ready dict, source system
``https://nicip.nhs.uk`` (NHS England's system for NICIP, codes as in
``https://nicip.nhs.uk#MAULR``), target ``http://snomed.info/sct``, one group, one element
per code that is not retired, in input order. Each target's ``equivalence`` (R4
ConceptMapEquivalence) says only what the release and SNOMED CT show:

================================  ============  ==============================================
readiness                         equivalence   why
================================  ============  ==============================================
one-to-one                        equivalent    the release names one active concept, which
                                                no other code shares
laterality family                 wider         the concept states no side, the code does
                                                (comment: the side, the codes sharing it)
collision                         inexact       codes for other procedures share the concept,
                                                so it cannot be equal to each of them
                                                (comment: the colliding codes)
several targets                   relatedto     each concept is one of several; which covers
                                                the procedure, or whether each covers part of
                                                it, is not stated, so nothing narrower is
                                                honest (comment: the choice to make)
inactive target, replaced         relatedto     one target per replacement concept: the
                                                historical association (SAME AS, POSSIBLY
                                                EQUIVALENT TO, REPLACED BY...) is not in the
                                                row, so equivalence cannot be claimed
                                                (comment: the inactive concept)
inactive target, no replacement   unmatched     no active concept: a target naming the
                                                inactive one would be used by ``$translate``
                                                and refused by DIDS (comment: the inactive
                                                concept)
no target                         unmatched     the release names no concept
retired                           (left out)    the code is no longer in use; the map is for
                                                migrating the codes in use, and R4 has no
                                                status per element to mark it retired
================================  ============  ==============================================

An ``unmatched`` target has no ``code`` (R4 requires that shape); ``inexact`` targets
always carry a comment (invariant cmd-1). Retired codes stay in the worklist. Strictly,
R4's ``sourceUri``/``targetUri`` name value sets; they carry the code system URIs here, as
the group does.

**SSSOM TSV** (``sssom_tsv``): the Simple Standard for Sharing Ontological Mappings. A
YAML metadata block on ``#`` lines (``curie_map``, ``mapping_set_id``, ``license``,
``mapping_tool`` and the rest), then a tab-separated table with the columns
``subject_id, subject_label, predicate_id, object_id, object_label,
mapping_justification, subject_source, object_source, comment`` (columns empty in every
row are left out, as the spec asks; the four required ones never are). Codes are
``NICIP:XWRIB`` (``https://nicip.nhs.uk#XWRIB``), concepts ``SCTID:60027007``
(``http://snomed.info/id/60027007``). Retired codes have no row.

================================  ==================  ======================================
readiness                         predicate_id        mapping_justification
================================  ==================  ======================================
one-to-one                        skos:exactMatch     semapv:ManualMappingCuration
laterality family                 skos:broadMatch     semapv:ManualMappingCuration (the
                                                      object, with no side, is broader)
collision                         skos:relatedMatch   semapv:ManualMappingCuration (the
                                                      shared concept is not known to be
                                                      broader: the map may simply be coarse)
several targets                   skos:relatedMatch   semapv:ManualMappingCuration, one row
                                                      per concept
inactive target, replaced         skos:relatedMatch   semapv:MappingChaining: the released
                                                      map, then SNOMED CT's historical
                                                      association, one row per replacement
inactive target, no replacement   skos:exactMatch     semapv:UnspecifiedMatching, object
                                                      sssom:NoTermFound (comment: the
                                                      inactive concept)
no target                         skos:exactMatch     semapv:UnspecifiedMatching, object
                                                      sssom:NoTermFound
================================  ==================  ======================================

``sssom:NoTermFound`` with ``skos:exactMatch`` reads "no entity in ``object_source`` was
found that maps with ``skos:exactMatch``" (the SSSOM spec's own example). Its
justification is ``UnspecifiedMatching`` because nobody searched SNOMED CT and found
nothing: the release is merely silent. The default licence is
``https://w3id.org/sssom/license/all-rights-reserved``, since NICIP and SNOMED CT are
licensed content; pass another if yours allows it. SSSOM text is not neutralised: it is
data for mapping tools, and changing labels would corrupt it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from importlib import metadata
from typing import IO, Any, overload

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from loader.migration import CLASSES

__all__ = [
    "ALL_RIGHTS_RESERVED",
    "CONCEPT_MAP_URL",
    "CURIE_MAP",
    "EQUIVALENCE",
    "NICIP_SYSTEM",
    "PREDICATE",
    "SNOMED_SYSTEM",
    "concept_map",
    "is_absolute_uri",
    "neutralise",
    "sssom_tsv",
    "worklist_csv",
    "worklist_xlsx",
]

NICIP_SYSTEM = "https://nicip.nhs.uk"
SNOMED_SYSTEM = "http://snomed.info/sct"
CONCEPT_MAP_URL = "urn:nicip-graph:ConceptMap:nicip-to-snomed-ct"
ALL_RIGHTS_RESERVED = "https://w3id.org/sssom/license/all-rights-reserved"

#: R4 ConceptMap equivalence per readiness class (retired codes are left out).
EQUIVALENCE: dict[str, str] = {
    "one-to-one": "equivalent",
    "laterality family": "wider",
    "collision": "inexact",
    "several targets": "relatedto",
    "inactive target, replaced": "relatedto",
    "inactive target, no replacement": "unmatched",
    "no target": "unmatched",
}
#: SSSOM predicate per readiness class (retired codes have no row).
PREDICATE: dict[str, str] = {
    "one-to-one": "skos:exactMatch",
    "laterality family": "skos:broadMatch",
    "collision": "skos:relatedMatch",
    "several targets": "skos:relatedMatch",
    "inactive target, replaced": "skos:relatedMatch",
    "inactive target, no replacement": "skos:exactMatch",
    "no target": "skos:exactMatch",
}
#: Prefixes of the SSSOM file. ``nicip_system:`` and ``snomed_system:`` (empty local part)
#: expand to the two code systems' FHIR URIs, for ``subject_source``/``object_source``.
CURIE_MAP: dict[str, str] = {
    "NICIP": NICIP_SYSTEM + "#",
    "SCTID": "http://snomed.info/id/",
    "nicip_system": NICIP_SYSTEM,
    "semapv": "https://w3id.org/semapv/vocab/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "snomed_system": SNOMED_SYSTEM,
    "sssom": "https://w3id.org/sssom/",
}

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number
_FHIR_DATETIME = re.compile(
    r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]"
    r"|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]{1,9})?)?)?"
    r"(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)?)?)?"
)
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")


def is_absolute_uri(text: str) -> bool:
    """Whether ``text`` is an absolute URI (a scheme, a colon, no spaces): SSSOM's rule."""
    return bool(_URI.fullmatch(text))


Rows = Iterable[Mapping[str, Any]]


# -- worklists ------------------------------------------------------------------------------


@overload
def neutralise(value: str) -> str: ...
@overload
def neutralise[T](value: T) -> T: ...
def neutralise(value: Any) -> Any:
    """``value`` made safe for a spreadsheet cell: a str that a spreadsheet would read as a
    formula (first character ``=``, ``+``, ``-``, ``@``, tab or carriage return) gets a
    leading ``'``; anything else is returned unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def _joined(value: list[Any] | tuple[Any, ...]) -> str:
    return "; ".join("" if v is None else str(v) for v in value)


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return neutralise(_joined(value))
    return neutralise(value)


def _xlsx_cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        value = _joined(value)
    if value == "":
        return None
    if isinstance(value, bool | float | Decimal):
        return value
    if isinstance(value, int):
        return neutralise(str(value)) if len(str(abs(value))) > _EXCEL_DIGITS else value
    if isinstance(value, dt.datetime | dt.time) and value.tzinfo is not None:
        value = value.isoformat()  # Excel has no time zones
    elif isinstance(value, dt.date | dt.time):
        return value
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value)))


@contextmanager
def _opened(target: str | os.PathLike[str] | IO[str], **open_args: Any) -> Iterator[IO[str]]:
    if isinstance(target, str | os.PathLike):
        with open(target, "w", encoding="utf-8", **open_args) as f:
            yield f
    else:
        yield target


def worklist_csv(rows: Rows, path_or_buffer: str | os.PathLike[str] | IO[str]) -> int:
    """Write ``rows`` (any dicts) as a neutralised CSV table; return the number of rows."""
    rows = list(rows)
    columns = _columns(rows)
    with _opened(path_or_buffer, newline="") as out:
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow([neutralise(c) for c in columns])
        for row in rows:
            w.writerow([_csv_cell(row.get(c)) for c in columns])
    return len(rows)


def _table(ws: Worksheet, header: Sequence[Any], body: Iterable[Sequence[Any]]) -> None:
    if not header:
        return
    ws.append([_xlsx_cell(h) for h in header])
    widths = [len(str(h)) for h in header]
    for values in body:
        cells = [_xlsx_cell(v) for v in values]
        ws.append(cells)
        for i, v in enumerate(cells):
            if v is not None:
                widths[i] = max(widths[i], len(str(v)))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(width, 8), 60) + 2


def _summary(rows: Sequence[Mapping[str, Any]], by: Sequence[str]) -> list[tuple[str, str, int]]:
    out = [("total", "", len(rows))]
    for column in by:
        if not any(column in row for row in rows):
            continue
        counts = Counter("" if row.get(column) is None else str(row.get(column)) for row in rows)
        order = list(CLASSES) if column == "readiness" else []
        order += sorted((v for v in counts if v not in order), key=lambda v: (-counts[v], v))
        out += [(column, value or "(none)", counts[value]) for value in order]
    return out


def worklist_xlsx(
    rows: Rows,
    path_or_buffer: str | os.PathLike[str] | IO[bytes],
    *,
    sheet_title: str = "Worklist",
    summary_by: Sequence[str] = ("readiness", "modality"),
) -> int:
    """Write ``rows`` (any dicts) as a neutralised XLSX workbook: the table on
    ``sheet_title``, and a sheet "Summary" counting rows by each ``summary_by`` column the
    rows have (none when ``summary_by`` is empty). Return the number of rows."""
    rows = list(rows)
    columns = _columns(rows)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet_title
    _table(ws, columns, ([row.get(c) for c in columns] for row in rows))
    if summary_by:
        _table(wb.create_sheet("Summary"), ("by", "value", "count"), _summary(rows, summary_by))
    wb.save(path_or_buffer)  # a path, or a binary file object
    return len(rows)


# -- FHIR ConceptMap -----------------------------------------------------------------------


def _concept(row: Mapping[str, Any], i: int = 0) -> str:
    terms = row.get("target_terms") or []
    term = terms[i] if i < len(terms) else None
    return f"{row['targets'][i]} |{term}|" if term else str(row["targets"][i])


def _check(row: Mapping[str, Any]) -> str:
    kind = row.get("readiness")
    if kind != "retired" and kind not in EQUIVALENCE:
        raise ValueError(f"{row.get('code')}: unknown readiness class {kind!r}")
    if kind not in ("retired", "no target") and not row.get("targets"):
        raise ValueError(f"{row.get('code')}: readiness {kind!r} but no targets")
    if kind == "inactive target, replaced" and not row.get("replacements"):
        raise ValueError(f"{row.get('code')}: readiness {kind!r} but no replacements")
    return str(kind)


def _comment(row: Mapping[str, Any], kind: str, i: int = 0) -> str | None:
    if kind == "laterality family":
        side = row.get("laterality")
        whose = f"this code's side ({side})" if side else "the side"
        return (
            f"The concept states no side; {whose} must be recorded separately. Shared with "
            f"{', '.join(row.get('sharing') or [])}, which differ only by side."
        )
    if kind == "collision":
        return (
            f"The concept also carries {', '.join(row.get('colliding') or [])}, codes for "
            "other procedures; it does not tell them apart."
        )
    if kind == "several targets":
        n = len(row["targets"])
        return f"One of {n} concepts the NICIP map names for this code; choose one."
    if kind == "inactive target, replaced":
        return (
            f"Replaces {_concept(row)}, the concept the NICIP map names, which is inactive "
            "in SNOMED CT; the kind of replacement is not stated."
        )
    if kind == "inactive target, no replacement":
        return (
            f"The NICIP map names {_concept(row)}, which is inactive in SNOMED CT and has "
            "no replacement."
        )
    if kind == "no target":
        return "The NICIP release maps this code to no SNOMED CT concept."
    return None


def _targets(row: Mapping[str, Any], kind: str) -> list[dict[str, Any]]:
    equivalence = EQUIVALENCE[kind]
    comment = _comment(row, kind)
    if equivalence == "unmatched":
        return [{"equivalence": "unmatched", "comment": comment}]
    if kind == "inactive target, replaced":
        return [
            {"code": str(r), "equivalence": equivalence, "comment": comment}
            for r in row["replacements"]
        ]
    out = []
    terms = row.get("target_terms") or []
    for i, concept in enumerate(row["targets"]):
        target: dict[str, Any] = {"code": str(concept)}
        if i < len(terms) and terms[i]:
            target["display"] = terms[i]
        target["equivalence"] = equivalence
        if comment:
            target["comment"] = comment
        out.append(target)
    return out


def concept_map(
    rows: Rows,
    *,
    version: str | None = None,
    date: str | None = None,
    url: str = CONCEPT_MAP_URL,
) -> dict[str, Any]:
    """A FHIR R4 ConceptMap from NICIP to SNOMED CT, as a dict ready for ``json.dumps``.

    ``version`` is the map's business version (e.g. the NICIP release it was made from),
    ``date`` a FHIR dateTime (``2025-04-01``); both are left out when None. The
    equivalence of each target follows the table in this module's docstring.
    """
    if date is not None and not _FHIR_DATETIME.fullmatch(date):
        raise ValueError(f"date must be a FHIR dateTime such as 2025-04-01, got {date!r}")
    elements = []
    for row in rows:
        kind = _check(row)
        if kind == "retired":
            continue
        element: dict[str, Any] = {"code": row["code"]}
        if row.get("description"):
            element["display"] = row["description"]
        element["target"] = _targets(row, kind)
        elements.append(element)
    cm: dict[str, Any] = {"resourceType": "ConceptMap", "id": "nicip-to-snomed-ct", "url": url}
    if version is not None:
        cm["version"] = version
    cm |= {"name": "NICIPToSNOMEDCT", "title": "NICIP to SNOMED CT", "status": "draft"}
    if date is not None:
        cm["date"] = date
    cm |= {
        "description": (
            "The NICIP release's map to SNOMED CT, with each target's equivalence judged "
            "from its migration readiness: equivalent (one code, one active concept), wider "
            "(the concept has no side), inexact (codes for other procedures share the "
            "concept), relatedto (one of several concepts, or the replacement of an inactive "
            "one), unmatched (no concept, or an inactive one nothing replaces). Retired "
            "codes are left out."
        ),
        "sourceUri": NICIP_SYSTEM,
        "targetUri": SNOMED_SYSTEM,
    }
    if elements:  # R4: a group has at least one element
        cm["group"] = [{"source": NICIP_SYSTEM, "target": SNOMED_SYSTEM, "element": elements}]
    return cm


# -- SSSOM ---------------------------------------------------------------------------------

_SSSOM_COLUMNS = (
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "subject_source",
    "object_source",
    "comment",
)
_SSSOM_REQUIRED = ("subject_id", "predicate_id", "object_id", "mapping_justification")
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_ ./:#+-]*")


def _mappings(row: Mapping[str, Any], kind: str) -> list[dict[str, str]]:
    base = {
        "subject_id": f"NICIP:{row['code']}",
        "subject_label": row.get("description") or "",
        "predicate_id": PREDICATE[kind],
        "subject_source": "nicip_system:",
        "object_source": "snomed_system:",
        "comment": _comment(row, kind) or "",
    }
    if EQUIVALENCE[kind] == "unmatched":
        justification = "semapv:UnspecifiedMatching"
        return [base | {"object_id": "sssom:NoTermFound", "mapping_justification": justification}]
    if kind == "inactive target, replaced":
        justification = "semapv:MappingChaining"
        return [
            base | {"object_id": f"SCTID:{r}", "mapping_justification": justification}
            for r in row["replacements"]
        ]
    terms = row.get("target_terms") or []
    return [
        base
        | {
            "object_id": f"SCTID:{concept}",
            "object_label": (terms[i] if i < len(terms) else None) or "",
            "mapping_justification": "semapv:ManualMappingCuration",
        }
        for i, concept in enumerate(row["targets"])
    ]


def _yaml_scalar(value: str, *, is_date: bool = False) -> str:
    plain = (is_date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) or (
        _PLAIN.fullmatch(value)
        and ": " not in value
        and " #" not in value
        and not value.endswith((":", " "))
        and value.lower() not in {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}
    )
    return value if plain else json.dumps(value, ensure_ascii=False)


def _tool_version() -> str | None:
    try:
        return metadata.version("nicip-graph")
    except metadata.PackageNotFoundError:
        return None


def sssom_tsv(
    rows: Rows,
    out: str | os.PathLike[str] | IO[str],
    *,
    mapping_set_id: str,
    license: str = ALL_RIGHTS_RESERVED,
    version: str | None = None,
    date: str | None = None,
) -> int:
    """Write the map as an SSSOM/TSV mapping set; return the number of mapping rows.

    ``mapping_set_id`` and ``license`` must be absolute URIs; ``version`` becomes
    ``mapping_set_version`` and ``date`` (``YYYY-MM-DD``) ``publication_date`` when given.
    The predicate and justification of each row follow the table in this module's
    docstring.
    """
    for name, value in (("mapping_set_id", mapping_set_id), ("license", license)):
        if not is_absolute_uri(value):
            raise ValueError(f"{name} must be an absolute URI, got {value!r}")
    if date is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        raise ValueError(f"date must be YYYY-MM-DD, got {date!r}")
    mappings = []
    for row in rows:
        kind = _check(row)
        if kind != "retired":
            mappings += _mappings(row, kind)
    meta: dict[str, Any] = {
        "curie_map": CURIE_MAP,
        "mapping_set_id": mapping_set_id,
        "mapping_set_version": version,
        "mapping_set_title": "NICIP to SNOMED CT",
        "mapping_set_description": (
            "The NICIP release's map to SNOMED CT, with predicates judged from each code's "
            "migration readiness by nicip-graph. Retired codes are left out."
        ),
        "license": license,
        "mapping_tool": "nicip-graph",
        "mapping_tool_version": _tool_version(),
        "publication_date": date,
    }
    columns = [c for c in _SSSOM_COLUMNS if c in _SSSOM_REQUIRED or any(m.get(c) for m in mappings)]
    with _opened(out, newline="") as f:
        for key, value in meta.items():
            if isinstance(value, dict):
                f.write(f"#{key}:\n")
                f.writelines(f"#  {k}: {_yaml_scalar(v)}\n" for k, v in value.items())
            elif value is not None:
                f.write(f"#{key}: {_yaml_scalar(value, is_date=key == 'publication_date')}\n")
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(columns)
        for m in mappings:
            w.writerow([m.get(c, "") for c in columns])
    return len(mappings)
