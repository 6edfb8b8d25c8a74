"""NICIP tables: header detection, aliases, overrides, and cell-by-cell checks."""

from datetime import date

import pytest

from loader.errors import InputError
from loader.formats.nicip import read_nicip


def write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def records(path, **kw):
    table, recs = read_nicip(path, **kw)
    return table, list(recs)


def test_code_pairs_file(tmp_path):
    p = write(tmp_path, "map.csv", "nicip_code,snomed_concept_id\nXWRIB,60027007\nXWRIL,60027007\n")
    table, recs = records(p)
    assert [(r.code, r.snomed_id, r.row) for r in recs] == [
        ("XWRIB", 60027007, 2),
        ("XWRIL", 60027007, 3),
    ]
    assert recs[0].description is None  # no such column


def test_header_below_title_rows_and_aliases(tmp_path):
    p = write(
        tmp_path,
        "codes.csv",
        "NICIP release,,,\n"
        "Published 1 April,,,\n"
        "\n"
        "NICIP Code,Description,Status,SNOMED CT Concept ID,Inactive Date\n"
        "XWRIB,XR Wrist Both,Active,60027007,\n"
        "XOLDR,XR Old Rt,Inactive,60027007,01/10/2024\n",
    )
    table, recs = records(p)
    assert table.header_row == 4
    assert recs[0].description == "XR Wrist Both" and recs[0].active is True
    assert recs[1].active is False and recs[1].inactive_date == date(2024, 10, 1)
    assert recs[1].row == 6


def test_tab_separated_and_semicolon(tmp_path):
    p = write(tmp_path, "codes.tsv", "Code\tSNOMED\nxwrib \t 60027007\n")
    assert [(r.code, r.snomed_id) for r in records(p)[1]] == [("XWRIB", 60027007)]
    p = write(tmp_path, "codes2.csv", "Code;SNOMED CT ID\nXWRIB;60027007\n")
    assert [(r.code, r.snomed_id) for r in records(p)[1]] == [("XWRIB", 60027007)]


def test_column_override(tmp_path):
    p = write(tmp_path, "odd.csv", "Exam,Concept\nXWRIB,60027007\n")
    with pytest.raises(InputError) as err:
        records(p)
    assert "odd.csv" in str(err.value) and "--column" in str(err.value)
    _, recs = records(p, overrides={"code": "Exam", "snomed_id": "Concept"})
    assert recs[0].snomed_id == 60027007


def test_opcs_columns_several_and_one_cell_with_several(tmp_path):
    p = write(
        tmp_path, "opcs.csv", "NICIP Code,OPCS-4 Code 1,OPCS-4 Code 2\nCHEAD,U05.1,Y98.1\nXWRIB,,\n"
    )
    _, recs = records(p)
    assert recs[0].opcs_codes == ("U051", "Y981") and recs[1].opcs_codes == ()
    p = write(tmp_path, "opcs2.csv", "NICIP Code,OPCS-4 Codes\nCHEAD,U05.1; Y98.1\n")
    assert records(p)[1][0].opcs_codes == ("U051", "Y981")


def test_bad_snomed_names_file_row_column_value(tmp_path):
    p = write(tmp_path, "bad.csv", "nicip_code,snomed_concept_id\nXWRIB,60027007\nXWRIL,60027008\n")
    _, recs = read_nicip(p)
    with pytest.raises(InputError) as err:
        list(recs)
    msg = str(err.value)
    assert msg.startswith(
        "bad.csv, row 3, column 'snomed_concept_id': expected a SNOMED CT concept id"
    )
    assert "'60027008'" in msg and "check digit" in msg


def test_bad_code_and_repeated_code_in_code_table(tmp_path):
    p = write(tmp_path, "c.csv", "Code,Description\nXWRIB,XR Wrist Both\n© Crown copyright,\n")
    with pytest.raises(InputError, match=r"c.csv, row 3, column 'Code': expected a NICIP code"):
        records(p)
    p = write(tmp_path, "d.csv", "Code,Description\nXWRIB,XR Wrist Both\nXWRIB,XR Wrist\n")
    with pytest.raises(InputError, match="row 3.*already on row 2"):
        records(p)


def test_repeated_code_in_pairs_file_is_one_to_many(tmp_path):
    p = write(
        tmp_path, "pairs.csv", "nicip_code,snomed_concept_id\nXWRIB,60027007\nXWRIB,241576007\n"
    )
    assert [r.snomed_id for r in records(p)[1]] == [60027007, 241576007]


def test_windows_1252_text_is_read_and_noted(tmp_path):
    p = write(tmp_path, "cp.csv", "Code,Description\nXWRIB,XR Wrist – Both £\n", "cp1252")
    table, recs = records(p)
    assert recs[0].description == "XR Wrist – Both £"
    assert any("Windows-1252" in n for n in table.notes)


def test_utf8_bom(tmp_path):
    p = tmp_path / "bom.csv"
    p.write_bytes(b"\xef\xbb\xbfnicip_code,snomed_concept_id\r\nXWRIB,60027007\r\n")
    assert records(p)[1][0].code == "XWRIB"


def test_duplicate_header_names_refused(tmp_path):
    p = write(tmp_path, "dup.csv", "Code,Description,Description\nXWRIB,a,b\n")
    with pytest.raises(InputError, match="dup.csv, row 1.*columns B, C"):
        records(p)


def test_only_a_code_column_is_refused(tmp_path):
    p = write(tmp_path, "only.csv", "Code,Notes\nXWRIB,x\n")
    with pytest.raises(InputError, match="at least one more field"):
        records(p)


def test_xlsx_with_title_rows_and_numeric_ids(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["NICIP codes"])
    ws.append([])
    ws.append(["NICIP Code", "Description", "SNOMED CT ID"])
    ws.append(["XWRIB", "XR Wrist Both", 60027007])  # an int cell
    ws.append(["XWRIL", "XR Wrist Lt", 60027007.0])  # a float cell
    p = tmp_path / "codes.xlsx"
    wb.save(p)
    table, recs = records(p)
    assert table.header_row == 3
    assert [(r.code, r.snomed_id, r.row) for r in recs] == [
        ("XWRIB", 60027007, 4),
        ("XWRIL", 60027007, 5),
    ]


def test_truncated_xlsx_and_wrong_extension(tmp_path):
    p = tmp_path / "broken.xlsx"
    p.write_bytes(b"PK\x03\x04not really a workbook")
    with pytest.raises(InputError, match="broken.xlsx: expected a readable .xlsx workbook"):
        records(p)
    import openpyxl

    wb = openpyxl.Workbook()
    q = tmp_path / "book.csv"
    wb.save(q)
    with pytest.raises(InputError, match="give it an .xlsx name"):
        records(q)
