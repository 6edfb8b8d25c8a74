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
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from loader.codes import CodeFormatError, parse_opcs_code
from loader.errors import InputError
from loader.formats.table import read_table
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


def parse_codes_and_titles(lines: Iterable[str], file: str) -> Iterator[OpcsRecord]:
    """Records from the TRUD codes-and-titles text (two tab-separated columns, no header)."""
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
            )
        try:
            code = parse_opcs_code(parts[0])
        except CodeFormatError as err:
            raise InputError(
                file, row, "code (column 1)", parts[0], err.expected, err.hint
            ) from None
        yield OpcsRecord(code, parts[1].strip() or None, _level(code), _parent(code), row)


def parse_opcs_table(path: Path) -> Iterator[OpcsRecord]:
    """Records from an OPCS-4 table with a header (UK Biobank coding 240, HES tables)."""
    table = read_table(path, ALIASES, required=("code", "title"), what="OPCS-4 table")
    file = table.file
    code_header = table.header_of("code")
    latest: dict[str, tuple[str, OpcsRecord]] = {}
    for row, cells in table.records():
        raw = cells["code"].strip()
        chapter = _CHAPTER.fullmatch(raw) if raw.lower().startswith("chapter") else None
        if chapter:
            rec = OpcsRecord(
                chapter.group(1).upper(), cells["title"].strip() or None, "chapter", None, row
            )
        else:
            try:
                code = parse_opcs_code(raw)
            except CodeFormatError as err:
                raise InputError(file, row, code_header, raw, err.expected, err.hint) from None
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
    for _, rec in latest.values():
        yield rec


def read_opcs4(path: str | Path) -> Iterator[OpcsRecord]:
    """Open either OPCS-4 shape; the first line tells which."""
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
            first = fh.readline()
        if is_codes_and_titles(first):
            with open(path, encoding="utf-8-sig", newline="") as fh:
                yield from parse_codes_and_titles(fh, path.name)
            return
    yield from parse_opcs_table(path)


def write_codes_and_titles(records: Iterable[OpcsRecord]) -> list[str]:
    """The TRUD codes-and-titles lines for records (chapters are left out, as TRUD does)."""
    return [f"{r.dotted}\t{r.title or ''}\r\n" for r in records if r.level != "chapter"]
