"""Spreadsheet-like tables: CSV, TSV or XLSX, with the header row found and named by alias.

Release tables come out of spreadsheets people have edited, so a table is read in three
steps:

1. **Cells.** ``.xlsx``/``.xlsm`` through openpyxl (first sheet unless one is named); any
   other file as delimited text. A workbook cell holding a formula gives the formula's text
   (``=HYPERLINK(...)``), not a value Excel may or may not have cached, so readers can see
   it. Text is decoded as UTF-8 (a byte order mark is dropped), as UTF-16 when its byte
   order mark says so (Excel's "Unicode Text"), and otherwise as Windows-1252, which agrees
   with Latin-1 on every printable character; the load report notes each of these. A file
   whose lines mix UTF-8 and another encoding, a byte that is a character in neither, NUL
   bytes, and a quote mark that swallows the lines after it are refused. The delimiter is a
   tab, comma or semicolon, whichever the first lines hold most consistently.
2. **Header.** The header is the first of the first 30 rows whose cells name every required
   field, so title rows above a table are skipped. Two columns naming one field are refused
   (except fields that may spread over several columns, such as ``OPCS 1``, ``OPCS 2``). A
   file without any header row can be read with explicit ``columns`` (the TRUD OPCS-4
   codes-and-titles file).
3. **Fields.** Each header cell is normalised (lower case, runs of anything but letters and
   digits become one space) and looked up in the caller's alias table; ``overrides`` map a
   field to a header text the user names, for layouts no alias covers.

Rows come out as ``(row_number, {field: text})`` where ``row_number`` is the 1-based row a
spreadsheet would show. Fields whose columns are absent are left out of the dict. Blank
rows and copies of the header row (files joined together) are skipped, the latter noted; a
table with no data rows is refused. Readers record what they repaired with
:meth:`Table.repaired`, and :meth:`Table.finish` turns that into the notes of the load
report ("nicip.csv: codes with spaces or lower case, repaired: 3 rows (4, 7, 9)").
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from loader.errors import InputError

__all__ = ["Repairs", "Table", "decode_text", "normalise_header", "read_cells", "read_table"]

HEADER_SEARCH_ROWS = 30
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise_header(text: str) -> str:
    """``'SNOMED CT Concept-ID '`` -> ``'snomed ct concept id'``."""
    return _NON_ALNUM.sub(" ", text.strip().lower()).strip()


def _rows_text(rows: list[int], shown: int = 10) -> str:
    """``[4, 7, 9]`` -> ``'3 rows (4, 7, 9)'``; long lists are cut after ``shown``."""
    listed = ", ".join(str(r) for r in rows[:shown])
    if len(rows) > shown:
        listed += f", ... and {len(rows) - shown} more"
    return f"{len(rows)} row{'s' if len(rows) != 1 else ''} ({listed})"


@dataclass
class Repairs:
    """The rows where a reader repaired (or kept, but wants to mention) something, by what."""

    file: str
    rows: dict[str, list[int]] = field(default_factory=dict)

    def add(self, what: str, row: int) -> None:
        """Record that ``row`` needed ``what``, a phrase naming the repair."""
        rows = self.rows.setdefault(what, [])
        if not rows or rows[-1] != row:
            rows.append(row)

    def drain(self) -> list[str]:
        """The notes for the load report, once: ``file: what: 3 rows (4, 7, 9)``."""
        notes = [f"{self.file}: {what}: {_rows_text(rows)}" for what, rows in self.rows.items()]
        self.rows.clear()
        return notes


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
    repairs: Repairs = field(init=False)

    def __post_init__(self) -> None:
        self.repairs = Repairs(self.file)

    def header_of(self, name: str) -> str:
        """The header text of a field's column (columns joined by `` + `` when several)."""
        if name in self.columns:
            return self.headers[self.columns[name]]
        return " + ".join(self.headers[i] for i in self.multi[name])

    def repaired(self, what: str, row: int) -> None:
        """Record that ``row`` needed ``what`` (a phrase naming the repair) for the notes."""
        self.repairs.add(what, row)

    def finish(self) -> None:
        """Turn the recorded repairs into notes (readers call it after the last row)."""
        self.notes.extend(self.repairs.drain())

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Each data row as ``{field: text}``; blank rows and repeated headers are skipped.

        Raises :class:`~loader.errors.InputError` when the header has no data rows below it.
        """
        header = _trimmed([normalise_header(h) for h in self.headers])
        count = 0
        for number, cells in self.rows:
            if not any(c.strip() for c in cells):
                continue
            if normalise_header(cells[0]) == header[0] and (
                _trimmed([normalise_header(c) for c in cells]) == header
            ):
                self.repaired(
                    "the header row again inside the table (files joined?), skipped", number
                )
                continue
            count += 1
            for i in range(len(self.headers), len(cells)):
                if cells[i].strip():  # values under no header at all
                    self.repaired(
                        f"values in column {i + 1}, which has no header, not read", number
                    )
            for i, head in enumerate(self.headers):
                if not head.strip() and i < len(cells) and cells[i].strip():
                    self.repaired(
                        f"values in column {i + 1}, which has no header, not read", number
                    )
            out = {}
            for name, index in self.columns.items():
                out[name] = cells[index] if index < len(cells) else ""
            for name, indexes in self.multi.items():
                out[name] = "\n".join(cells[i] for i in indexes if i < len(cells) and cells[i])
            yield number, out
        if not count:
            raise InputError(
                self.file,
                self.header_row,
                None,
                " | ".join(h for h in self.headers if h),
                "data rows below the header row",
                "The file has a header but no data rows",
            )


def _trimmed(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells = cells[:-1]
    return cells


_UNDEFINED_CP1252 = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode_text(data: bytes, file: str, notes: list[str]) -> str:
    """Text from bytes: UTF-8, UTF-16 by its byte order mark, else Windows-1252 (noted)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise InputError(
                file,
                None,
                None,
                f"{len(data)} bytes",
                "UTF-16 text, as the file's byte order mark says",
                f"It breaks off at byte {err.start + 1}; the file may be cut short",
            ) from None
        notes.append(f"{file}: UTF-16 text (as Excel saves 'Unicode Text'), read as such")
        return text.removeprefix("\ufeff")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        notes.append(f"{file}: a UTF-8 byte order mark at the start, dropped")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(
            file,
            _line_of(data, nul),
            None,
            "\\x00",
            "a text table (CSV or TSV)",
            "The file holds NUL bytes: it is binary, or UTF-16 text without a byte order "
            "mark; save it again as CSV UTF-8",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    bad: tuple[int, int] | None = None  # (line, byte) of the first non-UTF-8 line
    utf8: int | None = None  # the first line holding UTF-8 beyond ASCII
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            decoded = line.decode("utf-8")
        except UnicodeDecodeError as err:
            bad = bad or (number, line[err.start])
            continue
        if utf8 is None and not decoded.isascii():
            utf8 = number
        if bad and utf8:
            break
    assert bad is not None
    line_text = data.split(b"\n")[bad[0] - 1].decode("cp1252", errors="replace").strip()
    if utf8 is not None:
        raise InputError(
            file,
            bad[0],
            None,
            line_text,
            "one text encoding in the whole file",
            f"Line {utf8} is UTF-8 but this line is not (byte 0x{bad[1]:02X}): the file was "
            "put together from files saved in different encodings. Save it again as CSV UTF-8",
        )
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as err:
        raise InputError(
            file,
            _line_of(data, err.start),
            None,
            f"byte 0x{data[err.start]:02X}",
            "UTF-8 or Windows-1252 text",
            "That byte is not a character in either; save the file again as CSV UTF-8",
        ) from None
    shown = bytes([bad[1]]).decode("cp1252")
    notes.append(
        f"{file}: not UTF-8 (line {bad[0]} has byte 0x{bad[1]:02X}); read as Windows-1252, "
        f"in which that byte is {shown!r}"
    )
    return text


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


def _not_a_workbook(head: bytes) -> tuple[str, str]:
    """What a file named .xlsx holds instead: (value to show, how to fix it)."""
    if not head:
        return "", "The file is empty"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an .xls workbook", "This is an Excel 97-2003 workbook; save it as .xlsx or CSV"
    try:
        text = head.decode("utf-8-sig") if b"\x00" not in head else None
    except UnicodeDecodeError:
        text = head.decode("cp1252", errors="replace") if b"\x00" not in head else None
    if text is None:
        return f"{head[:4].hex(' ')} ...", "The file is not a workbook"
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    if first.startswith("<"):
        return first, "This is an HTML or XML page, not a workbook; open it and save as .xlsx"
    return first, "This is a text file; give it a .csv (or .txt) name"


_BROKEN = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, ValueError, SyntaxError)


def _xlsx_cells(path: Path, sheet: str | None, file: str) -> Iterator[list[str]]:
    import openpyxl  # imported here: only spreadsheets need it

    with open(path, "rb") as fh:
        head = fh.read(512)
    if not head.startswith(b"PK\x03\x04"):
        value, hint = _not_a_workbook(head)
        raise InputError(file, None, None, value, "a .xlsx workbook", hint)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except _BROKEN as err:
        raise InputError(
            file,
            None,
            None,
            str(err),
            "a readable .xlsx workbook",
            "The file could not be opened as a workbook; it may be cut short (an interrupted "
            "download or copy). Download it or save it from Excel again",
        ) from None
    try:
        if sheet is not None:
            if sheet not in book.sheetnames:
                raise InputError(file, None, None, sheet, f"one of the sheets {book.sheetnames}")
            ws = book[sheet]
        else:
            ws = book.worksheets[0]
        number = 0
        try:
            for values in ws.iter_rows(values_only=True):
                number += 1
                yield [_cell_text(v) for v in values]
        except _BROKEN as err:
            raise InputError(
                file,
                number + 1,
                None,
                str(err),
                "a readable .xlsx workbook",
                "The sheet breaks off here; the file may be cut short. Save it from Excel again",
            ) from None
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
    text = getattr(value, "text", None)  # an array formula
    if isinstance(text, str):
        return text
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
            "a workbook (zip) file",
            "a text table (CSV or TSV)",
            "This is a zip or workbook file; give it an .xlsx name",
        )
    text = decode_text(data, file, notes)
    delim = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    row, line = 0, 0
    try:
        for cells in reader:
            row += 1
            _check_swallowed(file, row, line + 1, reader.line_num, cells, delim)
            line = reader.line_num
            yield cells
    except csv.Error as err:
        raise InputError(
            file,
            row + 1,
            None,
            "",
            "a well-formed delimited row",
            f"{err} (line {reader.line_num}); a quote mark may be unbalanced",
        ) from None


def _check_swallowed(
    file: str, row: int, first: int, last: int, cells: list[str], delim: str
) -> None:
    """Refuse a cell that an unclosed quote mark has filled with the lines after it."""
    if last == first:
        return
    for index, cell in enumerate(cells):
        if any(delim in part for part in cell.splitlines()[1:]):
            raise InputError(
                file,
                row,
                _column_letter(index),
                cell.splitlines()[0] + "...",
                "one table row per line",
                f"A quote mark opens a cell on line {first} and is not closed until line "
                f"{last}, so the lines between were read as that cell's text. Remove the "
                'stray quote mark, or write it twice ("") to keep it',
            )


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
    if sheet is None and path.suffix.lower() in (".xlsx", ".xlsm"):
        names = _sheet_names(path)
        if len(names) > 1:
            return _one_table_in_workbook(
                path, names, aliases, required, multi_prefixes, overrides, what
            )
    file = path.name if sheet is None else f"{path.name} (sheet {sheet!r})"
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
        found = _match([normalise_header(c) for c in row], lookup, overrides, multi_prefixes)
        if required and all(r in found for r in required):
            columns: dict[str, int] = {}
            multi: dict[str, list[int]] = {}
            for name, indexes in found.items():
                if len(indexes) == 1:
                    columns[name] = indexes[0]
                elif name in multi_prefixes and name not in overrides:
                    multi[name] = indexes
                else:
                    _two_columns(file, number, row, name, indexes)
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


def _sheet_names(path: Path) -> list[str]:
    """The workbook's sheet names, or [] when it cannot be opened (reading it says why)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True)
    except _BROKEN:
        return []
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def _one_table_in_workbook(
    path: Path,
    names: list[str],
    aliases: Mapping[str, Sequence[str]],
    required: Sequence[str],
    multi_prefixes: Mapping[str, Sequence[str]] | None,
    overrides: Mapping[str, str] | None,
    what: str,
) -> Table:
    """The one sheet of a workbook that holds the table; the others are noted, not dropped.

    A sheet of notes (no header row) is left out and said so in the load report; two
    sheets that both hold a table are refused, since which one is meant is not ours to
    guess.
    """
    tables: list[tuple[str, Table]] = []
    skipped: list[tuple[str, InputError]] = []
    for name in names:
        try:
            table = read_table(
                path,
                aliases,
                required=required,
                multi_prefixes=multi_prefixes,
                overrides=overrides,
                sheet=name,
                what=what,
            )
        except InputError as err:
            skipped.append((name, err))
            continue
        tables.append((name, table))
    if len(tables) > 1:
        shown = " and ".join(repr(n) for n, _ in tables)
        raise InputError(
            path.name,
            None,
            None,
            f"sheets {shown}",
            f"one sheet holding the {what}",
            "More than one sheet has a header row naming the code; save the sheet you mean "
            "as a file of its own (or delete the others) and load that",
        )
    if not tables:
        name, first = skipped[0]
        raise InputError(
            path.name,
            None,
            None,
            first.value,
            f"{first.expected} on one of its sheets ({', '.join(map(repr, names))})",
            first.hint,
        )
    name, table = tables[0]
    for other, err in skipped:
        if err.hint != "The file is empty":
            table.notes.append(
                f"{path.name}: sheet {other!r} was not read (it has no header row naming "
                f"the code); the table was read from sheet {name!r}"
            )
    return table


def _match(
    normalised: list[str],
    lookup: Mapping[str, str],
    overrides: Mapping[str, str],
    multi_prefixes: Mapping[str, Sequence[str]],
) -> dict[str, list[int]]:
    """Every column each field's header names: by override, by alias, or by prefix."""
    found: dict[str, list[int]] = {}
    overridden = set(overrides.values())
    for index, text in enumerate(normalised):
        if not text:
            continue
        for name, header in overrides.items():
            if text == header:
                found.setdefault(name, []).append(index)
        if text in overridden:
            continue
        aliased = lookup.get(text)
        if aliased is not None and aliased not in overrides:
            found.setdefault(aliased, []).append(index)
            continue
        for mname, prefixes in multi_prefixes.items():
            if mname not in overrides and any(
                text.startswith(normalise_header(p)) for p in prefixes
            ):
                found.setdefault(mname, []).append(index)
                break
    return found


def _two_columns(file: str, number: int, row: list[str], name: str, indexes: list[int]) -> None:
    """Refuse a header naming one field in several columns: which one is meant is a guess."""
    letters = ", ".join(_column_letter(i) for i in indexes)
    headers = [row[i].strip() for i in indexes]
    same = len(set(map(normalise_header, headers))) == 1
    raise InputError(
        file,
        number,
        headers[0],
        " | ".join(headers),
        f"one column for {name}; there are {len(indexes)}"
        + (" with that header" if same else " whose headers name it")
        + f" (columns {letters})",
        f"Rename or remove all but one, or choose one with --column {name}=HEADER",
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
