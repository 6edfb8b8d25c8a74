"""Spreadsheet-like tables: CSV, TSV or XLSX, with the header row found and named by alias.

Release tables come out of spreadsheets people have edited, so a table is read in three
steps:

1. **Cells.** ``.xlsx``/``.xlsm`` through openpyxl (first sheet unless one is named); any
   other file as delimited text. Text is decoded as UTF-8 (a BOM is dropped) and, where that
   fails, as Windows-1252, which the load report says. The delimiter is a tab, comma or
   semicolon, whichever the first lines hold most consistently.
2. **Header.** The header is the first of the first 30 rows whose cells name at least one
   required field, so title rows above a table are skipped. A file without any header row
   can be read with explicit ``columns`` (the TRUD OPCS-4 codes-and-titles file).
3. **Fields.** Each header cell is normalised (lower case, runs of anything but letters and
   digits become one space) and looked up in the caller's alias table; ``overrides`` map a
   field to a header text the user names, for layouts no alias covers.

Rows come out as ``(row_number, {field: text})`` where ``row_number`` is the 1-based row a
spreadsheet would show. Fields whose columns are absent are left out of the dict.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from loader.errors import InputError

__all__ = ["Table", "normalise_header", "read_cells", "read_table"]

HEADER_SEARCH_ROWS = 30
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise_header(text: str) -> str:
    """``'SNOMED CT Concept-ID '`` -> ``'snomed ct concept id'``."""
    return _NON_ALNUM.sub(" ", text.strip().lower()).strip()


@dataclass
class Table:
    """A table whose header is found: which column holds which field, and its rows."""

    file: str
    header_row: int
    headers: list[str]
    columns: dict[str, int]
    multi: dict[str, list[int]]
    rows: Iterator[tuple[int, list[str]]]
    notes: list[str] = field(default_factory=list)

    def header_of(self, name: str) -> str:
        return self.headers[self.columns[name]]

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Each data row as ``{field: text}``; wholly blank rows are skipped."""
        for number, cells in self.rows:
            if not any(c.strip() for c in cells):
                continue
            out = {}
            for name, index in self.columns.items():
                out[name] = cells[index] if index < len(cells) else ""
            for name, indexes in self.multi.items():
                out[name] = "\n".join(cells[i] for i in indexes if i < len(cells) and cells[i])
            yield number, out


def _decode(data: bytes, file: str, notes: list[str]) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        notes.append(f"{file}: not UTF-8 (byte {err.start + 1}); read as Windows-1252")
        return data.decode("cp1252", errors="replace")


def _sniff_delimiter(text: str) -> str:
    sample = [line for line in text.splitlines()[:50] if line.strip()]
    best, best_score = ",", -1.0
    for delim in ("\t", ",", ";", "|"):
        counts = [len(next(csv.reader([line], delimiter=delim))) for line in sample]
        multi = [c for c in counts if c > 1]
        if not multi:
            continue
        # Consistency across lines matters more than the raw count.
        common = max(set(multi), key=multi.count)
        score = multi.count(common) + 0.01 * common
        if score > best_score:
            best, best_score = delim, score
    return best


def _xlsx_cells(path: Path, sheet: str | None, file: str) -> Iterator[list[str]]:
    import openpyxl  # imported here: only spreadsheets need it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise InputError(
            file,
            None,
            None,
            path.suffix,
            "a readable .xlsx workbook",
            f"The file could not be opened as a workbook ({err}); save it again from Excel",
        ) from None
    try:
        if sheet is not None:
            if sheet not in book.sheetnames:
                raise InputError(file, None, None, sheet, f"one of the sheets {book.sheetnames}")
            ws = book[sheet]
        else:
            ws = book.worksheets[0]
        for values in ws.iter_rows(values_only=True):
            yield [_cell_text(v) for v in values]
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if type(value).__name__ == "datetime" else value.isoformat()
    return str(value)


def read_cells(
    path: str | Path, *, sheet: str | None = None, notes: list[str] | None = None
) -> Iterator[list[str]]:
    """Every row of a CSV, TSV or XLSX file as a list of cell texts."""
    path = Path(path)
    file = path.name
    notes = notes if notes is not None else []
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        yield from _xlsx_cells(path, sheet, file)
        return
    data = path.read_bytes()
    if data[:4] == b"PK\x03\x04":
        raise InputError(
            file,
            None,
            None,
            path.suffix,
            "a text table (CSV or TSV)",
            "This is a zip or workbook file; give it an .xlsx name",
        )
    text = _decode(data, file, notes)
    delim = _sniff_delimiter(text)
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delim)


def read_table(
    path: str | Path,
    aliases: Mapping[str, Sequence[str]],
    *,
    required: Sequence[str] = (),
    multi_prefixes: Mapping[str, Sequence[str]] | None = None,
    overrides: Mapping[str, str] | None = None,
    sheet: str | None = None,
    what: str = "table",
) -> Table:
    """Open ``path`` and find its header row.

    ``aliases`` maps each field to the normalised header texts that name it; ``required``
    fields must all be found. ``multi_prefixes`` names fields that may spread over several
    columns (``OPCS 1``, ``OPCS 2``): any header starting with one of the prefixes.
    """
    path = Path(path)
    file = path.name
    notes: list[str] = []
    cells = read_cells(path, sheet=sheet, notes=notes)
    overrides = {k: normalise_header(v) for k, v in (overrides or {}).items()}
    lookup: dict[str, str] = {}
    for name, names in aliases.items():
        for alias in names:
            lookup.setdefault(normalise_header(alias), name)
    multi_prefixes = multi_prefixes or {}

    seen: list[list[str]] = []
    for number, row in enumerate(cells, start=1):
        seen.append(row)
        normalised = [normalise_header(c) for c in row]
        columns, multi = _match(normalised, lookup, overrides, multi_prefixes)
        if required and all(r in columns or r in multi for r in required):
            _check_duplicates(file, number, row, normalised, columns, overrides)
            return Table(
                file,
                number,
                [c.strip() for c in row],
                columns,
                multi,
                _numbered(cells, number + 1),
                notes,
            )
        if number >= HEADER_SEARCH_ROWS:
            break
    if not seen:
        raise InputError(file, None, None, "", f"a {what} with a header row", "The file is empty")
    wanted = ", ".join(f"{r} (one of: {', '.join(aliases.get(r, ())[:4])})" for r in required)
    raise InputError(
        file,
        None,
        None,
        " | ".join(c for c in seen[0] if c)[:120],
        f"a header row naming {wanted} within the first {HEADER_SEARCH_ROWS} rows",
        "Name the columns with --column FIELD=HEADER if the header uses other words",
    )


def _match(
    normalised: list[str],
    lookup: Mapping[str, str],
    overrides: Mapping[str, str],
    multi_prefixes: Mapping[str, Sequence[str]],
) -> tuple[dict[str, int], dict[str, list[int]]]:
    columns: dict[str, int] = {}
    multi: dict[str, list[int]] = {}
    overridden = set(overrides.values())
    for index, text in enumerate(normalised):
        if not text:
            continue
        for name, header in overrides.items():
            if text == header and name not in columns:
                columns[name] = index
        if text in overridden:
            continue
        name = lookup.get(text)
        if name is not None and name not in overrides and name not in columns:
            columns[name] = index
            continue
        for mname, prefixes in multi_prefixes.items():
            if mname in overrides or mname in columns:
                continue
            if any(text.startswith(normalise_header(p)) for p in prefixes):
                multi.setdefault(mname, []).append(index)
                break
    # A multi-column field found once is an ordinary column.
    for name, indexes in list(multi.items()):
        if len(indexes) == 1 and name not in columns:
            columns[name] = indexes[0]
            del multi[name]
    return columns, multi


def _check_duplicates(
    file: str,
    number: int,
    row: list[str],
    normalised: list[str],
    columns: Mapping[str, int],
    overrides: Mapping[str, str],
) -> None:
    for name, index in columns.items():
        text = normalised[index]
        twins = [i for i, t in enumerate(normalised) if t == text]
        if len(twins) > 1:
            letters = ", ".join(_column_letter(i) for i in twins)
            raise InputError(
                file,
                number,
                row[index].strip(),
                row[index].strip(),
                f"one column for {name}, found {len(twins)} with that header (columns {letters})",
                f"Rename or remove one of them, or choose with --column {name}=HEADER",
            )


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _numbered(cells: Iterator[list[str]], start: int) -> Iterator[tuple[int, list[str]]]:
    return enumerate(cells, start=start)
