"""OPCS-4 codes and titles, in the two shapes they are published in.

- **TRUD codes-and-titles** (``OPCS410 CodesAndTitles Nov 2022 V1.0.txt``): tab separated,
  no header, two columns, dotted codes (``U05.1``) and 3-character categories (``U05``),
  CRLF line ends. Chapters are not listed; each code's chapter is its letter.
- **Tables with a header** (CSV, TSV or XLSX), dotless codes: UK Biobank data-coding 240
  (``code,title,dotted_code,parent_code,level,selectable`` with chapter rows ``Chapter A``)
  and HES usage tables (``code,title,first_fy,last_fy``, one row per title a code has had;
  the title of the latest year is kept).

Both give :class:`~loader.model.OpcsRecord` with the dotless code as key and the parent in
the hierarchy chapter -> category -> code.

Text is decoded as :mod:`loader.formats.table` does (UTF-8, a UTF-16 or UTF-8 byte order
mark, else Windows-1252, noted). Repaired and noted in ``notes``: spaces and lower case
around a code, a footnote mark such as ``‡`` that NHS Digital usage tables put beside some
codes (FIELD_NOTES 7), and a table writing some codes dotted and others dotless. A
copyright or "Source:" line under a table is refused like any other bad code, for the
reason given in :mod:`loader.formats.nicip`: the loader never drops a row it was given
(FIELD_NOTES 6 is a project that did, and took footers for codes).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from loader.codes import CodeFormatError, parse_opcs_code, strip_footnote_mark, strip_spaces
from loader.errors import InputError
from loader.formats.table import Repairs, decode_text, read_table
from loader.model import OpcsRecord

__all__ = [
    "ALIASES",
    "is_codes_and_titles",
    "parse_codes_and_titles",
    "parse_opcs_table",
    "read_opcs4",
    "write_codes_and_titles",
]

ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("code", "opcs code", "opcs 4 code", "opcs4 code", "coding", "opcs4", "opcs 4"),
    "title": ("title", "description", "meaning", "opcs title", "name", "term"),
    "parent": ("parent code", "parent", "parent_code"),
    "level": ("level",),
    "last_fy": ("last fy", "last year", "last_fy"),
}
_CHAPTER = re.compile(r"(?:chapter\s+)?([A-Z])", re.IGNORECASE)
_TRUD_LINE = re.compile(r"[A-Z][0-9]{2}(?:\.[0-9])?\t")


def _level(code: str) -> str:
    return "category" if len(code) == 3 else "code"


def _parent(code: str) -> str:
    return code[:3] if len(code) == 4 else code[0]


def is_codes_and_titles(first_line: str) -> bool:
    """Does a file's first line look like the TRUD codes-and-titles file?"""
    return bool(_TRUD_LINE.match(first_line.lstrip("\ufeff")))


def _code(raw: str, file: str, row: int, column: str, repairs: Repairs) -> str:
    """A dotless code from a cell, with footnote marks, spaces and lower case noted."""
    text, mark = strip_footnote_mark(raw)
    try:
        code = parse_opcs_code(text)
    except CodeFormatError as err:
        raise InputError(file, row, column, raw, err.expected, err.hint) from None
    if mark:
        repairs.add(
            "footnote marks such as \u2021 taken off codes (read the table's footnotes)", row
        )
    clean = strip_spaces(text)
    if (not mark and clean != raw) or clean != clean.upper():
        repairs.add("codes with spaces or lower case, repaired", row)
    return code


def _forms(repairs: Repairs, dotted: list[int], dotless: list[int]) -> None:
    if dotted and dotless:
        fewer, form = (
            (dotless, "dotless (U051)")
            if len(dotless) <= len(dotted)
            else (dotted, "dotted (U05.1)")
        )
        what = f"codes written {form}, where the other rows write the other form; both read"
        repairs.rows[what] = sorted(set(fewer))


def parse_codes_and_titles(
    lines: Iterable[str], file: str, notes: list[str] | None = None
) -> Iterator[OpcsRecord]:
    """Records from the TRUD codes-and-titles text (two tab-separated columns, no header)."""
    repairs = Repairs(file)
    dotted: list[int] = []
    dotless: list[int] = []
    for row, line in enumerate(lines, start=1):
        line = line.rstrip("\r\n")
        if row == 1:
            line = line.lstrip("\ufeff")
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 2:
            raise InputError(
                file,
                row,
                "line",
                line,
                "two tab-separated columns: an OPCS-4 code and its title",
                "The line is not tab separated" if len(parts) == 1 else None,
            )
        code = _code(parts[0], file, row, "code (column 1)", repairs)
        if len(code) == 4:
            (dotted if "." in parts[0] else dotless).append(row)
        yield OpcsRecord(code, parts[1].strip() or None, _level(code), _parent(code), row)
    _forms(repairs, dotted, dotless)
    if notes is not None:
        notes.extend(repairs.drain())


def parse_opcs_table(path: Path, notes: list[str] | None = None) -> Iterator[OpcsRecord]:
    """Records from an OPCS-4 table with a header (UK Biobank coding 240, HES tables)."""
    table = read_table(path, ALIASES, required=("code", "title"), what="OPCS-4 table")
    file = table.file
    code_header = table.header_of("code")
    latest: dict[str, tuple[str, OpcsRecord]] = {}
    dotted: list[int] = []
    dotless: list[int] = []
    for row, cells in table.records():
        raw = cells["code"]
        chapter = (
            _CHAPTER.fullmatch(raw.strip()) if raw.strip().lower().startswith("chapter") else None
        )
        if chapter:
            rec = OpcsRecord(
                chapter.group(1).upper(), cells["title"].strip() or None, "chapter", None, row
            )
        else:
            if not strip_spaces(raw):
                raise InputError(
                    file,
                    row,
                    code_header,
                    raw,
                    "an OPCS-4 code",
                    f"The code cell is empty but the row holds {cells['title'].strip()[:60]!r}. "
                    "If it is a footnote or copyright line under the table, delete it and the "
                    "lines after it",
                )
            code = _code(raw, file, row, code_header, table.repairs)
            if len(code) == 4:
                (dotted if "." in raw else dotless).append(row)
            parent = cells.get("parent", "").strip()
            if parent:
                m = _CHAPTER.fullmatch(parent)
                if parent.lower().startswith("chapter") and m:
                    parent = m.group(1).upper()
                else:
                    try:
                        parent = parse_opcs_code(parent)
                    except CodeFormatError as err:
                        raise InputError(
                            file, row, table.header_of("parent"), parent, err.expected, err.hint
                        ) from None
            rec = OpcsRecord(
                code, cells["title"].strip() or None, _level(code), parent or _parent(code), row
            )
        year = cells.get("last_fy", "")
        before = latest.get(rec.code)
        if before is None:
            latest[rec.code] = (year, rec)
        elif before[1].title != rec.title:
            if not year:
                raise InputError(
                    file,
                    row,
                    code_header,
                    raw,
                    f"each code once; row {before[1].row} gives it the title {before[1].title!r}",
                )
            if year > before[0]:
                latest[rec.code] = (year, rec)
    _forms(table.repairs, dotted, dotless)
    table.finish()
    if notes is not None:
        notes.extend(table.notes)
    for _, rec in latest.values():
        yield rec


def read_opcs4(path: str | Path, notes: list[str] | None = None) -> Iterator[OpcsRecord]:
    """Open either OPCS-4 shape; the first line tells which. Repairs are added to ``notes``."""
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        data = path.read_bytes()
        first = data[:4096].decode("utf-8", errors="replace").lstrip("\ufeff")
        if is_codes_and_titles(first.splitlines()[0] if first.strip() else ""):
            text = decode_text(data, path.name, notes if notes is not None else [])
            yield from parse_codes_and_titles(io.StringIO(text, newline=""), path.name, notes)
            return
    yield from parse_opcs_table(path, notes)


def write_codes_and_titles(records: Iterable[OpcsRecord]) -> list[str]:
    """The TRUD codes-and-titles lines for records (chapters are left out, as TRUD does)."""
    return [f"{r.dotted}\t{r.title or ''}\r\n" for r in records if r.level != "chapter"]
