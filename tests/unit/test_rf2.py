"""Unit tests for loader.formats.rf2: SNOMED CT RF2 release files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loader.codes import sctid_partition, verhoeff_digit, verhoeff_valid
from loader.errors import InputError, UnrecognisedFile
from loader.formats.rf2 import (
    EXPECTED_HEADERS,
    latest_only,
    parse_rf2,
    read_rf2,
    rf2_kind,
    rf2_release_type,
    write_rf2,
)
from loader.model import (
    Association,
    Concept,
    Description,
    ExtendedMap,
    LanguageMember,
    RefsetMember,
    Relationship,
)

# Real SNOMED CT ids.
WRIST_XRAY = 60027007  # Radiography of wrist
IS_A = 116680003
CORE = 900000000000207008  # core module
UK_MODULE = 999000031000000106
PRIMITIVE = 900000000000074008
FSN = 900000000000003001
SYNONYM = 900000000000013009
CASE_INSENSITIVE = 900000000000448009
INFERRED = 900000000000011006
EXISTENTIAL = 900000000000451002
GB_ENGLISH = 900000000000508004
PREFERRED = 900000000000548007
SAME_AS = 900000000000527005
IMAGING_REFSET = 999001111000000105
OPCS_MAP = 1382401000000109
CORRELATION_UNSPECIFIED = 447561005
# Made-up ids with valid check digits in the description (11) and relationship (12) partitions.
DESC_ID = 10001112
DESC_ID_2 = 20001113
REL_ID = 10001120
OTHER_CONCEPT = 10001005

UUID_1 = "5f0b1e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
UUID_2 = "6a1c2f3b-4d5e-4f60-9bac-1d2e3f4a5b6c"

CONCEPT_FILE = "sct2_Concept_Snapshot_GB1000000_20240925.txt"


def test_ids_used_here_are_valid() -> None:
    ids = {
        "concept": [
            WRIST_XRAY,
            IS_A,
            CORE,
            UK_MODULE,
            PRIMITIVE,
            FSN,
            SYNONYM,
            OPCS_MAP,
            CASE_INSENSITIVE,
            INFERRED,
            EXISTENTIAL,
            GB_ENGLISH,
            PREFERRED,
            SAME_AS,
            IMAGING_REFSET,
            CORRELATION_UNSPECIFIED,
            OTHER_CONCEPT,
        ],
        "description": [DESC_ID, DESC_ID_2],
        "relationship": [REL_ID],
    }
    for kind, values in ids.items():
        for v in values:
            assert verhoeff_valid(str(v)), v
            assert sctid_partition(str(v)) == kind, v


def tsv(*rows: str | tuple[object, ...]) -> list[str]:
    """CRLF lines from rows of cells (a str row is taken as already joined)."""
    return [(r if isinstance(r, str) else "\t".join(map(str, r))) + "\r\n" for r in rows]


def header(kind: str, *extra: str) -> tuple[str, ...]:
    return (*EXPECTED_HEADERS[kind], *extra)


# --- file names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "release"),
    [
        ("sct2_Concept_Snapshot_GB1000000_20240925.txt", "concept", "Snapshot"),
        ("sct2_Concept_Full_INT_20240101.txt", "concept", "Full"),
        ("sct2_Description_Snapshot-en_GB1000000_20240925.txt", "description", "Snapshot"),
        ("sct2_Description_Delta-en_INT_20240101.txt", "description", "Delta"),
        ("sct2_Relationship_Snapshot_GB1000000_20240925.txt", "relationship", "Snapshot"),
        ("sct2_StatedRelationship_Snapshot_GB1000000_20240925.txt", None, "Snapshot"),
        ("sct2_RelationshipConcreteValues_Snapshot_INT_20240101.txt", None, "Snapshot"),
        ("sct2_TextDefinition_Snapshot-en_INT_20240101.txt", None, "Snapshot"),
        ("der2_Refset_SimpleSnapshot_GB1000000_20240925.txt", "simple_refset", "Snapshot"),
        ("der2_Refset_SimpleUKCRFull_GB1000000_20240925.txt", "simple_refset", "Full"),
        (
            "der2_cRefset_LanguageUKCLSnapshot-en_GB1000000_20240925.txt",
            "language_refset",
            "Snapshot",
        ),
        ("der2_cRefset_LanguageUKCLFull-en_GB1000000_20240925.txt", "language_refset", "Full"),
        ("der2_cRefset_AssociationSnapshot_INT_20240101.txt", "association_refset", "Snapshot"),
        (
            "der2_cRefset_AssociationReferenceFull_GB1000000_20240925.txt",
            "association_refset",
            "Full",
        ),
        (
            "der2_iisssciRefset_ExtendedMapSnapshot_GB1000000_20240925.txt",
            "extended_map",
            "Snapshot",
        ),
        ("der2_iisssccRefset_ExtendedMapDelta_INT_20240101.txt", "extended_map", "Delta"),
        (
            "DER2_IISSSCIREFSET_EXTENDEDMAPSNAPSHOT_GB1000000_20240925.TXT",
            "extended_map",
            "Snapshot",
        ),
        ("some/dir/sct2_Concept_Snapshot_GB1000000_20240925.txt", "concept", "Snapshot"),
        ("der2_cRefset_AttributeValueSnapshot_INT_20240101.txt", None, "Snapshot"),
        ("der2_sRefset_SimpleMapSnapshot_INT_20240101.txt", None, "Snapshot"),
        ("sct2_Concept_Snapshot_GB1000000_20240925.zip", None, "Snapshot"),
        ("nicip.xlsx", None, None),
        ("concepts.txt", None, None),
    ],
)
def test_kind_and_release_type(name: str, kind: str | None, release: str | None) -> None:
    assert rf2_kind(name) == kind
    assert rf2_release_type(name) == release


def test_release_type_without_type() -> None:
    assert rf2_release_type("sct2_Concept_Something_INT_20240101.txt") is None


# --- each kind --------------------------------------------------------------------------


def test_concept() -> None:
    lines = tsv(header("concept"), (WRIST_XRAY, "20020131", 1, CORE, PRIMITIVE))
    assert list(parse_rf2(lines, "concept", CONCEPT_FILE)) == [
        Concept(WRIST_XRAY, date(2002, 1, 31), True, CORE, PRIMITIVE)
    ]


def test_description_keeps_quotes_and_spaces() -> None:
    term = 'Plain X-ray of "wrist"  (procedure) '
    lines = tsv(
        header("description"),
        (DESC_ID, "20240925", 0, UK_MODULE, WRIST_XRAY, "en", FSN, term, CASE_INSENSITIVE),
    )
    (d,) = parse_rf2(lines, "description", "d.txt")
    assert d == Description(
        DESC_ID,
        date(2024, 9, 25),
        False,
        UK_MODULE,
        WRIST_XRAY,
        "en",
        FSN,
        term,
        CASE_INSENSITIVE,
    )


def test_relationship() -> None:
    lines = tsv(
        header("relationship"),
        (REL_ID, "20240101", 1, CORE, WRIST_XRAY, OTHER_CONCEPT, 0, IS_A, INFERRED, EXISTENTIAL),
    )
    (r,) = parse_rf2(lines, "relationship", "r.txt")
    assert r == Relationship(
        REL_ID,
        date(2024, 1, 1),
        True,
        CORE,
        WRIST_XRAY,
        OTHER_CONCEPT,
        0,
        IS_A,
        INFERRED,
        EXISTENTIAL,
    )


def test_simple_refset_accepts_concept_or_description() -> None:
    lines = tsv(
        header("simple_refset"),
        (UUID_1, "20240925", 1, UK_MODULE, IMAGING_REFSET, WRIST_XRAY),
        (UUID_2.upper(), "20240925", 1, UK_MODULE, IMAGING_REFSET, DESC_ID),
    )
    assert list(parse_rf2(lines, "simple_refset", "s.txt")) == [
        RefsetMember(UUID_1, date(2024, 9, 25), True, UK_MODULE, IMAGING_REFSET, WRIST_XRAY),
        RefsetMember(UUID_2, date(2024, 9, 25), True, UK_MODULE, IMAGING_REFSET, DESC_ID),
    ]


def test_simple_refset_rejects_relationship_id_with_concept_message() -> None:
    lines = tsv(header("simple_refset"), (UUID_1, "20240925", 1, UK_MODULE, IMAGING_REFSET, REL_ID))
    with pytest.raises(InputError) as e:
        list(parse_rf2(lines, "simple_refset", "s.txt"))
    assert "s.txt, row 2, column 'referencedComponentId'" in str(e.value)
    assert "SNOMED CT concept id" in str(e.value)
    assert "partition digits 12 make it a relationship id" in str(e.value)


def test_language_refset() -> None:
    lines = tsv(
        header("language_refset"),
        (UUID_1, "20240925", 1, UK_MODULE, GB_ENGLISH, DESC_ID, PREFERRED),
    )
    assert list(parse_rf2(lines, "language_refset", "l.txt")) == [
        LanguageMember(UUID_1, date(2024, 9, 25), True, UK_MODULE, GB_ENGLISH, DESC_ID, PREFERRED)
    ]


def test_language_refset_needs_a_description() -> None:
    lines = tsv(
        header("language_refset"),
        (UUID_1, "20240925", 1, UK_MODULE, GB_ENGLISH, WRIST_XRAY, PREFERRED),
    )
    with pytest.raises(InputError, match=r"l\.txt, row 2, column 'referencedComponentId'"):
        list(parse_rf2(lines, "language_refset", "l.txt"))


def test_association_refset() -> None:
    lines = tsv(
        header("association_refset"),
        (UUID_1, "20240925", 0, UK_MODULE, SAME_AS, OTHER_CONCEPT, WRIST_XRAY),
        (UUID_2, "20240925", 1, UK_MODULE, SAME_AS, DESC_ID, DESC_ID_2),
    )
    assert list(parse_rf2(lines, "association_refset", "a.txt")) == [
        Association(
            UUID_1, date(2024, 9, 25), False, UK_MODULE, SAME_AS, OTHER_CONCEPT, WRIST_XRAY
        ),
        Association(UUID_2, date(2024, 9, 25), True, UK_MODULE, SAME_AS, DESC_ID, DESC_ID_2),
    ]


def test_extended_map_with_map_block_and_non_snomed_category() -> None:
    lines = tsv(
        header("extended_map", "mapBlock"),
        (
            UUID_1,
            "20240925",
            1,
            UK_MODULE,
            OPCS_MAP,
            WRIST_XRAY,
            1,
            1,
            "",
            "ALWAYS U21.2",
            " U212 ",
            CORRELATION_UNSPECIFIED,
            "MB1",
            "2",
        ),
        (UUID_2, "20240925", 1, UK_MODULE, OPCS_MAP, WRIST_XRAY, 1, 2, "", "", "Y981", "", "1", ""),
    )
    first, second = parse_rf2(lines, "extended_map", "m.txt")
    assert first == ExtendedMap(
        UUID_1,
        date(2024, 9, 25),
        True,
        UK_MODULE,
        OPCS_MAP,
        WRIST_XRAY,
        1,
        1,
        "",
        "ALWAYS U21.2",
        "U212",
        CORRELATION_UNSPECIFIED,
        "MB1",
        ("2",),
    )
    assert isinstance(second, ExtendedMap)
    assert second.map_priority == 2
    assert second.correlation_id is None
    assert second.map_category_id == "1"
    assert second.extra == ("",)


def test_extended_map_standard_header() -> None:
    lines = tsv(
        header("extended_map"),
        (UUID_1, "20240925", 1, UK_MODULE, OPCS_MAP, WRIST_XRAY, 2, 1, "", "", "U212", "", ""),
    )
    (m,) = parse_rf2(lines, "extended_map", "m.txt")
    assert isinstance(m, ExtendedMap)
    assert (m.map_group, m.extra, m.map_category_id) == (2, (), "")


def test_extended_map_bad_priority() -> None:
    lines = tsv(
        header("extended_map"),
        (UUID_1, "20240925", 1, UK_MODULE, OPCS_MAP, WRIST_XRAY, 1, "x", "", "", "U212", "", ""),
    )
    with pytest.raises(InputError, match=r"m\.txt, row 2, column 'mapPriority'"):
        list(parse_rf2(lines, "extended_map", "m.txt"))


def test_bad_uuid() -> None:
    lines = tsv(
        header("simple_refset"), ("not-a-uuid", "20240925", 1, CORE, IMAGING_REFSET, WRIST_XRAY)
    )
    with pytest.raises(InputError, match=r"s\.txt, row 2, column 'id': expected a UUID"):
        list(parse_rf2(lines, "simple_refset", "s.txt"))


# --- errors name file, row and column ---------------------------------------------------


def concept_error(*rows: str | tuple[object, ...]) -> str:
    lines = tsv("\t".join(EXPECTED_HEADERS["concept"]), *rows)
    with pytest.raises(InputError) as e:
        list(parse_rf2(lines, "concept", CONCEPT_FILE))
    return str(e.value)


def test_header_mismatch() -> None:
    lines = tsv("id\teffectiveTime\tactive\tmoduleId\tdefinitionStatus")
    with pytest.raises(InputError) as e:
        list(parse_rf2(lines, "concept", CONCEPT_FILE))
    msg = str(e.value)
    assert msg.startswith(f"{CONCEPT_FILE}, row 1: expected the tab-separated header ")
    assert "definitionStatusId" in msg
    assert e.value.row == 1 and e.value.column is None


def test_header_of_another_kind_is_named() -> None:
    lines = tsv(header("description"))
    with pytest.raises(InputError, match="looks like a description file"):
        list(parse_rf2(lines, "concept", CONCEPT_FILE))


def test_extra_column_only_allowed_in_extended_map() -> None:
    with pytest.raises(InputError, match="row 1"):
        list(parse_rf2(tsv(header("concept", "mapBlock")), "concept", CONCEPT_FILE))


def test_empty_file() -> None:
    with pytest.raises(InputError, match=f"{CONCEPT_FILE}, row 1"):
        list(parse_rf2([], "concept", CONCEPT_FILE))


def test_bad_verhoeff() -> None:
    msg = concept_error(
        (WRIST_XRAY, "20020131", 1, CORE, PRIMITIVE), (60027008, "20020131", 1, CORE, PRIMITIVE)
    )
    assert f"{CONCEPT_FILE}, row 3, column 'id': expected a SNOMED CT concept id" in msg
    assert "found '60027008'" in msg
    assert "check digit is wrong" in msg


def test_description_id_in_concept_column() -> None:
    msg = concept_error((WRIST_XRAY, "20020131", 1, DESC_ID, PRIMITIVE))
    assert f"{CONCEPT_FILE}, row 2, column 'moduleId'" in msg
    assert "partition digits 11 make it a description id" in msg


def test_bad_date() -> None:
    msg = concept_error((WRIST_XRAY, "20240230", 1, CORE, PRIMITIVE))
    assert f"{CONCEPT_FILE}, row 2, column 'effectiveTime': expected a date written YYYYMMDD" in msg
    assert "found '20240230'" in msg


@pytest.mark.parametrize("value", ["2024-01-01", "2024011", "", "２０２４０１０１"])
def test_malformed_dates(value: str) -> None:
    assert "column 'effectiveTime'" in concept_error((WRIST_XRAY, value, 1, CORE, PRIMITIVE))


@pytest.mark.parametrize("value", ["2", "true", "", " 1"])
def test_bad_active_flag(value: str) -> None:
    msg = concept_error((WRIST_XRAY, "20020131", value, CORE, PRIMITIVE))
    assert f"{CONCEPT_FILE}, row 2, column 'active': expected 1 (active) or 0 (inactive)" in msg


def test_too_few_fields() -> None:
    msg = concept_error((WRIST_XRAY, "20020131", 1, CORE))
    assert f"{CONCEPT_FILE}, row 2, column 'definitionStatusId': expected 5 tab-separated" in msg


def test_too_many_fields() -> None:
    msg = concept_error(
        (WRIST_XRAY, "20020131", 1, CORE, PRIMITIVE), (IS_A, "20020131", 1, CORE, PRIMITIVE, "x")
    )
    assert f"{CONCEPT_FILE}, row 3: expected 5 tab-separated fields" in msg


def test_blank_line_inside_file() -> None:
    msg = concept_error("", (WRIST_XRAY, "20020131", 1, CORE, PRIMITIVE))
    assert msg.startswith(f"{CONCEPT_FILE}, row 2: expected 5 tab-separated fields")
    assert "blank line" in msg


def test_trailing_blank_lines_and_lf_endings() -> None:
    lines = [
        "\t".join(header("concept")) + "\n",
        f"{WRIST_XRAY}\t20020131\t1\t{CORE}\t{PRIMITIVE}\n",
        "\n",
        "\r\n",
        "",
    ]
    assert len(list(parse_rf2(lines, "concept", CONCEPT_FILE))) == 1


def test_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown RF2 kind"):
        list(parse_rf2([], "stated_relationship", "x.txt"))


# --- files ------------------------------------------------------------------------------


def write(path: Path, lines: list[str], bom: bool = False) -> Path:
    path.write_bytes(("\ufeff" if bom else "").encode() + "".join(lines).encode("utf-8"))
    return path


def test_read_file_with_bom_and_crlf(tmp_path: Path) -> None:
    records = [
        Concept(WRIST_XRAY, date(2002, 1, 31), True, CORE, PRIMITIVE),
        Concept(OTHER_CONCEPT, date(2024, 9, 25), False, UK_MODULE, PRIMITIVE),
    ]
    lines = write_rf2(records, "concept")
    assert all(line.endswith("\r\n") for line in lines)
    path = write(tmp_path / CONCEPT_FILE, lines, bom=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfid\teffectiveTime")
    assert list(read_rf2(path)) == records
    assert list(read_rf2(str(path))) == records


def test_read_file_errors_use_basename(tmp_path: Path) -> None:
    path = write(
        tmp_path / CONCEPT_FILE, tsv(header("concept"), (WRIST_XRAY, "2002", 1, CORE, PRIMITIVE))
    )
    with pytest.raises(InputError) as e:
        list(read_rf2(path))
    assert str(e.value).startswith(f"{CONCEPT_FILE}, row 2, column 'effectiveTime'")
    assert str(tmp_path) not in str(e.value)


def test_read_non_utf8(tmp_path: Path) -> None:
    name = "sct2_Description_Snapshot-en_INT_20240101.txt"
    row = (
        f"{DESC_ID}\t20240101\t1\t{CORE}\t{WRIST_XRAY}\ten\t{FSN}\tcaf\xe9\t{CASE_INSENSITIVE}\r\n"
    )
    path = tmp_path / name
    path.write_bytes(("\t".join(header("description")) + "\r\n" + row).encode("latin-1"))
    with pytest.raises(InputError, match="UTF-8"):
        list(read_rf2(path))


@pytest.mark.parametrize(
    "name",
    ["sct2_StatedRelationship_Snapshot_GB1000000_20240925.txt", "nicip_2024.xlsx"],
)
def test_read_unrecognised_name(tmp_path: Path, name: str) -> None:
    with pytest.raises(UnrecognisedFile) as e:
        read_rf2(tmp_path / name)  # raised before the file is opened
    assert str(e.value).startswith(f"{name}: not a file nicip-graph can read")


def test_full_file_keeps_latest_version(tmp_path: Path) -> None:
    active = Association(
        UUID_1, date(2023, 3, 1), True, UK_MODULE, SAME_AS, OTHER_CONCEPT, WRIST_XRAY
    )
    inactive = Association(
        UUID_1, date(2024, 9, 25), False, UK_MODULE, SAME_AS, OTHER_CONCEPT, WRIST_XRAY
    )
    other = Association(UUID_2, date(2022, 1, 1), True, UK_MODULE, SAME_AS, DESC_ID, DESC_ID_2)
    name = "der2_cRefset_AssociationReferenceFull_GB1000000_20240925.txt"
    path = write(tmp_path / name, write_rf2([active, other, inactive], "association_refset"))
    assert list(read_rf2(path)) == [inactive, other]
    # Order of rows in the file does not matter, only effectiveTime.
    path = write(tmp_path / name, write_rf2([inactive, other, active], "association_refset"))
    assert list(read_rf2(path)) == [inactive, other]


def test_snapshot_file_is_not_reduced(tmp_path: Path) -> None:
    a = Concept(WRIST_XRAY, date(2002, 1, 31), True, CORE, PRIMITIVE)
    b = Concept(WRIST_XRAY, date(2024, 9, 25), False, CORE, PRIMITIVE)
    path = write(tmp_path / CONCEPT_FILE, write_rf2([a, b], "concept"))
    assert list(read_rf2(path)) == [a, b]


def test_full_file_conflicting_versions(tmp_path: Path) -> None:
    a = Concept(WRIST_XRAY, date(2002, 1, 31), True, CORE, PRIMITIVE)
    b = Concept(IS_A, date(2002, 1, 31), True, CORE, PRIMITIVE)
    c = Concept(WRIST_XRAY, date(2002, 1, 31), False, CORE, PRIMITIVE)
    name = "sct2_Concept_Full_INT_20240101.txt"
    path = write(tmp_path / name, write_rf2([a, a, b, c], "concept"))
    with pytest.raises(InputError) as e:
        list(read_rf2(path))
    assert str(e.value).startswith(f"{name}, row 5, column 'id'")
    assert "Row 2 has this id and effectiveTime" in str(e.value)


def test_latest_only_on_records() -> None:
    old = Concept(WRIST_XRAY, date(2002, 1, 31), True, CORE, PRIMITIVE)
    new = Concept(WRIST_XRAY, date(2020, 7, 31), False, CORE, PRIMITIVE)
    other = Concept(IS_A, date(2002, 1, 31), True, CORE, PRIMITIVE)
    assert latest_only([other, old, new, old]) == [other, new]
    assert latest_only([]) == []


def test_write_rejects_wrong_record_type() -> None:
    with pytest.raises(TypeError):
        write_rf2([Concept(WRIST_XRAY, date(2002, 1, 31), True, CORE, PRIMITIVE)], "description")


def test_extended_map_round_trip_with_extra_column(tmp_path: Path) -> None:
    m = ExtendedMap(
        UUID_1,
        date(2024, 9, 25),
        True,
        UK_MODULE,
        OPCS_MAP,
        WRIST_XRAY,
        1,
        1,
        "",
        "ALWAYS U21.2 | ADDITIONAL CODE POSSIBLE",
        "U212",
        None,
        "MB1",
        ("1",),
    )
    lines = write_rf2([m], "extended_map", extra_columns=("mapBlock",))
    assert lines[0].rstrip("\r\n").endswith("\tmapCategoryId\tmapBlock")
    name = "der2_iisssciRefset_ExtendedMapSnapshot_GB1000000_20240925.txt"
    assert list(read_rf2(write(tmp_path / name, lines))) == [m]


# --- round-trip property ----------------------------------------------------------------


def sctids(partition: str) -> st.SearchStrategy[int]:
    def build(n: int) -> int:
        digits = f"{n}{partition}"
        return int(f"{digits}{verhoeff_digit(digits)}")

    return st.integers(min_value=1000, max_value=10**15 - 1).map(build)


concept_ids = st.one_of(sctids("00"), sctids("10"), st.sampled_from([WRIST_XRAY, CORE, UK_MODULE]))
cell_text = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\t\r\n"))
descriptions = st.builds(
    Description,
    id=st.one_of(sctids("01"), sctids("11")),
    effective_time=st.dates(min_value=date(1000, 1, 1)),
    active=st.booleans(),
    module_id=concept_ids,
    concept_id=concept_ids,
    language_code=cell_text,
    type_id=st.sampled_from([FSN, SYNONYM]),
    term=cell_text,
    case_significance_id=concept_ids,
)


@given(st.lists(descriptions, max_size=5))
def test_description_round_trip(records: list[Description]) -> None:
    lines = write_rf2(records, "description")
    assert list(parse_rf2(lines, "description", "d.txt")) == records


@given(sctids("00"), sctids("10"))
def test_generated_ids_are_valid(a: int, b: int) -> None:
    for n, partition in ((a, "00"), (b, "10")):
        assert verhoeff_valid(str(n)) and str(n)[-3:-1] == partition
        assert 6 <= len(str(n)) <= 18
