"""Which file is what: every input path is classified from its name and its first lines.

=========================  ==========================================================
kind                       recognised by
=========================  ==========================================================
``rf2``                    an RF2 file name (``sct2_Concept_Snapshot_...``,
                           ``der2_cRefset_Association...``); Stated relationships,
                           text definitions and other RF2 files are listed as skipped
``opcs4``                  a first line ``U05.1<TAB>title`` (TRUD codes-and-titles), or a
                           table whose code column holds OPCS-4 codes and no NICIP codes
``nicip``                  a table with a NICIP code column (the code table, a code-pairs
                           map to SNOMED CT, or a NICIP to OPCS-4 map)
=========================  ==========================================================

``nicip list PATH...`` prints this classification before anything is loaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from loader.codes import strip_footnote_mark, strip_spaces
from loader.errors import InputError
from loader.formats import nicip, opcs4, rf2
from loader.formats.table import Table, normalise_header, read_table

__all__ = ["Found", "classify", "discover"]

_TABLE_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".tab"}
_OPCS_ONLY = re.compile(r"(?:chapter\s+[a-z]|[a-z][0-9]{2}(?:\.?[0-9])?)", re.IGNORECASE)
_NICIP = re.compile(r"[A-Z][A-Z0-9]{3,5}")
_TOKEN = re.compile(r"[a-z0-9.]+|chapter\s+[a-z]", re.IGNORECASE)
#: Files in a folder that must be readable: a ``.txt`` may well be a read-me.
_DATA_SUFFIXES = {".csv", ".tsv", ".xlsx", ".xlsm"}
_OPCS_HEADERS = {"dotted code", "parent code", "selectable", "first fy", "last fy", "level"}


@dataclass(frozen=True)
class Found:
    """How one file was understood: ``kind`` is ``None`` when it is skipped.

    ``named`` is true for a file given by name rather than found in a folder: loading
    refuses to skip those. ``broken`` is true for a table or workbook in a folder that could
    not be read at all (a truncated workbook, a zip named ``.csv``): loading refuses those
    too, since a release file that cannot be opened must not be left out in silence.
    """

    path: Path
    kind: str | None
    detail: str
    named: bool = False
    broken: bool = False

    @property
    def loadable(self) -> bool:
        return self.kind is not None


def discover(
    paths: Iterable[str | Path], overrides: Mapping[str, str] | None = None
) -> list[Found]:
    """Classify every file under ``paths`` (folders are walked)."""
    found: list[Found] = []
    seen: set[Path] = set()  # a file given twice, or named and inside a folder, is read once
    for p in paths:
        path = Path(p)
        if not path.exists():
            raise InputError(str(p), None, None, str(p), "a file or folder that exists")
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.resolve() in seen:
                    continue
                seen.add(child.resolve())
                if child.is_file() and not child.name.startswith("."):
                    try:
                        found.append(classify(child, overrides))
                    except InputError as err:
                        data = child.suffix.lower() in _DATA_SUFFIXES
                        found.append(Found(child, None, _reason(err), broken=data))
        elif path.resolve() not in seen:
            seen.add(path.resolve())
            f = classify(path, overrides)
            found.append(Found(f.path, f.kind, f.detail, named=True))
    return found


def classify(path: Path, overrides: Mapping[str, str] | None = None) -> Found:
    """Decide what one file is; reasons are shown to the user."""
    name = path.name
    if name.lower().startswith(("sct2_", "der2_", "xsct2_", "xder2_")):
        kind = rf2.rf2_kind(name)
        if kind is None:
            return Found(path, None, "an RF2 file nicip-graph does not use")
        return Found(
            path,
            "rf2",
            f"SNOMED CT RF2 {kind.replace('_', ' ')} "
            f"({rf2.rf2_release_type(name) or 'release type not in name'})",
        )
    if path.suffix.lower() == ".xls":
        return Found(
            path, None, "an Excel 97-2003 workbook (.xls); save it as .xlsx or CSV to load it"
        )
    if path.suffix.lower() not in _TABLE_SUFFIXES:
        return Found(path, None, f"not a table or RF2 file ({path.suffix or 'no extension'})")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        with open(path, "rb") as fh:
            head = fh.read(4096)
        if head.startswith(b"PK\x03\x04"):
            raise InputError(
                name,
                None,
                None,
                "a workbook (zip) file",
                "a text table (CSV or TSV)",
                "This is a zip or workbook file; give it an .xlsx name",
            )
        first = head.decode("utf-8", errors="replace").splitlines()[0] if head.strip() else ""
        if opcs4.is_codes_and_titles(first):
            return Found(path, "opcs4", "OPCS-4 codes and titles (TRUD text, dotted codes)")
    table = read_table(
        path,
        nicip.ALIASES,
        required=("code",),
        overrides=overrides,
        multi_prefixes={"opcs": ("opcs",)},
        what="NICIP or OPCS-4 table",
    )
    headers = {h.lower().replace("_", " ") for h in table.headers}
    # Only values shaped like codes of some system say which system a column holds: an empty
    # cell, a formula or a footer line is a bad value the reader will refuse by its row.
    sample = [_bare(cells["code"]) for _, cells in _take(table.records(), 50)]
    sample = [v for v in sample if _TOKEN.fullmatch(v)]
    opcs_like = sum(1 for v in sample if _OPCS_ONLY.fullmatch(v))
    if headers & _OPCS_HEADERS or (sample and opcs_like >= 0.9 * len(sample)):
        return Found(
            path,
            "opcs4",
            f"OPCS-4 codes table (header row {table.header_row}, dotless or dotted codes)",
        )
    if set(table.columns) | set(table.multi) == {"code"}:
        present = {normalise_header(h) for h in table.headers}
        absent = [
            f"{k}={v!r}" for k, v in (overrides or {}).items() if normalise_header(v) not in present
        ]
        also = (
            f"; --column {', '.join(absent)} names no header here (the headers are: "
            f"{', '.join(repr(h) for h in table.headers if h)})"
            if absent
            else ""
        )
        return Found(
            path,
            None,
            f"only a code column ({table.header_of('code')!r}) was "
            f"recognised; name the others with --column FIELD=HEADER{also}",
        )
    # Half is enough: a file that is mostly NICIP codes is read as one, and its bad rows
    # are then refused one by one with their row numbers, rather than the file skipped.
    nicip_like = sum(1 for v in sample if _NICIP.fullmatch(v.upper()))
    if sample and nicip_like < 0.5 * len(sample):
        odd = next(v for v in sample if not _NICIP.fullmatch(v.upper()))
        odd = odd if len(odd) <= 40 else odd[:37] + "..."
        return Found(
            path,
            None,
            f"column {table.header_of('code')!r} does not hold NICIP codes (e.g. {odd!r})",
        )
    return Found(
        path, "nicip", f"{nicip.kind_of(table)} (header row {table.header_row}: {_fields(table)})"
    )


def _reason(err: InputError) -> str:
    """The message of a file that could not be read, without the file name it starts with."""
    text = str(err)
    return text.split(": ", 1)[-1] if text.startswith(err.file) else text


def _bare(text: str) -> str:
    """A code cell as the readers will check it: no footnote mark, no surrounding spaces."""
    return strip_spaces(strip_footnote_mark(text)[0])


def _fields(table: Table) -> str:
    parts = [f"{k}={table.headers[i]!r}" for k, i in table.columns.items()]
    parts += [f"{k}={'+'.join(table.headers[i] for i in ix)!r}" for k, ix in table.multi.items()]
    return ", ".join(parts)


def _take[T](it: Iterable[T], n: int) -> Iterator[T]:
    for i, x in enumerate(it):
        if i >= n:
            break
        yield x
