"""Typed records that the format readers yield and the graph builder consumes.

Types are converted while parsing: SNOMED CT ids are ``int``, effective times are
``datetime.date``, ``active`` is ``bool``, OPCS-4 codes are dotless strings. Each record
carries the 1-based ``row`` it came from, so later checks can still name it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

__all__ = [
    "Association",
    "Concept",
    "Description",
    "ExtendedMap",
    "LanguageMember",
    "NicipRecord",
    "OpcsRecord",
    "RefsetMember",
    "Relationship",
]


@dataclass(frozen=True, slots=True)
class NicipRecord:
    """One row of a NICIP table (or of a NICIP to OPCS-4 map): what it says of one code.

    ``None`` means the file has no such column, which is different from an empty cell in a
    column that exists (``""`` for text, ``()`` for OPCS-4 codes).
    """

    code: str
    row: int
    description: str | None = None
    active: bool | None = None
    snomed_id: int | None = None
    opcs_codes: tuple[str, ...] | None = None
    modality: str | None = None
    body_site: str | None = None
    laterality: str | None = None
    effective_date: date | None = None
    inactive_date: date | None = None
    replaced_by: str | None = None


@dataclass(frozen=True, slots=True)
class OpcsRecord:
    """An OPCS-4 chapter, 3-character category or 4-character code.

    ``code`` is dotless (``U051``); a chapter's code is its letter (``U``).
    ``level`` is ``chapter``, ``category`` or ``code``.
    """

    code: str
    title: str | None
    level: str
    parent: str | None
    row: int

    @property
    def dotted(self) -> str:
        if self.level == "chapter":
            return f"Chapter {self.code}"
        return self.code if len(self.code) <= 3 else f"{self.code[:3]}.{self.code[3:]}"


@dataclass(frozen=True, slots=True)
class Concept:
    """RF2 concept row."""

    id: int
    effective_time: date
    active: bool
    module_id: int
    definition_status_id: int


@dataclass(frozen=True, slots=True)
class Description:
    """RF2 description row (typeId tells FSN from synonym)."""

    id: int
    effective_time: date
    active: bool
    module_id: int
    concept_id: int
    language_code: str
    type_id: int
    term: str
    case_significance_id: int


@dataclass(frozen=True, slots=True)
class Relationship:
    """RF2 relationship row (is-a when ``type_id`` is 116680003)."""

    id: int
    effective_time: date
    active: bool
    module_id: int
    source_id: int
    destination_id: int
    relationship_group: int
    type_id: int
    characteristic_type_id: int
    modifier_id: int


@dataclass(frozen=True, slots=True)
class RefsetMember:
    """RF2 simple reference set member."""

    id: str
    effective_time: date
    active: bool
    module_id: int
    refset_id: int
    referenced_component_id: int


@dataclass(frozen=True, slots=True)
class LanguageMember:
    """RF2 language reference set member: whether a description is preferred or acceptable."""

    id: str
    effective_time: date
    active: bool
    module_id: int
    refset_id: int
    referenced_component_id: int
    acceptability_id: int


@dataclass(frozen=True, slots=True)
class Association:
    """RF2 historical association member: an inactive component and what replaces it."""

    id: str
    effective_time: date
    active: bool
    module_id: int
    refset_id: int
    referenced_component_id: int
    target_component_id: int


@dataclass(frozen=True, slots=True)
class ExtendedMap:
    """RF2 extended map member (the UK edition's SNOMED CT to OPCS-4 and ICD-10 maps).

    ``map_target`` is kept as written; ``extra`` holds any column past the standard ones
    (the UK edition adds ``mapBlock``).
    """

    id: str
    effective_time: date
    active: bool
    module_id: int
    refset_id: int
    referenced_component_id: int
    map_group: int
    map_priority: int
    map_rule: str
    map_advice: str
    map_target: str
    correlation_id: int | None
    map_category_id: str
    extra: tuple[str, ...] = field(default=())
