"""The three code systems' identifiers: how each is checked and written.

Each ``parse_*`` function takes the text of one cell, repairs only what can be repaired
without guessing (surrounding spaces, including non-breaking and zero-width ones, lower
case, an OPCS-4 dot, a SNOMED CT id written ``60027007.0``), and either returns the
canonical value or raises :class:`CodeFormatError` saying what was expected and, where the
value shows what went wrong (a spreadsheet's scientific notation, a formula, a code of
another system), how to fix it. Format readers turn that into an
:class:`~loader.errors.InputError` naming the file, row and column, and note each repair in
the load report. :func:`strip_footnote_mark` takes off a footnote mark (``‡``) that tables
from NHS Digital put beside a code (FIELD_NOTES 7); it is left to table readers, because no
code system uses those marks and an RF2 file never has them.

- NICIP short code: a letter then 3 to 5 letters or digits (``CFOOB``, ``NTS131``). The Data
  Dictionary gives ``max an6``; every one of the 2,787 published codes has 4 to 6 characters
  and starts with a letter.
- SNOMED CT identifier: 6 to 18 digits, no leading zero, a Verhoeff check digit last, and
  a partition identifier (the two digits before it) that says what it names: 00/10 a
  concept, 01/11 a description, 02/12 a relationship.
- OPCS-4 code: a chapter letter, two digits, optionally a fourth digit; written dotted
  (``U05.1``) in the TRUD codes-and-titles file and dotless (``U051``) in data sets. Inside
  the graph the dotless form is the key and the dotted form is kept beside it. OPCS-4 has
  no chapter I, so ``I10`` is refused as the ICD-10 code it is; other ICD-10 codes have
  the OPCS-4 shape (``K59.2``) and are caught only against a loaded OPCS-4 list.
- No code of the three systems starts with the digit 0, so a spreadsheet dropping leading
  zeros cannot damage one; a SNOMED CT id *padded* with a zero is refused.
"""

from __future__ import annotations

import re

__all__ = [
    "FOOTNOTE_MARKS",
    "CodeFormatError",
    "opcs_dotted",
    "parse_nicip_code",
    "parse_opcs_code",
    "parse_sctid",
    "sctid_fast",
    "sctid_partition",
    "strip_footnote_mark",
    "strip_spaces",
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


#: ``_STEP[i % 8][character]`` is the row of states that follow each state at position i
#: from the right: one lookup a digit instead of three (ids are checked millions of times).
_STEP = tuple(
    {str(d): tuple(_D[c][_P[k][d]] for c in range(10)) for d in range(10)} for k in range(8)
)


def verhoeff_valid(digits: str) -> bool:
    """True when the last digit of ``digits`` (ASCII digits only) is its Verhoeff check digit."""
    c = 0
    step = _STEP
    for i, ch in enumerate(reversed(digits)):
        c = step[i & 7][ch][c]
    return c == 0


def sctid_fast(text: str, partitions: tuple[str, ...]) -> int | None:
    """A well-formed SNOMED CT id of one of ``partitions`` as an int, else None.

    The quick path for release files, where nearly every id is well formed: a None sends
    the caller to :func:`parse_sctid` for the message that says what is wrong.
    """
    if (
        6 <= len(text) <= 18
        and text.isascii()
        and text.isdigit()
        and text[0] != "0"
        and text[-3:-1] in partitions
        and verhoeff_valid(text)
    ):
        return int(text)
    return None


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
#: The partition digits of each kind, for :func:`sctid_fast`.
PARTITIONS = _PARTITIONS
_PARTITION_NAMES = {p: kind for kind, ps in _PARTITIONS.items() for p in ps}

_DIGITS = re.compile(r"[0-9]+")
_FLOAT_ZERO = re.compile(r"([0-9]+)\.0+")
_SCIENTIFIC = re.compile(r"([0-9]*)\.?([0-9]*)[eE]([+-]?)([0-9]+)")
_GROUPED = re.compile(r"[0-9]{1,3}(?:[, ][0-9]{3})+")
#: Typographic footnote marks, in their conventional order; none is part of any code.
FOOTNOTE_MARKS = "*\u2020\u2021\u00a7\u00b6"  # * † ‡ § ¶
_SPACES = " \t\r\n\u00a0\u2007\u202f\u200b\ufeff"


def strip_spaces(text: str) -> str:
    """``text`` without surrounding spaces, counting non-breaking and zero-width ones."""
    return text.strip().strip(_SPACES)


def strip_footnote_mark(text: str) -> tuple[str, str]:
    """Split a footnote mark off either end of a code: ``'‡U05.1'`` -> ``('U05.1', '‡')``.

    Only the marks in :data:`FOOTNOTE_MARKS` are taken, and only when something is left.
    """
    s = strip_spaces(text)
    core = strip_spaces(s.strip(FOOTNOTE_MARKS))
    if not core or core == s:
        return text, ""
    return core, "".join(ch for ch in s if ch in FOOTNOTE_MARKS)


def sctid_partition(sctid: str) -> str | None:
    """What an identifier names by its partition digits: concept, description, relationship."""
    return _PARTITION_NAMES.get(sctid[-3:-1])


_WORDS = re.compile(r"[A-Za-z]{3,}\W+[A-Za-z]{3,}")


def _common_hint(s: str) -> str | None:
    """What a cell that holds no code of any system shows about how it got that way."""
    if s.startswith("="):
        return (
            "This is a spreadsheet formula, not a value; copy the column and paste it back "
            "as values (Paste Special > Values), then export again"
        )
    if not s:
        return "The cell is empty"
    if s.startswith(("\u00a9", "(c)", "(C)")) or _WORDS.search(s):
        return (
            "This is text, not a code. If it is a footnote or copyright line under the "
            "table, delete it and the lines after it, then load again"
        )
    return None


def _lost_digits(s: str) -> str | None:
    m = _SCIENTIFIC.fullmatch(s)
    if m:
        kept = (m.group(1) + m.group(2)).lstrip("0")
        total = int(m.group(4)) + len(m.group(1).lstrip("0") or "0")
        lost = ""
        if m.group(3) != "-" and len(kept) < total:
            lost = f"only {len(kept)} of its {total} digits are left"
        return (
            "This is a spreadsheet's scientific notation, which loses digits"
            + (f" ({lost})" if lost else "")
            + "; format the column as text and export again"
        )
    if _GROUPED.fullmatch(s):
        return "The digits are grouped with separators; export the column without them"
    return None


def parse_sctid(text: str, kind: str = "concept") -> int:
    """Check a SNOMED CT identifier of ``kind`` and return it as an int."""
    s = strip_spaces(text)
    m = _FLOAT_ZERO.fullmatch(s)
    if m:
        s = m.group(1)
    expected = f"a SNOMED CT {kind} id (6 to 18 digits with a valid Verhoeff check digit)"
    if not _DIGITS.fullmatch(s):
        raise CodeFormatError(expected, _lost_digits(s) or _common_hint(s))
    if not 6 <= len(s) <= 18 or s[0] == "0":
        raise CodeFormatError(expected, "SNOMED CT ids have 6 to 18 digits and no leading zero")
    # A spreadsheet keeps 15 significant digits of a number: 999001111000000105 becomes
    # 999001111000000000. Such an id usually fails its check digit; say why.
    zeros = len(s) > 15 and set(s[15:]) == {"0"}
    excel = (
        f"; its digits after the 15th are zeros, so a spreadsheet probably stored it as a "
        f"number, which keeps only 15 digits ({s[:15]}...). Format the column as text"
        if zeros
        else ""
    )
    if not verhoeff_valid(s):
        raise CodeFormatError(
            expected, "The check digit is wrong: a digit is mistyped or lost" + excel
        )
    found = sctid_partition(s)
    if found != kind:
        what = f"a {found} id" if found else "an id of an unknown partition"
        raise CodeFormatError(expected, f"Its partition digits {s[-3:-1]} make it {what}{excel}")
    return int(s)


_NICIP = re.compile(r"[A-Z][A-Z0-9]{3,5}")


def parse_nicip_code(text: str) -> str:
    """Check a NICIP short code; surrounding spaces and lower case are repaired."""
    s = strip_spaces(text).upper()
    if not _NICIP.fullmatch(s):
        raise CodeFormatError(
            "a NICIP code (a letter then 3 to 5 letters or digits, e.g. CFOOB)",
            _common_hint(strip_spaces(text)),
        )
    return s


_OPCS = re.compile(r"([A-Z])([0-9]{2})(?:\.?([0-9]))?")
_ICD10 = re.compile(r"[A-Z][0-9]{2}(?:\.?[0-9X][0-9A-Z]?|X)[+*\u2020]?")
_OPCS_EXPECTED = "an OPCS-4 code (a letter and 2 digits, optionally a 4th: U05 or U05.1)"


def parse_opcs_code(text: str) -> str:
    """Check an OPCS-4 code, dotted or not, and return its dotless form (``U051``)."""
    raw = strip_spaces(text)
    s = raw.upper()
    m = _OPCS.fullmatch(s)
    if m and m.group(1) == "I":
        raise CodeFormatError(
            _OPCS_EXPECTED,
            "OPCS-4 has no chapter I; this is an ICD-10 code (chapter I: circulatory "
            "diseases), so the column holds codes of the wrong system",
        )
    if not m or (m.group(3) is None and "." in s):
        if _ICD10.fullmatch(s):
            hint: str | None = (
                "This has the shape of an ICD-10 code (a 4th character X, a 5th character or "
                "a dagger/asterisk), not of an OPCS-4 code"
            )
        elif _DIGITS.fullmatch(s) and len(s) >= 6:
            hint = "This is a number, perhaps a SNOMED CT id: the column may be the wrong one"
        elif _NICIP.fullmatch(s):
            hint = "This has the shape of a NICIP code: the column may be the wrong one"
        else:
            hint = _common_hint(raw)
        raise CodeFormatError(_OPCS_EXPECTED, hint)
    return m.group(1) + m.group(2) + (m.group(3) or "")


def opcs_dotted(code: str) -> str:
    """The dotted form of a dotless OPCS-4 code: ``U051`` -> ``U05.1``, ``U05`` -> ``U05``."""
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"
