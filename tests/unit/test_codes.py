import pytest

from loader.codes import (
    CodeFormatError,
    opcs_dotted,
    parse_nicip_code,
    parse_opcs_code,
    parse_sctid,
    sctid_partition,
    verhoeff_digit,
    verhoeff_valid,
)


@pytest.mark.parametrize(
    "sctid",
    ["60027007", "116680003", "999001111000000105", "1382401000000109", "900000000000003001"],
)
def test_real_ids_pass_verhoeff(sctid):
    assert verhoeff_valid(sctid)
    assert verhoeff_digit(sctid[:-1]) == int(sctid[-1])


def test_verhoeff_catches_one_wrong_digit_and_a_swap():
    assert not verhoeff_valid("60027008")  # last digit changed
    assert not verhoeff_valid("60020707")  # adjacent digits swapped


def test_partition_names_the_component():
    assert sctid_partition("60027007") == "concept"  # ...0 0 7
    assert sctid_partition("999001111000000105") == "concept"  # ...1 0 5: extension concept
    assert sctid_partition("900000000000003001") == "concept"


def test_parse_sctid_repairs_spaces_and_float_zero():
    assert parse_sctid(" 60027007 ") == 60027007
    assert parse_sctid("60027007.0") == 60027007


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("6.0027E+07", "scientific notation"),
        ("60027008", "check digit"),
        ("0060027007", "leading zero"),
        ("12345", "6 to 18 digits"),
        ("abc", "SNOMED CT concept id"),
    ],
)
def test_parse_sctid_refuses(text, fragment):
    with pytest.raises(CodeFormatError) as err:
        parse_sctid(text)
    assert fragment in err.value.expected + (err.value.hint or "")


def test_description_id_in_a_concept_column_is_refused_by_partition():
    # 2 + 3 digits ending in partition 01 (description) with a valid check digit.
    body = "12345601"
    desc_id = body + str(verhoeff_digit(body))
    assert verhoeff_valid(desc_id)
    with pytest.raises(CodeFormatError) as err:
        parse_sctid(desc_id, "concept")
    assert "description id" in err.value.hint
    assert parse_sctid(desc_id, "description") == int(desc_id)


def test_nicip_codes():
    assert parse_nicip_code(" xwrib ") == "XWRIB"
    assert parse_nicip_code("NTS131") == "NTS131"
    for bad in ("XWR", "XWRIBBB", "1WRIB", "XW-IB", ""):
        with pytest.raises(CodeFormatError):
            parse_nicip_code(bad)


def test_opcs_codes_both_forms():
    assert parse_opcs_code("U05.1") == "U051"
    assert parse_opcs_code("u051") == "U051"
    assert parse_opcs_code("U05") == "U05"
    assert opcs_dotted("U051") == "U05.1"
    assert opcs_dotted("U05") == "U05"
    for bad in ("U5.1", "U05.", "U0511", "5U05", "U05.12"):
        with pytest.raises(CodeFormatError):
            parse_opcs_code(bad)


def test_footnote_marks_come_off_either_end_and_only_there():
    from loader.codes import strip_footnote_mark

    assert strip_footnote_mark("\u2021U05.1") == ("U05.1", "\u2021")
    assert strip_footnote_mark(" XWRIB* ") == ("XWRIB", "*")
    assert strip_footnote_mark("XWRIB") == ("XWRIB", "")
    assert strip_footnote_mark("*") == ("*", "")  # nothing left: not a mark on a code
    assert strip_footnote_mark("XW*RIB") == ("XW*RIB", "")


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("I10", "no chapter I"),
        ("I10X", "shape of an ICD-10 code"),
        ("60027007", "perhaps a SNOMED CT id"),
        ("=A1", "spreadsheet formula"),
        ("Source: NHS Digital", "footnote or copyright line"),
    ],
)
def test_opcs_refusals_say_what_the_value_looks_like(text, fragment):
    with pytest.raises(CodeFormatError) as err:
        parse_opcs_code(text)
    assert fragment in (err.value.hint or "")


def test_non_breaking_and_zero_width_spaces_are_spaces():
    assert parse_nicip_code("\u00a0XWRIB\u200b") == "XWRIB"
    assert parse_sctid("60027007\u00a0") == 60027007
