"""Write the bad-input corpus in this folder (run from anywhere: ``python make_corpus.py``).

The files are committed; this script says exactly how each was made, which matters for
the ones whose point is their bytes (encodings, workbooks). README.md lists what each
file is and what the loader does with it; ``tests/test_bad_inputs.py`` checks that.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
CODES = "NICIP Code,Description,SNOMED CT Concept ID\r\n"
PAIRS = "nicip_code,snomed_concept_id\r\n"
MAP = "NICIP Code,OPCS-4 Code\r\n"
RF2_MAP = (
    "id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId\tmapGroup\t"
    "mapPriority\tmapRule\tmapAdvice\tmapTarget\tcorrelationId\tmapCategoryId"
)
UK_MODULE = "999000031000000106"
OPCS_MAP_REFSET = "1382401000000109"


def text(name: str, content: str, encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(content.encode(encoding))


def raw(name: str, content: bytes) -> None:
    (HERE / name).write_bytes(content)


def workbook(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def workbook_sheets(sheets: dict[str, list[list[object]]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rf2(folder: str, name: str, header: str, rows: list[str]) -> None:
    (HERE / folder).mkdir(exist_ok=True)
    lines = [header, *rows]
    (HERE / folder / name).write_bytes("".join(f"{line}\r\n" for line in lines).encode())


def map_row(uuid: str, when: str, active: int, concept: str, target: str, extra: str = "") -> str:
    dotted = f"{target[:3]}.{target[3:]}"
    return (
        f"{uuid}\t{when}\t{active}\t{UK_MODULE}\t{OPCS_MAP_REFSET}\t{concept}\t1\t1\t\t"
        f"ALWAYS {dotted}\t{target}\t447561005\t{extra}"
    )


def main() -> None:
    # Encodings.
    text("utf8-bom.csv", "\ufeff" + CODES + "XWRIB,XR Wrist Both,60027007\r\n")
    text("utf8-no-bom.csv", CODES + "XWRIB,XR Wrist – Both £,60027007\r\n")
    text("cp1252.csv", CODES + "XWRIB,XR Wrist – Both £,60027007\r\n", "cp1252")
    text("latin1.csv", CODES + "XWRIB,XR Wrist Both £ café,60027007\r\n", "latin-1")
    text(
        "utf16-unicode-text.txt",
        CODES.replace(",", "\t") + "XWRIB\tXR Wrist Both\t60027007\r\n",
        "utf-16",
    )
    raw(
        "mixed-encodings.csv",
        CODES.encode()
        + "XWRIB,XR Wrist – Both,60027007\r\n".encode()
        + "XWRIL,XR Wrist £ Lt,60027007\r\n".encode("cp1252"),
    )
    raw("undefined-byte.csv", CODES.encode() + b"XWRIB,XR Wrist \x81 Both,60027007\r\n")
    text("utf16-without-bom.csv", CODES + "XWRIB,XR Wrist Both,60027007\r\n", "utf-16-le")

    # Spreadsheets that changed ids.
    text("snomed-scientific.csv", PAIRS + "XWRIB,60027007\r\nXWRIL,6.0027E+07\r\n")
    text("snomed-15-digits-kept.csv", PAIRS + "XWRIB,999001111000000000\r\n")
    text("snomed-decimal.csv", PAIRS + "XWRIB,60027007.0\r\nXWRIL,60027007.0\r\n")
    text("snomed-leading-zero.csv", PAIRS + "XWRIB,060027007\r\n")
    text("snomed-digit-groups.tsv", "nicip_code\tsnomed_concept_id\r\nXWRIB\t60,027,007\r\n")
    text(
        "date-serial-number.csv",
        "NICIP Code,Description,Inactive Date\r\nXWRIB,XR Wrist Both,45566\r\n",
    )
    text(
        "date-month-first.csv",
        "NICIP Code,Description,Inactive Date\r\nXWRIB,XR Wrist Both,10/13/2024\r\n",
    )

    # Layout.
    text(
        "title-rows.csv",
        "NICIP codes (illustrative),,\r\nVersion 20250401,,\r\n,,\r\n"
        + CODES
        + "XWRIB,XR Wrist Both,60027007\r\n",
    )
    text(
        "footnote-mark.csv",
        CODES + "\u2021XWRIB,XR Wrist Both,60027007\r\nXWRIL\u2020,XR Wrist Lt,60027007\r\n",
    )
    text(
        "footer-copyright.csv",
        CODES + "XWRIB,XR Wrist Both,60027007\r\nXWRIL,XR Wrist Lt,60027007\r\n,,\r\n"
        "\u00a9 Crown copyright 2024,,\r\n",
    )
    text("footer-source.csv", PAIRS + "XWRIB,60027007\r\nSource: NHS Digital,\r\n")
    text(
        "footer-in-other-column.csv",
        CODES + "XWRIB,XR Wrist Both,60027007\r\n,Codes marked \u2021 were retired in 2024,\r\n",
    )
    text(
        "duplicate-header.csv",
        "NICIP Code,Description,Description\r\nXWRIB,XR Wrist Both,XR Wrist\r\n",
    )
    text(
        "two-headers-one-field.csv",
        "NICIP Code,SNOMED CT ID,Concept ID\r\nXWRIB,60027007,241576007\r\n",
    )
    text("missing-code-column.csv", "Description,SNOMED CT ID\r\nXR Wrist Both,60027007\r\n")
    text("opcs-missing-title.csv", "code,first_fy,last_fy\r\nU051,2012-13,2023-24\r\n")
    text(
        "heading-above-header.csv",
        "NICIP,,SNOMED CT\r\n" + CODES + "XWRIB,XR Wrist Both,60027007\r\n",
    )
    text("values-under-no-header.csv", PAIRS.rstrip("\r\n") + ",\r\nXWRIB,60027007,see note 3\r\n")
    text("empty.csv", "")
    text("header-only.csv", CODES)
    text(
        "header-repeated.csv",
        CODES + "XWRIB,XR Wrist Both,60027007\r\n" + CODES + "XWRIL,XR Wrist Lt,60027007\r\n",
    )
    text(
        "unbalanced-quote.csv",
        CODES + 'XWRIB,"XR Wrist Both,60027007\r\nXWRIL,XR Wrist Lt,60027007\r\n'
        "XWRIR,XR Wrist Rt,60027007\r\n",
    )

    # Files that are not what their names say.
    good = workbook(
        [
            ["NICIP Code", "Description", "SNOMED CT Concept ID"],
            ["XWRIB", "XR Wrist Both", 60027007],
        ]
    )
    raw("truncated.xlsx", good[: len(good) // 2])
    raw("workbook-named.csv", good)
    text("text-named.xlsx", CODES + "XWRIB,XR Wrist Both,60027007\r\n")
    raw("old-excel-named.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    raw("old-excel.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    # Workbooks of several sheets: a read-me sheet before the table, or two tables.
    header = ["NICIP Code", "Description", "SNOMED CT Concept ID"]
    raw(
        "table-on-second-sheet.xlsx",
        workbook_sheets(
            {
                "Read me": [["The codes are on the next sheet."]],
                "Codes": [header, ["XWRIB", "XR Wrist Both (sheet 2)", 60027007]],
                "Sheet3": [],
            }
        ),
    )
    raw(
        "two-sheets-two-tables.xlsx",
        workbook_sheets(
            {
                "April": [header, ["XWRIB", "XR Wrist Both", 60027007]],
                "October": [header, ["XWRIB", "XR Wrist Both", 241576007]],
            }
        ),
    )
    # A folder whose workbook is broken: the folder's good table must not load without it.
    (HERE / "folder-broken-workbook").mkdir(exist_ok=True)
    text("folder-broken-workbook/codes.csv", CODES + "XWRIB,XR Wrist Both,60027007\r\n")
    raw("folder-broken-workbook/more codes.xlsx", good[: len(good) // 2])

    # Codes.
    text("map-disagrees-with-code-table.csv", PAIRS + "XWRIB,241576007\r\n")
    text(
        "same-code-two-maps.csv",
        CODES + "XWRIB,XR Wrist Both,60027007\r\nXWRIB,XR Wrist Both,241576007\r\n",
    )
    text(
        "same-row-twice.csv",
        CODES + "XWRIB,XR Wrist Both,60027007\r\nXWRIB,XR Wrist Both,60027007\r\n",
    )
    text(
        "spaces-and-case.csv",
        CODES + " xwrib,XR Wrist Both,60027007\r\nXWRIL\u00a0,XR Wrist Lt, 60027007\r\n"
        "XWRIR,XR Wrist Rt,60027007\r\n",
    )
    text(
        "opcs-dotted-and-dotless.csv",
        "NICIP Code,OPCS-4 Code 1,OPCS-4 Code 2\r\nXWRIB,U13.4,Z94.1\r\nXWRIL,U13.4,Z94.3\r\n"
        "XWRIR,U134,Z942\r\n",
    )
    text(
        "opcs-alias-and-numbered-columns.csv",
        "NICIP Code,OPCS-4 Code,OPCS-4 Code 2\r\nMAULB,U11.7,Z94.1\r\n",
    )
    text("icd10-in-opcs-map.csv", MAP + "XWRIB,U13.4\r\nXCHES,K59.2\r\n")
    text("icd10-shape-in-opcs-map.csv", MAP + "XWRIB,U13.4\r\nXCHES,I10X\r\n")
    text("icd10-chapter-i-in-opcs-map.csv", MAP + "XCHES,I21.9\r\n")
    text("snomed-check-digit.csv", PAIRS + "XWRIB,60027008\r\n")
    text("snomed-description-id.csv", PAIRS + "XWRIB,241576011\r\n")
    text(
        "opcs-table-dotted-and-dotless.csv",
        "code,title,first_fy,last_fy\r\nU05.1,Computed tomography of head,2012-13,2023-24\r\n"
        "U07.3,Plain x-ray of chest,2012-13,2023-24\r\n"
        "U082,Ultrasound of abdomen,2012-13,2023-24\r\n",
    )
    text(
        "opcs-table-footnote-mark.csv",
        "code,title,first_fy,last_fy\r\n\u2021U051,Computed tomography of head,2012-13,2023-24\r\n"
        "U073,Plain x-ray of chest,2012-13,2023-24\r\n",
    )
    text(
        "opcs-table-footer.csv",
        "code,title,first_fy,last_fy\r\nU051,Computed tomography of head,2012-13,2023-24\r\n"
        ",Source: NHS Digital Hospital Episode Statistics,,\r\n",
    )
    text(
        "OPCS4 CodesAndTitles cp1252.txt",
        "U21\tDiagnostic imaging procedures\r\nU21.2\tComputed tomography NEC – any site\r\n",
        "cp1252",
    )

    # Text cells.
    text("long-description.csv", CODES + "XWRIB," + "XR Wrist Both " * 357 + "x,60027007\r\n")
    text(
        "formula-in-code.csv",
        CODES
        + "XWRIB,XR Wrist Both,60027007\r\n"
        + '"=HYPERLINK(""http://x"",""XWRIL"")",XR Wrist Lt,60027007\r\n',
    )
    text("formula-in-description.csv", CODES + "XWRIB,=1+1,60027007\r\n")
    raw(
        "formula-in-code.xlsx",
        workbook(
            [
                ["NICIP Code", "Description", "SNOMED CT Concept ID"],
                ['=LOWER("XWRIB")', "XR Wrist Both", 60027007],
            ]
        ),
    )
    raw(
        "formula-in-description.xlsx",
        workbook(
            [
                ["NICIP Code", "Description", "SNOMED CT Concept ID"],
                ["XWRIB", '=CONCAT("XR ","Wrist")', 60027007],
            ]
        ),
    )

    # RF2: each in its own folder, because the file name says what an RF2 file is.
    name = "der2_iisssciRefset_ExtendedMapFull_GB1000000_20250401.txt"
    a, b = "c77ca019-fdbe-46f8-9336-79683fef051d", "2df478b3-3176-4851-a0d5-8ee89f2d8c8f"
    rf2(
        "rf2-full-latest-wins",
        name,
        RF2_MAP,
        [
            map_row(a, "20250401", 0, "418062002", "U216"),  # latest first: inactive
            map_row(a, "20240401", 1, "418062002", "U216"),
            map_row(b, "20240401", 0, "418062002", "U117"),
            map_row(b, "20250401", 1, "418062002", "U117"),  # latest last: active
        ],
    )
    rf2(
        "rf2-full-same-time-conflict",
        name,
        RF2_MAP,
        [
            map_row(a, "20250401", 1, "418062002", "U216"),
            map_row(a, "20250401", 0, "418062002", "U216"),
        ],
    )
    rf2(
        "rf2-map-category-not-snomed",
        "der2_iisssciRefset_ExtendedMapSnapshot_GB1000000_20250401.txt",
        RF2_MAP + "\tmapBlock",
        [
            map_row(
                "a8d49637-a52d-4bac-b73e-d99c14f402e8", "20250401", 1, "55501000", "U372", "1\t1"
            )
        ],
    )
    desc = (
        "id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm\t"
        "caseSignificanceId"
    )
    folder = HERE / "rf2-not-utf8"
    folder.mkdir(exist_ok=True)
    (folder / "sct2_Description_Snapshot-en_GB1000000_20250401.txt").write_bytes(
        (
            desc + "\r\n"
            "20019999999113\t20250401\t1\t900000000000207008\t60027007\ten\t900000000000013009\t"
            "X-ray of wrist \u2013 both\t900000000000448009\r\n"
        ).encode("cp1252")
    )
    (HERE / "rf2-empty").mkdir(exist_ok=True)
    (HERE / "rf2-empty" / "sct2_Concept_Snapshot_GB1000000_20250401.txt").write_bytes(b"")
    rf2(
        "rf2-header-only-delta",
        "der2_Refset_SimpleDelta_GB1000000_20250401.txt",
        "id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId",
        [],
    )


if __name__ == "__main__":
    main()
