"""NICIP tables: the code set itself, its SNOMED CT map, and the NICIP to OPCS-4 map.

The TRUD release's own layout (sheet names, column headers) is not public, so a NICIP table
is any CSV, TSV or XLSX table with a column naming the NICIP code and at least one more
field. Columns are recognised by the header aliases in :data:`ALIASES` and can be named
explicitly (``--column snomed_id="Concept Id"``). The same reader takes

- a full code table (code, description, status, SNOMED CT id, dates, ...);
- a two-column code-pairs file such as ``nicip_code,snomed_concept_id``;
- a NICIP to OPCS-4 map: code plus one or more OPCS-4 columns (``OPCS 1``, ``OPCS 2`` ...)
  or one column holding several codes separated by ``;``, ``,``, ``/``, ``|`` or spaces.

A file with a description column lists each code once; a file without one is a list of
pairs, where a repeated code adds a map.

What is repaired, and noted in the load report with the rows it touched, is what can be
repaired without guessing: spaces (also non-breaking and zero-width ones) and lower case
around a code; an OPCS-4 code dotted or not (both are read; a file mixing them is noted); a
SNOMED CT id written as a decimal (``60027007.0``); a footnote mark (``*`` ``†`` ``‡``
``§`` ``¶``) stuck to a code, which NHS Digital tables use (FIELD_NOTES 7) and no code
system does - the note asks the reader to look at the footnotes, which may matter; a row
repeated word for word in a code table (dropped). Kept as written but noted: descriptions
longer than NICIP's 40 characters, and text cells holding a spreadsheet formula (``=...``),
which exports must neutralise. Everything else that is not a value of its column is
refused, naming file, row, column and value: a formula or text where a code belongs, an id
in scientific notation, a code repeated with other values.

**Footers are refused, not skipped.** A copyright or "Source:" line under a table
(FIELD_NOTES 6) fails the code check like any other bad code, and the message suggests
deleting it. Skipping lines that look like footers would also skip a damaged code that
happens to look like text (``XR Wrist``, a code pasted with its description) or a real row
after a footer, and would do so silently; deleting a footer costs the user one edit, and
the load never drops a row it was given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import fields as record_fields
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from loader.codes import (
    CodeFormatError,
    opcs_dotted,
    parse_nicip_code,
    parse_opcs_code,
    parse_sctid,
    strip_footnote_mark,
    strip_spaces,
)
from loader.errors import InputError
from loader.formats.table import Table, normalise_header, read_table
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
    "replaced_by": (
        "replaced by",
        "replacement",
        "replacement code",
        "replacement nicip code",
        "successor",
        "successor code",
        "new code",
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


#: Every header text a field is known by: a code cell holding one is a header row.
_HEADER_WORDS = {normalise_header(a) for names in ALIASES.values() for a in names}

#: The longest description the NICIP editorial principles allow.
DESCRIPTION_LIMIT = 40

_SPACES_OR_CASE = "{what} with spaces or lower case, repaired"
_SPACES = "{what} with spaces around them, repaired"
_FOOTNOTE = "footnote marks such as \u2021 taken off {what} (read the table's footnotes)"


def _checked[T](
    table: Table, row: int, name: str, raw: str, parse: Callable[[str], T], what: str
) -> T:
    """Parse one code cell, noting a footnote mark, spaces or lower case that were repaired."""
    text, mark = strip_footnote_mark(raw)
    try:
        value = parse(text)
    except CodeFormatError as err:
        hint = err.hint
        if normalise_header(raw) in _HEADER_WORDS:
            hint = (
                f"This looks like a header row: row {table.header_row} above it was taken "
                f"as the header (its {table.header_of(name)!r} names the {name} column). "
                "If a heading sits above the real header, delete it, or name the columns "
                "with --column FIELD=HEADER"
            )
        raise InputError(table.file, row, table.header_of(name), raw, err.expected, hint) from None
    if mark:
        table.repaired(_FOOTNOTE.format(what=what), row)
    clean = strip_spaces(text)
    if (not mark and clean != raw) or clean != clean.upper():
        note = _SPACES if what.startswith("SNOMED") else _SPACES_OR_CASE
        table.repaired(note.format(what=what), row)
    return value


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        return "; ".join(opcs_dotted(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def parse_nicip(table: Table) -> Iterator[NicipRecord]:
    """Typed records from a NICIP table, checked cell by cell; repairs go to ``table.notes``."""
    file = table.file
    has = set(table.columns) | set(table.multi)
    one_row_per_code = "description" in has
    seen: dict[str, NicipRecord] = {}
    dotted: list[int] = []
    dotless: list[int] = []

    for row, cells in table.records():
        raw_code = cells["code"]
        if not strip_spaces(raw_code):
            other = " | ".join(v.strip() for k, v in cells.items() if k != "code" and v.strip())
            raise InputError(
                file,
                row,
                table.header_of("code"),
                raw_code,
                "a NICIP code",
                f"The code cell is empty but the row holds {other[:60]!r}. If it is a footnote "
                "or copyright line under the table, delete it and the lines after it",
            )
        code = _checked(table, row, "code", raw_code, parse_nicip_code, "codes")

        snomed_id = None
        if "snomed_id" in has and strip_spaces(cells["snomed_id"]):
            raw = cells["snomed_id"]
            snomed_id = _checked(table, row, "snomed_id", raw, parse_sctid, "SNOMED CT ids")
            if "." in raw:
                table.repaired(
                    "SNOMED CT ids written as decimals (60027007.0), read as whole numbers", row
                )
        opcs: tuple[str, ...] | None = None
        if "opcs" in has:
            found: list[str] = []
            for part in _SPLIT.split(cells["opcs"].strip()):
                if not part:
                    continue
                c = _checked(table, row, "opcs", part, parse_opcs_code, "OPCS-4 codes")
                if len(c) == 4:
                    (dotted if "." in part else dotless).append(row)
                if c not in found:
                    found.append(c)
            opcs = tuple(found)

        replaced_by = None
        if "replaced_by" in has and strip_spaces(cells["replaced_by"]):
            replaced_by = _checked(
                table,
                row,
                "replaced_by",
                cells["replaced_by"],
                parse_nicip_code,
                "replacement codes",
            )
        rec = NicipRecord(
            code=code,
            replaced_by=replaced_by,
            row=row,
            description=_text(table, row, cells, "description"),
            active=_active(table, row, cells),
            snomed_id=snomed_id,
            opcs_codes=opcs,
            modality=_text(table, row, cells, "modality"),
            body_site=_text(table, row, cells, "body_site"),
            laterality=_side(table, row, cells),
            effective_date=_date(table, row, cells, "effective_date"),
            inactive_date=_date(table, row, cells, "inactive_date"),
        )
        first = seen.get(code)
        if one_row_per_code and first is not None:
            if replace(rec, row=first.row) == first:
                table.repaired("rows repeating an earlier row word for word, dropped", row)
                continue
            differ = next(
                f.name
                for f in record_fields(rec)
                if f.name != "row" and getattr(rec, f.name) != getattr(first, f.name)
            )
            raise InputError(
                file,
                row,
                table.header_of("code"),
                code,
                f"each code once in a code table; it is already on row {first.row}",
                f"The two rows differ in {table.header_of(differ)!r}: "
                f"{_shown(getattr(first, differ))!r} on row {first.row}, "
                f"{_shown(getattr(rec, differ))!r} on row {row}. Remove the wrong row, or load "
                "one-to-many maps as a separate pairs file",
            )
        seen.setdefault(code, rec)
        yield rec

    if dotted and dotless:
        fewer, form = (
            (dotless, "dotless (U051)")
            if len(dotless) <= len(dotted)
            else (dotted, "dotted (U05.1)")
        )
        what = f"OPCS-4 codes written {form}, where the other rows write the other form; both read"
        table.repairs.rows[what] = sorted(set(fewer))
    table.finish()


def _text(table: Table, row: int, cells: Mapping[str, str], name: str) -> str | None:
    if name not in cells:
        return None
    text = " ".join(cells[name].split())
    if text.startswith("="):
        table.repaired("text cells holding a spreadsheet formula (=...), kept as text", row)
    if name == "description" and len(text) > DESCRIPTION_LIMIT:
        table.repaired(
            f"descriptions longer than NICIP's {DESCRIPTION_LIMIT} characters, kept as written",
            row,
        )
    return text


def _active(table: Table, row: int, cells: Mapping[str, str]) -> bool | None:
    if "active" not in cells:
        return None
    v = cells["active"].strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise InputError(
        table.file,
        row,
        table.header_of("active"),
        cells["active"],
        "a status such as Active/Inactive, Y/N or 1/0",
    )


def _side(table: Table, row: int, cells: Mapping[str, str]) -> str | None:
    if "laterality" not in cells:
        return None
    v = cells["laterality"].strip().lower()
    if v in _NO_SIDE:
        return None
    if v in _SIDES:
        return _SIDES[v]
    raise InputError(
        table.file,
        row,
        table.header_of("laterality"),
        cells["laterality"],
        "a side: B/L/R, Both/Left/Right, Lt/Rt, or empty",
    )


_DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def _date(table: Table, row: int, cells: Mapping[str, str], name: str) -> date | None:
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
    hint = None
    if v.isdigit() and len(v) in (4, 5):
        hint = (
            "This looks like a spreadsheet's date serial number; format the column as a "
            "date (or text) and export again"
        )
    elif re.fullmatch(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}", v):
        hint = "Dates are read day first (DD/MM/YYYY); this one may be written month first"
    raise InputError(
        table.file,
        row,
        table.header_of(name),
        cells[name],
        "a date as YYYY-MM-DD, YYYYMMDD or DD/MM/YYYY",
        hint,
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
