"""SNOMED CT RF2 release files: concepts, descriptions, relationships and reference sets.

RF2 ("Release Format 2") files are UTF-8 text, tab separated, with CRLF line ends and one
header row. There is no quoting: a description's term may hold double quotes and is kept
exactly as written. A file's name says what it holds and its release type::

    sct2_Concept_Snapshot_GB1000000_20240925.txt
    der2_cRefset_LanguageUKCLSnapshot-en_GB1000000_20240925.txt
    der2_iisssciRefset_ExtendedMapSnapshot_GB1000000_20240925.txt
    (file type)_(content type)_(content subtype + release type)_(namespace)_(version).txt

A *Snapshot* holds the current version of each row; a *Full* file every version of each
row, one per effectiveTime; a *Delta* the changes since the previous release. From Full
and Delta files only the latest version of each id is kept (a member active in 2023 and
inactive in 2024 is inactive, whatever the order of its rows; FIELD_NOTES 12), and two
versions of one id with the same effectiveTime and different values are refused. A file
with a header and no rows is accepted: a Delta, or a reference set with no members yet,
is legitimately empty. An empty file, or one that is not UTF-8, is refused.

Every row starts with id, effectiveTime (YYYYMMDD), active (0/1) and moduleId; reference
set members add refsetId and referencedComponentId, and their own id is a UUID. SNOMED CT
ids carry a Verhoeff check digit and partition digits that say whether they name a
concept, a description or a relationship (see :mod:`loader.codes`). Stated relationships,
concrete values and text definitions are not loaded (:func:`rf2_kind` gives ``None``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import fields
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal, NoReturn, Protocol

from loader.codes import PARTITIONS, CodeFormatError, parse_sctid, sctid_fast
from loader.errors import InputError, UnrecognisedFile
from loader.model import (
    Association,
    Concept,
    Description,
    ExtendedMap,
    LanguageMember,
    RefsetMember,
    Relationship,
)

__all__ = [
    "EXPECTED_HEADERS",
    "RF2_KINDS",
    "ReleaseType",
    "Rf2Record",
    "latest_only",
    "parse_rf2",
    "read_rf2",
    "rf2_kind",
    "rf2_release_type",
    "write_rf2",
]

Rf2Record = (
    Concept | Description | Relationship | RefsetMember | LanguageMember | Association | ExtendedMap
)
ReleaseType = Literal["Snapshot", "Full", "Delta"]

_MEMBER = "id effectiveTime active moduleId refsetId referencedComponentId"
_HEADERS = {
    "concept": "id effectiveTime active moduleId definitionStatusId",
    "description": "id effectiveTime active moduleId conceptId languageCode typeId term "
    "caseSignificanceId",
    "relationship": "id effectiveTime active moduleId sourceId destinationId relationshipGroup "
    "typeId characteristicTypeId modifierId",
    "simple_refset": _MEMBER,
    "language_refset": f"{_MEMBER} acceptabilityId",
    "association_refset": f"{_MEMBER} targetComponentId",
    "extended_map": f"{_MEMBER} mapGroup mapPriority mapRule mapAdvice mapTarget correlationId "
    "mapCategoryId",
}
EXPECTED_HEADERS: dict[str, tuple[str, ...]] = {k: tuple(v.split()) for k, v in _HEADERS.items()}
"""The columns each kind's header must start with (only ``extended_map`` may have more)."""

RF2_KINDS: tuple[str, ...] = tuple(EXPECTED_HEADERS)

_RECORD_TYPES: dict[str, type] = {
    "concept": Concept,
    "description": Description,
    "relationship": Relationship,
    "simple_refset": RefsetMember,
    "language_refset": LanguageMember,
    "association_refset": Association,
    "extended_map": ExtendedMap,
}

# Lower-case name prefixes. sct2_StatedRelationship_, sct2_RelationshipConcreteValues_ and
# sct2_TextDefinition_ match none of them. AssociationReference is the UK spelling.
_PREFIXES = (
    ("sct2_concept_", "concept"),
    ("sct2_description_", "description"),
    ("sct2_relationship_", "relationship"),
    ("der2_refset_simple", "simple_refset"),
    ("der2_crefset_language", "language_refset"),
    ("der2_crefset_association", "association_refset"),
    ("der2_iissscirefset_extendedmap", "extended_map"),
    ("der2_iisssccrefset_extendedmap", "extended_map"),
)
_RELEASE = re.compile(r"(snapshot|full|delta)(?:-[a-z0-9]+)*$", re.IGNORECASE)
_RELEASE_NAMES: dict[str, ReleaseType] = {"snapshot": "Snapshot", "full": "Full", "delta": "Delta"}


def _basename(filename: str) -> str:
    return re.split(r"[\\/]", str(filename))[-1]


def rf2_kind(filename: str) -> str | None:
    """The kind of RF2 file a name denotes (a key of :data:`EXPECTED_HEADERS`), or None."""
    name = _basename(filename).lower()
    if not name.endswith(".txt"):
        return None
    return next((kind for prefix, kind in _PREFIXES if name.startswith(prefix)), None)


def rf2_release_type(filename: str) -> ReleaseType | None:
    """``Snapshot``, ``Full`` or ``Delta`` from an RF2 name's third part, else None.

    The type may be glued to the end of that part: ``SimpleSnapshot``,
    ``LanguageUKCLFull-en``, ``Snapshot-en``.
    """
    parts = _basename(filename).split("_")
    if len(parts) < 3 or parts[0].lower() not in ("sct2", "der2"):
        return None
    m = _RELEASE.search(parts[2])
    return _RELEASE_NAMES[m.group(1).lower()] if m else None


@lru_cache(maxsize=1 << 19)
def _cached_concept(text: str) -> int:
    """A concept id from a column whose values repeat (moduleId, typeId, refsetId, and the
    concept ids descriptions and relationships refer to)."""
    return sctid_fast(text, PARTITIONS["concept"]) or parse_sctid(text, "concept")


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@lru_cache(maxsize=4096)
def _date(text: str) -> date:
    if len(text) != 8 or not (text.isascii() and text.isdigit()):
        raise ValueError(text)
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


class _Cells:
    """The row being parsed, with converters that raise an InputError naming the column."""

    __slots__ = ("f", "file", "names", "row")

    def __init__(self, file: str, names: tuple[str, ...]) -> None:
        self.file = file
        self.names = names
        self.row = 1
        self.f: list[str] = []

    def fail(self, i: int, expected: str, hint: str | None = None) -> NoReturn:
        raise InputError(self.file, self.row, self.names[i], self.f[i], expected, hint)

    def sctid(self, i: int, kind: str = "concept") -> int:
        fast = sctid_fast(self.f[i], PARTITIONS[kind])
        if fast is not None:
            return fast
        try:
            return parse_sctid(self.f[i], kind)
        except CodeFormatError as e:
            self.fail(i, e.expected, e.hint)

    def concept(self, i: int) -> int:
        """A concept id in a column whose values repeat (sourceId, conceptId...)."""
        try:
            return _cached_concept(self.f[i])
        except CodeFormatError as e:
            self.fail(i, e.expected, e.hint)

    def meta(self, i: int) -> int:
        try:
            return _cached_concept(self.f[i])
        except CodeFormatError as e:
            self.fail(i, e.expected, e.hint)

    def component(self, i: int) -> int:
        """A concept id, or failing that a description id."""
        try:
            return _cached_concept(self.f[i])
        except CodeFormatError as e:
            try:
                return parse_sctid(self.f[i], "description")
            except CodeFormatError:
                self.fail(i, e.expected, e.hint)

    def optional(self, i: int) -> int | None:
        return self.meta(i) if self.f[i].strip() else None

    def date(self, i: int) -> date:
        try:
            return _date(self.f[i])
        except ValueError:
            self.fail(i, "a date written YYYYMMDD (e.g. 20240925)")

    def active(self, i: int) -> bool:
        v = self.f[i]
        if v == "1":
            return True
        if v == "0":
            return False
        self.fail(i, "1 (active) or 0 (inactive)")

    def uuid(self, i: int) -> str:
        if _UUID.fullmatch(self.f[i]):
            return self.f[i]  # already in the canonical form str(uuid.UUID(...)) gives
        try:
            return str(uuid.UUID(self.f[i]))
        except ValueError:
            self.fail(i, "a UUID (32 hex digits written 8-4-4-4-12)")

    def integer(self, i: int) -> int:
        v = self.f[i]
        if not (v.isascii() and v.isdigit()):
            self.fail(i, "a whole number (digits only)")
        return int(v)


def _head(c: _Cells, kind: str) -> tuple[int, date, bool, int]:
    return c.sctid(0, kind), c.date(1), c.active(2), c.meta(3)


def _member(c: _Cells) -> tuple[str, date, bool, int, int]:
    return c.uuid(0), c.date(1), c.active(2), c.meta(3), c.meta(4)


def _concept(c: _Cells) -> Concept:
    return Concept(*_head(c, "concept"), c.meta(4))


def _description(c: _Cells) -> Description:
    f = c.f
    return Description(*_head(c, "description"), c.concept(4), f[5], c.meta(6), f[7], c.meta(8))


def _relationship(c: _Cells) -> Relationship:
    ids = c.concept(4), c.concept(5), c.integer(6), c.meta(7), c.meta(8), c.meta(9)
    return Relationship(*_head(c, "relationship"), *ids)


def _simple(c: _Cells) -> RefsetMember:
    return RefsetMember(*_member(c), c.component(5))


def _language(c: _Cells) -> LanguageMember:
    return LanguageMember(*_member(c), c.sctid(5, "description"), c.meta(6))


def _association(c: _Cells) -> Association:
    return Association(*_member(c), c.component(5), c.component(6))


def _extended_map(c: _Cells) -> ExtendedMap:
    # mapCategoryId is not checked: UK map-block refsets put non-SNOMED values there.
    f = c.f
    ids = (*_member(c), c.component(5), c.integer(6), c.integer(7))
    return ExtendedMap(*ids, f[8], f[9], f[10].strip(), c.optional(11), f[12], tuple(f[13:]))


_BUILDERS: dict[str, Callable[[_Cells], Rf2Record]] = {
    "concept": _concept,
    "description": _description,
    "relationship": _relationship,
    "simple_refset": _simple,
    "language_refset": _language,
    "association_refset": _association,
    "extended_map": _extended_map,
}


def _header_hint(names: list[str], kind: str) -> str | None:
    if names == [""]:
        return "The file is empty; an RF2 file has at least its header line"
    if len(names) == 1 and "," in names[0]:
        return "The header is not tab-separated; RF2 files use tabs"
    for other, cols in EXPECTED_HEADERS.items():
        if other != kind and names[: len(cols)] == list(cols):
            return f"This looks like a {other} file; check the file's name"
    return None


def parse_rf2(lines: Iterable[str], kind: str, file: str) -> Iterator[Rf2Record]:
    """Typed records from the lines of an RF2 file of ``kind``, header line first.

    ``file`` names the file in errors. Rows are checked as they are read; the first bad
    cell raises :class:`~loader.errors.InputError` with its 1-based line number.
    """
    if kind not in EXPECTED_HEADERS:
        raise ValueError(f"unknown RF2 kind {kind!r}; expected one of {', '.join(RF2_KINDS)}")
    expected = EXPECTED_HEADERS[kind]
    build = _BUILDERS[kind]
    it = iter(lines)
    header = next(it, "").rstrip("\r\n").removeprefix("\ufeff")
    names = header.split("\t")
    if names[: len(expected)] != list(expected) or (
        len(names) != len(expected) and kind != "extended_map"
    ):
        want = "\t".join(expected)
        raise InputError(
            file, 1, None, header, f"the tab-separated header {want!r}", _header_hint(names, kind)
        )
    width = len(names)
    cells = _Cells(file, tuple(names))
    blank = 0  # the first of a run of blank lines: an error unless nothing follows it
    for row, raw in enumerate(it, start=2):
        line = raw.rstrip("\r\n")
        if not line:
            blank = blank or row
            continue
        if blank:
            want = f"{width} tab-separated fields"
            raise InputError(file, blank, None, "", want, "A blank line inside the file")
        f = line.split("\t")
        if len(f) != width:
            missing = names[len(f)] if len(f) < width else None
            hint = (
                f"Found {len(f)}; the row ends before column {missing!r}"
                if missing
                else f"Found {len(f)}; a value may contain a tab"
            )
            raise InputError(file, row, missing, line, f"{width} tab-separated fields", hint)
        cells.row, cells.f = row, f
        yield build(cells)


class _Versioned(Protocol):
    @property
    def id(self) -> Hashable: ...

    @property
    def effective_time(self) -> date: ...


def latest_only[R: _Versioned](
    records: Iterable[R], file: str = "<records>", first_row: int = 2
) -> list[R]:
    """Per id, the version with the latest effectiveTime, in the order ids were first seen.

    A Full file holds every version of a row (FIELD_NOTES item 12: the same member active
    then inactive); the latest is the current state. Two versions of one id with the same
    effectiveTime but different content raise :class:`~loader.errors.InputError` naming
    the later one; its row is its position plus ``first_row`` (records of
    :func:`parse_rf2` are one per line after the header).
    """
    latest: dict[Hashable, tuple[int, R]] = {}
    for n, rec in enumerate(records):
        seen = latest.get(rec.id)
        if seen is None or rec.effective_time > seen[1].effective_time:
            latest[rec.id] = (n, rec)
        elif rec.effective_time == seen[1].effective_time and rec != seen[1]:
            hint = f"Row {first_row + seen[0]} has this id and effectiveTime, with other values"
            want = "one version of each id per effectiveTime"
            raise InputError(file, first_row + n, "id", str(rec.id), want, hint)
    return [rec for _, rec in latest.values()]


def _why_not(name: str) -> str:
    low = name.lower()
    if low.startswith(("sct2_statedrelationship", "sct2_relationshipconcrete", "sct2_textdef")):
        return "Stated relationships, concrete values and text definitions are not loaded"
    return (
        "Its name is not that of an RF2 file nicip-graph loads (sct2_Concept_, "
        "sct2_Description_, sct2_Relationship_, der2_Refset_Simple, der2_cRefset_Language, "
        "der2_cRefset_Association, der2_iisssciRefset_ExtendedMap, all .txt)"
    )


def _lines(path: Path, name: str) -> Iterator[str]:
    with open(path, encoding="utf-8", newline="") as fh:
        try:
            yield from fh
        except UnicodeDecodeError as e:
            row, line = _first_bad_line(path)
            hint = (
                f"Byte 0x{e.object[e.start]:02X} is not UTF-8. RF2 files are UTF-8; the file "
                "may have been re-saved in another encoding (Windows-1252?). Use the file as "
                "released"
            )
            raise InputError(name, row, None, line, "UTF-8 text", hint) from e


def _first_bad_line(path: Path) -> tuple[int | None, str]:
    """The number and text of the first line of ``path`` that is not UTF-8 (errors only)."""
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number, raw.decode("cp1252", errors="replace").rstrip("\r\n")
    return None, ""


def read_rf2(path: str | Path) -> Iterator[Rf2Record]:
    """Records of the RF2 file at ``path``; its kind and release type come from its name.

    Raises :class:`~loader.errors.UnrecognisedFile` at once when the name is not that of a
    loaded RF2 file. Full and Delta files (and names without a release type) are reduced
    by :func:`latest_only`, which reads the whole file before the first record.
    """
    p = Path(path)
    name = p.name
    kind = rf2_kind(name)
    if kind is None:
        raise UnrecognisedFile(name, _why_not(name))
    records = parse_rf2(_lines(p, name), kind, name)
    if rf2_release_type(name) == "Snapshot":
        return records
    return _latest(records, name)


def _latest(records: Iterator[Rf2Record], name: str) -> Iterator[Rf2Record]:
    yield from latest_only(records, name)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return f"{value.year:04d}{value.month:02d}{value.day:02d}"
    return str(value)


def write_rf2(
    records: Iterable[Rf2Record], kind: str, extra_columns: Sequence[str] = ()
) -> list[str]:
    """The lines of an RF2 file of ``kind`` holding ``records``, each ending in CRLF.

    ``extra_columns`` names trailing columns of an extended map (``("mapBlock",)``); every
    record's ``extra`` must have that many values.
    """
    header = (*EXPECTED_HEADERS[kind], *extra_columns)
    wanted = _RECORD_TYPES[kind]
    out = ["\t".join(header) + "\r\n"]
    for rec in records:
        if not isinstance(rec, wanted):
            raise TypeError(f"a {kind} file holds {wanted.__name__} records, not {rec!r}")
        cells = [_text(getattr(rec, f.name)) for f in fields(rec) if f.name != "extra"]
        if isinstance(rec, ExtendedMap):
            cells.extend(rec.extra)
        if len(cells) != len(header):
            raise ValueError(f"{rec!r} has {len(cells)} values for {len(header)} columns")
        out.append("\t".join(cells) + "\r\n")
    return out
