"""OPCS-4 in its two published shapes."""

import pytest

from loader.errors import InputError
from loader.formats.opcs4 import read_opcs4, write_codes_and_titles
from loader.model import OpcsRecord


def test_trud_codes_and_titles(tmp_path):
    p = tmp_path / "OPCS410 CodesAndTitles Nov 2022 V1.0.txt"
    p.write_bytes(
        b"U05\tDiagnostic imaging of central nervous system\r\n"
        b"U05.1\tComputed tomography of head\r\n"
    )
    recs = list(read_opcs4(p))
    assert [(r.code, r.level, r.parent, r.dotted) for r in recs] == [
        ("U05", "category", "U", "U05"),
        ("U051", "code", "U05", "U05.1"),
    ]


def test_trud_round_trip(tmp_path):
    recs = [
        OpcsRecord("U21", "Diagnostic imaging procedures", "category", "U", 1),
        OpcsRecord("U212", "Computed tomography NEC", "code", "U21", 2),
    ]
    p = tmp_path / "codes.txt"
    p.write_text("".join(write_codes_and_titles(recs)), newline="")
    assert list(read_opcs4(p)) == recs


def test_trud_bad_line_names_row(tmp_path):
    p = tmp_path / "codes.txt"
    p.write_bytes(b"U05\tDiagnostic imaging\r\nU5.1\tBad\r\n")
    with pytest.raises(InputError, match=r"codes.txt, row 2, column 'code \(column 1\)'"):
        list(read_opcs4(p))


def test_ukbiobank_table_with_chapters(tmp_path):
    p = tmp_path / "coding240.csv"
    p.write_text(
        "code,title,dotted_code,parent_code,level,selectable\n"
        "Chapter U,Diagnostic Imaging,Chapter U,,chapter,N\n"
        "U05,Diagnostic imaging of central nervous system,U05,Chapter U,category_3char,N\n"
        "U051,Computed tomography of head,U05.1,U05,subcategory_4char,Y\n"
    )
    recs = list(read_opcs4(p))
    assert [(r.code, r.level, r.parent) for r in recs] == [
        ("U", "chapter", None),
        ("U05", "category", "U"),
        ("U051", "code", "U05"),
    ]


def test_hes_table_keeps_latest_title(tmp_path):
    p = tmp_path / "hes.csv"
    p.write_text(
        "code,title,first_fy,last_fy\n"
        "U212,Computerised tomography NEC,2012-13,2019-20\n"
        "U212,Computed tomography NEC,2020-21,2023-24\n"
    )
    recs = list(read_opcs4(p))
    assert [(r.code, r.title) for r in recs] == [("U212", "Computed tomography NEC")]
