"""The three code systems' identifiers: how each is checked and written.

Each ``parse_*`` function takes the text of one cell, repairs only what can be repaired
without guessing (surrounding spaces, lower case, an OPCS-4 dot), and either returns the
canonical value or raises :class:`CodeFormatError` saying what was expected. Format readers
turn that into an :class:`~loader.errors.InputError` naming the file, row and column.

- NICIP short code: a letter then 3 to 5 letters or digits (``CFOOB``, ``NTS131``). The Data
  Dictionary gives ``max an6``; every one of the 2,787 published codes has 4 to 6 characters
  and starts with a letter.
- SNOMED CT identifier: 6 to 18 digits, no leading zero, a Verhoeff check digit last, and
  a partition identifier (the two digits before it) that says what it names: 00/10 a
  concept, 01/11 a description, 02/12 a relationship.
- OPCS-4 code: a chapter letter, two digits, optionally a fourth digit; written dotted
  (``U05.1``) in the TRUD codes-and-titles file and dotless (``U051``) in data sets. Inside
  the graph the dotless form is the key and the dotted form is kept beside it.
"""

from __future__ import annotations

import re

__all__ = [
    "CodeFormatError",
    "opcs_dotted",
    "parse_nicip_code",
    "parse_opcs_code",
    "parse_sctid",
    "sctid_partition",
    "verhoeff_digit",
    "verhoeff_valid",
]


class CodeFormatError(ValueError):
    """A cell does not hold a well-formed code; ``expected`` says what would be."""

    def __init__(self, expected: str, hint: str | None = None) -> None:
        super().__init__(expected)
        self.expected = expected
        self.hint = hint


# Verhoeff's dihedral group D5 tables (multiplication and permutation).
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)


def verhoeff_valid(digits: str) -> bool:
    """True when the last digit of ``digits`` is its Verhoeff check digit."""
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[i % 8][ord(ch) - 48]]
    return c == 0


def verhoeff_digit(digits: str) -> int:
    """The Verhoeff check digit to append to ``digits``."""
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[(i + 1) % 8][ord(ch) - 48]]
    return _INV[c]


_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)

_PARTITIONS = {
    "concept": ("00", "10"),
    "description": ("01", "11"),
    "relationship": ("02", "12"),
}
_PARTITION_NAMES = {p: kind for kind, ps in _PARTITIONS.items() for p in ps}

_DIGITS = re.compile(r"[0-9]+")
_FLOAT_ZERO = re.compile(r"([0-9]+)\.0+")


def sctid_partition(sctid: str) -> str | None:
    """What an identifier names by its partition digits: concept, description, relationship."""
    return _PARTITION_NAMES.get(sctid[-3:-1])


def parse_sctid(text: str, kind: str = "concept") -> int:
    """Check a SNOMED CT identifier of ``kind`` and return it as an int."""
    s = text.strip()
    m = _FLOAT_ZERO.fullmatch(s)
    if m:
        s = m.group(1)
    expected = f"a SNOMED CT {kind} id (6 to 18 digits with a valid Verhoeff check digit)"
    if not _DIGITS.fullmatch(s):
        hint = None
        if re.fullmatch(r"[0-9.]+[eE][+-]?[0-9]+", s):
            hint = (
                "This looks like a spreadsheet's scientific notation, which loses digits; "
                "format the column as text and export again"
            )
        raise CodeFormatError(expected, hint)
    if not 6 <= len(s) <= 18 or s[0] == "0":
        raise CodeFormatError(expected, "SNOMED CT ids have 6 to 18 digits and no leading zero")
    if not verhoeff_valid(s):
        raise CodeFormatError(expected, "The check digit is wrong: a digit is mistyped or lost")
    found = sctid_partition(s)
    if found != kind:
        what = f"a {found} id" if found else "an id of an unknown partition"
        raise CodeFormatError(expected, f"Its partition digits {s[-3:-1]} make it {what}")
    return int(s)


_NICIP = re.compile(r"[A-Z][A-Z0-9]{3,5}")


def parse_nicip_code(text: str) -> str:
    """Check a NICIP short code; surrounding spaces and lower case are repaired."""
    s = text.strip().upper()
    if not _NICIP.fullmatch(s):
        raise CodeFormatError("a NICIP code (a letter then 3 to 5 letters or digits, e.g. CFOOB)")
    return s


_OPCS = re.compile(r"([A-Z])([0-9]{2})(?:\.?([0-9]))?")


def parse_opcs_code(text: str) -> str:
    """Check an OPCS-4 code, dotted or not, and return its dotless form (``U051``)."""
    s = text.strip().upper()
    m = _OPCS.fullmatch(s)
    if not m or (m.group(3) is None and "." in s):
        raise CodeFormatError(
            "an OPCS-4 code (a letter and 2 digits, optionally a 4th: U05 or U05.1)"
        )
    return m.group(1) + m.group(2) + (m.group(3) or "")


def opcs_dotted(code: str) -> str:
    """The dotted form of a dotless OPCS-4 code: ``U051`` -> ``U05.1``, ``U05`` -> ``U05``."""
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"
