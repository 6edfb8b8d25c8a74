"""Facts derived from codes when a release does not state them, each with its rule.

A release column always wins. Where there is none:

**Modality from the first letter.** NICIP codes are "meaningful": the first character gives
the modality (SNOMED International's page on the NHS code set). The letters below are named
by joining the published map to public SNOMED CT terms (see ``cypher/MODEL.md``); ``I`` and
``O`` are used by real codes but no source names them, so they are shown as unknown.

**Laterality from the side marker.** B/L/R straight after the site code means Both/Left/Right.
The site code is three or four letters after the modality letter, so the marker is the 5th
or 6th character (``XWRIB``, ``XFANKB``); earlier letters belong to the site (``XFILL`` is
the left of site ``FIL``, not a side ``L`` at the 4th character). A letter is read as a side
marker only when the code set itself shows it: another code differs from this one in that
position alone, also by B, L or R (``XWRIB``/``XWRIL``/``XWRIR``), or the description ends in
``Both``, ``Lt`` or ``Rt`` and the letter agrees. Where both positions qualify the 5th
character wins. A lone ``CKIDB`` with no description gets no laterality: it may be "both"
or part of the site.

**Imaging OPCS-4 codes** are those in the OPCS-4 categories for diagnostic imaging: U01-U18,
U20, U21 and U35-U37 (titles "Diagnostic imaging of ...", "Nuclear bone scan",
"Diagnostic echocardiography", "Diagnostic imaging procedures", "Other diagnostic imaging
...").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "MODALITY_LETTERS",
    "SIDE_WORDS",
    "Side",
    "is_imaging_opcs",
    "modality_from_letter",
    "sides",
]

#: First letter -> modality name, with the evidence for each.
MODALITY_LETTERS: dict[str, tuple[str, str]] = {
    "C": ("CT", "SNOMED CT terms of C codes: computed tomography"),
    "M": ("MRI", "SNOMED CT terms of M codes: magnetic resonance"),
    "U": ("Ultrasound", "SNOMED CT terms of U codes: ultrasonography"),
    "X": ("Plain X-ray", "SNOMED CT terms of X codes: plain radiography"),
    "F": ("Fluoroscopy", "SNOMED CT terms of F codes: fluoroscopy, angiography, barium studies"),
    "N": ("Nuclear medicine", "SNOMED CT terms of N codes: radionuclide imaging, PET and PET-CT"),
    "E": ("Endoscopy", "SNOMED CT terms of E codes: ERCP, colonoscopy"),
    "K": ("Cone beam CT", "SNOMED CT term of KCOBE: cone beam computed tomography"),
}
UNKNOWN_MODALITY = "Unknown"

SIDE_WORDS = {"Both": "B", "Lt": "L", "Rt": "R"}
#: 0-based positions a side marker can hold: after a 3- or 4-letter site code.
SIDE_POSITIONS = (4, 5)
_SIDE_NAMES = {"B": "Both", "L": "Left", "R": "Right"}

#: OPCS-4 3-character categories that are diagnostic imaging.
IMAGING_OPCS_CATEGORIES = frozenset(
    [f"U{n:02d}" for n in range(1, 19)] + ["U20", "U21", "U35", "U36", "U37"]
)


def modality_from_letter(code: str) -> tuple[str, str]:
    """(modality name, rule) for a code's first letter; unknown letters say so."""
    letter = code[0]
    if letter in MODALITY_LETTERS:
        name, _evidence = MODALITY_LETTERS[letter]
        return name, f"first letter {letter}"
    return UNKNOWN_MODALITY, f"first letter {letter} is not named by any source"


def is_imaging_opcs(code: str) -> bool:
    """True for an OPCS-4 code, category or chapter under a diagnostic imaging category."""
    return code[:3] in IMAGING_OPCS_CATEGORIES


@dataclass(frozen=True, slots=True)
class Side:
    """A code's side marker: where it is, what it says, and the family stem around it."""

    position: int
    letter: str
    rule: str

    @property
    def name(self) -> str:
        return _SIDE_NAMES[self.letter]

    def stem(self, code: str) -> str:
        """The code with its side marker blanked: ``XWRIB`` -> ``XWRI_``."""
        return code[: self.position] + "_" + code[self.position + 1 :]


def sides(
    codes: Iterable[str], descriptions: Mapping[str, str | None] | None = None
) -> dict[str, Side]:
    """The side marker of each code that has one, by the rules in this module's docstring."""
    codes = set(codes)
    descriptions = descriptions or {}
    # Blank each position holding B/L/R; codes sharing a blanked form are siblings there.
    families: dict[tuple[int, str], set[str]] = defaultdict(set)
    for code in codes:
        for pos in SIDE_POSITIONS:
            if pos < len(code) and code[pos] in "BLR":
                families[(pos, code[:pos] + "_" + code[pos + 1 :])].add(code)
    found: dict[str, Side] = {}
    for (pos, _stem), members in families.items():
        if len(members) < 2:
            continue
        for code in members:
            # Prefer the 5th character: the marker follows a 3-letter site code directly.
            if code not in found or pos < found[code].position:
                found[code] = Side(pos, code[pos], "sibling codes differ only in this letter")
    for code in codes - set(found):
        text = (descriptions.get(code) or "").split()
        if not text or text[-1] not in SIDE_WORDS:
            continue
        letter = SIDE_WORDS[text[-1]]
        for pos in SIDE_POSITIONS:
            if pos < len(code) and code[pos] == letter:
                found[code] = Side(pos, letter, f"description ends in {text[-1]!r}")
                break
    return found
