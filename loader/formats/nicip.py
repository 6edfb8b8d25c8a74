"""NICIP tables: the code set itself, its SNOMED CT map, and the NICIP to OPCS-4 map.

The TRUD release's own layout (sheet names, column headers) is not public, so a NICIP table
is any CSV, TSV or XLSX table with a column naming the NICIP code and at least one more
field. Columns are recognised by the header aliases in :data:`ALIASES` and can be named
explicitly (``--column snomed_id="Concept Id"``). The same reader takes

- a full code table (code, description, status, SNOMED CT id, dates, ...);
- a two-column code-pairs file such as ``nicip_code,snomed_concept_id``;
- a NICIP to OPCS-4 map: code plus one or more OPCS-4 columns (``OPCS 1``, ``OPCS 2`` ...)
  or one column holding several codes separated by ``;``, ``,``, ``/``, ``|`` or spaces.

A file with a description column lists each code once (a repeated code is an error that
names both rows); a file without one is a list of pairs, where a repeated code adds a map.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from pathlib import Path

from loader.codes import CodeFormatError, parse_nicip_code, parse_opcs_code, parse_sctid
from loader.errors import InputError
from loader.formats.table import Table, read_table
from loader.model import NicipRecord

__all__ = ["ALIASES", "FIELDS", "kind_of", "parse_nicip", "read_nicip", "write_nicip_csv"]

ALIASES: dict[str, tuple[str, ...]] = {
    "code": (
        "nicip code",
        "nicip_code",
        "nicip",
        "code",
        "nicip short code",
        "short code",
        "imaging code nicip",
        "nicip id",
        "coded procedure nicip",
        "did nicip code",
    ),
    "description": (
        "description",
        "nicip description",
        "procedure description",
        "nicip name",
        "nicip term",
        "term",
        "name",
        "exam name",
        "examination",
    ),
    "active": ("status", "active", "code status", "active status", "nicip status", "in use"),
    "snomed_id": (
        "snomed ct id",
        "snomed_concept_id",
        "snomed ct concept id",
        "snomed concept id",
        "snomed id",
        "snomed code",
        "snomed ct code",
        "snomedct",
        "snomed ct",
        "snomed",
        "sct id",
        "sctid",
        "concept id",
        "conceptid",
        "imaging code snomed ct",
        "did snomedct code",
    ),
    "opcs": (
        "opcs 4",
        "opcs4",
        "opcs",
        "opcs code",
        "opcs 4 code",
        "opcs 4 codes",
        "opcs codes",
        "opcs4 code",
        "opcs4 codes",
        "opcs 4 code s",
    ),
    "modality": ("modality", "imaging modality"),
    "body_site": ("body site", "body part", "anatomical site", "site", "body region", "region"),
    "laterality": ("laterality", "side", "anatomical side"),
    "effective_date": (
        "effective date",
        "date added",
        "start date",
        "valid from",
        "effective from",
        "date created",
        "introduced",
    ),
    "inactive_date": (
        "inactive date",
        "inactivation date",
        "retired date",
        "date retired",
        "end date",
        "valid to",
        "effective to",
        "date inactivated",
        "retired",
    ),
}
FIELDS = tuple(ALIASES)
_MULTI = {"opcs": ("opcs",)}

_TRUE = {"active", "a", "1", "y", "yes", "true", "current", "live"}
_FALSE = {"inactive", "i", "0", "n", "no", "false", "retired", "deprecated", "withdrawn"}
_SIDES = {
    "b": "Both",
    "both": "Both",
    "bilateral": "Both",
    "l": "Left",
    "lt": "Left",
    "left": "Left",
    "r": "Right",
    "rt": "Right",
    "right": "Right",
}
_NO_SIDE = {"", "n/a", "na", "none", "-", "not applicable"}
_SPLIT = re.compile(r"[;,/|\s]+")


def kind_of(table: Table) -> str:
    """How a NICIP table is described to the user, from the fields it carries."""
    fields = set(table.columns) | set(table.multi)
    if "opcs" in fields and not fields & {"description", "snomed_id"}:
        return "NICIP to OPCS-4 map"
    if fields <= {"code", "snomed_id"}:
        return "NICIP to SNOMED CT map"
    return "NICIP code table"


def _open(path: Path, overrides: Mapping[str, str] | None, sheet: str | None) -> Table:
    return read_table(
        path,
        ALIASES,
        required=("code",),
        multi_prefixes=_MULTI,
        overrides=overrides,
        sheet=sheet,
        what="NICIP table",
    )


def read_nicip(
    path: str | Path,
    overrides: Mapping[str, str] | None = None,
    sheet: str | None = None,
) -> tuple[Table, Iterator[NicipRecord]]:
    """Open a NICIP table; return it (for its kind and notes) and its records."""
    bad = set(overrides or {}) - set(FIELDS)
    if bad:
        raise InputError(
            Path(path).name,
            None,
            None,
            ", ".join(sorted(bad)),
            f"--column fields among {', '.join(FIELDS)}",
        )
    table = _open(Path(path), overrides, sheet)
    fields = set(table.columns) | set(table.multi)
    if fields == {"code"}:
        raise InputError(
            table.file,
            table.header_row,
            table.header_of("code"),
            table.headers,
            "a NICIP code column and at least one more field "
            "(description, SNOMED CT id, OPCS-4 code, status ...)",
            "Name the other columns with --column FIELD=HEADER",
        )
    return table, parse_nicip(table)


def parse_nicip(table: Table) -> Iterator[NicipRecord]:
    """Typed records from a NICIP table, checked cell by cell."""
    file = table.file
    has = set(table.columns) | set(table.multi)
    one_row_per_code = "description" in has
    seen: dict[str, int] = {}

    def header(name: str) -> str:
        if name in table.columns:
            return table.headers[table.columns[name]]
        return " + ".join(table.headers[i] for i in table.multi[name])

    for row, cells in table.records():
        try:
            code = parse_nicip_code(cells["code"])
        except CodeFormatError as err:
            raise InputError(
                file, row, header("code"), cells["code"], err.expected, err.hint
            ) from None
        if one_row_per_code and code in seen:
            raise InputError(
                file,
                row,
                header("code"),
                code,
                f"each code once in a code table; it is already on row {seen[code]}",
                "Remove the repeated row, or load the maps as a separate pairs file",
            )
        seen.setdefault(code, row)

        snomed_id = None
        if "snomed_id" in has and cells["snomed_id"].strip():
            try:
                snomed_id = parse_sctid(cells["snomed_id"], "concept")
            except CodeFormatError as err:
                raise InputError(
                    file, row, header("snomed_id"), cells["snomed_id"], err.expected, err.hint
                ) from None
        opcs: tuple[str, ...] | None = None
        if "opcs" in has:
            found: list[str] = []
            for part in _SPLIT.split(cells["opcs"].strip()):
                if not part:
                    continue
                try:
                    c = parse_opcs_code(part)
                except CodeFormatError as err:
                    raise InputError(
                        file, row, header("opcs"), part, err.expected, err.hint
                    ) from None
                if c not in found:
                    found.append(c)
            opcs = tuple(found)

        yield NicipRecord(
            code=code,
            row=row,
            description=_text(cells, "description"),
            active=_active(file, row, header, cells),
            snomed_id=snomed_id,
            opcs_codes=opcs,
            modality=_text(cells, "modality"),
            body_site=_text(cells, "body_site"),
            laterality=_side(file, row, header, cells),
            effective_date=_date(file, row, header, cells, "effective_date"),
            inactive_date=_date(file, row, header, cells, "inactive_date"),
        )


def _text(cells: Mapping[str, str], name: str) -> str | None:
    if name not in cells:
        return None
    return " ".join(cells[name].split())


def _active(file: str, row: int, header, cells: Mapping[str, str]) -> bool | None:  # type: ignore[no-untyped-def]
    if "active" not in cells:
        return None
    v = cells["active"].strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise InputError(
        file,
        row,
        header("active"),
        cells["active"],
        "a status such as Active/Inactive, Y/N or 1/0",
    )


def _side(file: str, row: int, header, cells: Mapping[str, str]) -> str | None:  # type: ignore[no-untyped-def]
    if "laterality" not in cells:
        return None
    v = cells["laterality"].strip().lower()
    if v in _NO_SIDE:
        return None
    if v in _SIDES:
        return _SIDES[v]
    raise InputError(
        file,
        row,
        header("laterality"),
        cells["laterality"],
        "a side: B/L/R, Both/Left/Right, Lt/Rt, or empty",
    )


_DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def _date(file: str, row: int, header, cells: Mapping[str, str], name: str) -> date | None:  # type: ignore[no-untyped-def]
    if name not in cells:
        return None
    v = cells[name].strip()
    if not v:
        return None
    if len(v) > 10 and v[10] in "T ":
        v = v[:10]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(v, fmt).date()
        except ValueError:
            continue
    raise InputError(
        file,
        row,
        header(name),
        cells[name],
        "a date as YYYY-MM-DD, YYYYMMDD or DD/MM/YYYY",
    )


def write_nicip_csv(records: list[NicipRecord], path: str | Path) -> None:
    """Write records as a NICIP code table CSV (for tests and the sample release)."""
    import csv

    cols = [
        "code",
        "description",
        "active",
        "snomed_id",
        "opcs",
        "modality",
        "body_site",
        "laterality",
        "effective_date",
        "inactive_date",
    ]
    headers = {
        "code": "NICIP Code",
        "description": "Description",
        "active": "Status",
        "snomed_id": "SNOMED CT Concept ID",
        "opcs": "OPCS-4 Codes",
        "modality": "Modality",
        "body_site": "Body Site",
        "laterality": "Laterality",
        "effective_date": "Effective Date",
        "inactive_date": "Inactive Date",
    }
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(headers[c] for c in cols)
        for r in records:
            w.writerow(
                [
                    r.code,
                    r.description or "",
                    "" if r.active is None else ("Active" if r.active else "Inactive"),
                    r.snomed_id or "",
                    ";".join(r.opcs_codes or ()),
                    r.modality or "",
                    r.body_site or "",
                    r.laterality or "",
                    r.effective_date.isoformat() if r.effective_date else "",
                    r.inactive_date.isoformat() if r.inactive_date else "",
                ]
            )
