"""Every kind of bad input, from the corpus in tests/data/bad (its README lists each file).

One store holds the sample release for the whole module. A refused case loads its file(s)
and must fail with the exact words - file, row, column, value, what was expected and the
hint - and leave everything a user could see exactly as it was. An accepted case must load
and report what was repaired in the load report's notes, word for word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from loader import queries
from loader.errors import InputError, NicipError
from loader.formats.opcs4 import read_opcs4
from loader.pipeline import load
from loader.stores.base import GraphStore
from loader.stores.embedded import EmbeddedStore

from .conftest import SAMPLE

BAD = Path(__file__).parent / "data" / "bad"
OPCS = SAMPLE / "OPCS4 CodesAndTitles sample.txt"
LIMIT = 100_000


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    s = EmbeddedStore(tmp_path_factory.mktemp("bad") / "graph.db")
    load([SAMPLE], s)
    yield s
    s.close()


def _rows(store: GraphStore, text: str, params: dict[str, Any] | None = None) -> list[Any]:
    return sorted((tuple(r) for r in store.read(text, params, row_limit=LIMIT).rows), key=repr)


def snapshot(store: GraphStore) -> dict[str, Any]:
    """Everything a user could see: counts, releases, every node's facts and every edge."""
    return {
        "counts": queries.counts(store),
        "releases": _rows(store, "MATCH (r:Release) RETURN r.id, r.files, r.rows"),
        "nicip": _rows(
            store,
            "MATCH (n:NicipCode) RETURN n.code, n.description, n.active, n.side, n.inactive_date",
        ),
        "opcs": _rows(store, "MATCH (o:OpcsCode) RETURN o.code, o.title, o.dotted"),
        "edges": _rows(
            store,
            "MATCH (a)-[r]->(b) RETURN labels(a)[0], coalesce(a.code, toString(a.id), a.name, "
            "a.key), type(r), coalesce(b.code, toString(b.id), b.name, b.key, b.id), "
            "r.active",
        ),
    }


# -- refused --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refused:
    """A file the load must refuse, and the exact parts of the message it must give."""

    files: tuple[str, ...]
    file: str  # the file the message names
    row: int | None
    column: str | None
    value: str
    expected: str  # how InputError.expected starts
    hint: str  # a part of InputError.hint


def refused(
    name: str,
    row: int | None,
    column: str | None,
    value: str,
    expected: str,
    hint: str,
    *,
    also: tuple[str, ...] = (),
    file: str | None = None,
) -> Any:
    case = Refused((name, *also), file or Path(name).name, row, column, value, expected, hint)
    return pytest.param(case, id=name)


SNOMED = "a SNOMED CT concept id (6 to 18 digits with a valid Verhoeff check digit)"
NICIP = "a NICIP code (a letter then 3 to 5 letters or digits, e.g. CFOOB)"
OPCS_SHAPE = "an OPCS-4 code (a letter and 2 digits, optionally a 4th: U05 or U05.1)"
FOOTER = "If it is a footnote or copyright line under the table, delete it and the lines after"
FORMULA = "This is a spreadsheet formula, not a value; copy the column and paste it back"
CONCEPT_HEADER = "id\teffectiveTime\tactive\tmoduleId\tdefinitionStatusId"
UUID_A = "c77ca019-fdbe-46f8-9336-79683fef051d"

REFUSED = [
    # Encodings.
    refused(
        "mixed-encodings.csv",
        3,
        None,
        "XWRIL,XR Wrist £ Lt,60027007",
        "one text encoding in the whole file",
        "Line 2 is UTF-8 but this line is not (byte 0xA3)",
    ),
    refused(
        "undefined-byte.csv",
        2,
        None,
        "byte 0x81",
        "UTF-8 or Windows-1252 text",
        "That byte is not a character in either",
    ),
    refused(
        "utf16-without-bom.csv",
        1,
        None,
        "\\x00",
        "a text table (CSV or TSV)",
        "UTF-16 text without a byte order mark",
    ),
    # Ids a spreadsheet changed.
    refused(
        "snomed-scientific.csv",
        3,
        "snomed_concept_id",
        "6.0027E+07",
        SNOMED,
        "scientific notation, which loses digits (only 5 of its 8 digits are left)",
    ),
    refused(
        "snomed-15-digits-kept.csv",
        2,
        "snomed_concept_id",
        "999001111000000000",
        SNOMED,
        "its digits after the 15th are zeros, so a spreadsheet probably stored it as a number",
    ),
    refused(
        "snomed-leading-zero.csv",
        2,
        "snomed_concept_id",
        "060027007",
        SNOMED,
        "SNOMED CT ids have 6 to 18 digits and no leading zero",
    ),
    refused(
        "snomed-digit-groups.tsv",
        2,
        "snomed_concept_id",
        "60,027,007",
        SNOMED,
        "The digits are grouped with separators",
    ),
    refused(
        "date-serial-number.csv",
        2,
        "Inactive Date",
        "45566",
        "a date as YYYY-MM-DD, YYYYMMDD or DD/MM/YYYY",
        "spreadsheet's date serial number",
    ),
    refused(
        "date-month-first.csv",
        2,
        "Inactive Date",
        "10/13/2024",
        "a date as YYYY-MM-DD, YYYYMMDD or DD/MM/YYYY",
        "this one may be written month first",
    ),
    # Layout.
    refused("footer-copyright.csv", 5, "NICIP Code", "\u00a9 Crown copyright 2024", NICIP, FOOTER),
    refused("footer-source.csv", 3, "nicip_code", "Source: NHS Digital", NICIP, FOOTER),
    refused(
        "footer-in-other-column.csv",
        3,
        "NICIP Code",
        "",
        "a NICIP code",
        "The code cell is empty but the row holds 'Codes marked \u2021 were retired in 2024'",
    ),
    refused(
        "opcs-table-footer.csv",
        3,
        "code",
        "",
        "an OPCS-4 code",
        "the row holds 'Source: NHS Digital Hospital Episode Statistics'. " + FOOTER,
    ),
    refused(
        "duplicate-header.csv",
        1,
        "Description",
        "Description | Description",
        "one column for description; there are 2 with that header (columns B, C)",
        "or choose one with --column description=HEADER",
    ),
    refused(
        "two-headers-one-field.csv",
        1,
        "SNOMED CT ID",
        "SNOMED CT ID | Concept ID",
        "one column for snomed_id; there are 2 whose headers name it (columns B, C)",
        "or choose one with --column snomed_id=HEADER",
    ),
    refused(
        "missing-code-column.csv",
        None,
        None,
        "Description | SNOMED CT ID",
        "a header row naming code (one of: nicip code, nicip_code, nicip, code)",
        "--column FIELD=HEADER",
    ),
    refused(
        "opcs-missing-title.csv",
        None,
        None,
        "code | first_fy | last_fy",
        "a header row naming code (one of: code, opcs code, opcs 4 code, opcs4 code), "
        "title (one of: title",
        "--column FIELD=HEADER",
    ),
    refused(
        "empty.csv", None, None, "", "a NICIP or OPCS-4 table with a header row", "file is empty"
    ),
    refused(
        "header-only.csv",
        1,
        None,
        "NICIP Code | Description | SNOMED CT Concept ID",
        "data rows below the header row",
        "The file has a header but no data rows",
    ),
    refused(
        "unbalanced-quote.csv",
        2,
        "B",
        "XR Wrist Both,60027007...",
        "one table row per line",
        "A quote mark opens a cell on line 2 and is not closed until line 4",
    ),
    # Files that are not what their names say.
    refused(
        "truncated.xlsx",
        None,
        None,
        "File is not a zip file",
        "a readable .xlsx workbook",
        "it may be cut short",
    ),
    refused(
        "workbook-named.csv",
        None,
        None,
        "a workbook (zip) file",
        "a text table (CSV or TSV)",
        "give it an .xlsx name",
    ),
    refused(
        "text-named.xlsx",
        None,
        None,
        "NICIP Code,Description,SNOMED CT Concept ID",
        "a .xlsx workbook",
        "This is a text file; give it a .csv (or .txt) name",
    ),
    refused(
        "old-excel-named.xlsx",
        None,
        None,
        "an .xls workbook",
        "a .xlsx workbook",
        "Excel 97-2003 workbook; save it as .xlsx or CSV",
    ),
    # Codes.
    refused(
        "same-code-two-maps.csv",
        3,
        "NICIP Code",
        "XWRIB",
        "each code once in a code table; it is already on row 2",
        "differ in 'SNOMED CT Concept ID': '60027007' on row 2, '241576007' on row 3",
    ),
    refused(
        "heading-above-header.csv",
        2,
        "NICIP",
        "NICIP Code",
        NICIP,
        "This looks like a header row: row 1 above it was taken as the header",
    ),
    refused(
        "two-sheets-two-tables.xlsx",
        None,
        None,
        "sheets 'April' and 'October'",
        "one sheet holding the NICIP or OPCS-4 table",
        "More than one sheet has a header row naming the code",
    ),
    refused(
        "map-disagrees-with-code-table.csv",
        4,
        "SNOMED CT Concept ID",
        "60027007",
        "the SNOMED CT map map-disagrees-with-code-table.csv gives XWRIB (row 2: 241576007)",
        "Two files of one load disagree on this code's map",
        also=(str(SAMPLE / "nicip_codes.csv"),),
        file="nicip_codes.csv",
    ),
    refused(
        "icd10-in-opcs-map.csv",
        3,
        "OPCS-4 Code",
        "K59.2",
        f"an OPCS-4 code in the loaded OPCS-4 list ({OPCS.name})",
        "it may be an ICD-10 code (the two have the same shape)",
        also=(str(OPCS),),
    ),
    refused(
        "icd10-shape-in-opcs-map.csv",
        3,
        "OPCS-4 Code",
        "I10X",
        OPCS_SHAPE,
        "This has the shape of an ICD-10 code",
    ),
    refused(
        "icd10-chapter-i-in-opcs-map.csv",
        2,
        "OPCS-4 Code",
        "I21.9",
        OPCS_SHAPE,
        "OPCS-4 has no chapter I; this is an ICD-10 code",
    ),
    refused(
        "snomed-check-digit.csv",
        2,
        "snomed_concept_id",
        "60027008",
        SNOMED,
        "The check digit is wrong",
    ),
    refused(
        "snomed-description-id.csv",
        2,
        "snomed_concept_id",
        "241576011",
        SNOMED,
        "Its partition digits 01 make it a description id",
    ),
    # Formulas.
    refused(
        "formula-in-code.csv", 3, "NICIP Code", '=HYPERLINK("http://x","XWRIL")', NICIP, FORMULA
    ),
    refused("formula-in-code.xlsx", 2, "NICIP Code", '=LOWER("XWRIB")', NICIP, FORMULA),
    # RF2.
    refused(
        "rf2-empty/sct2_Concept_Snapshot_GB1000000_20250401.txt",
        1,
        None,
        "",
        f"the tab-separated header {CONCEPT_HEADER!r}",
        "The file is empty",
    ),
    refused(
        "rf2-full-same-time-conflict/der2_iisssciRefset_ExtendedMapFull_GB1000000_20250401.txt",
        3,
        "id",
        UUID_A,
        "one version of each id per effectiveTime",
        "Row 2 has this id and effectiveTime, with other values",
    ),
    refused(
        "rf2-not-utf8/sct2_Description_Snapshot-en_GB1000000_20250401.txt",
        2,
        None,
        "20019999999113\t20250401\t1\t900000000000207008\t60027007\ten\t900000000000013009\t"
        "X-ray of wrist \u2013 both\t900000000000448009",
        "UTF-8 text",
        "Byte 0x96 is not UTF-8. RF2 files are UTF-8",
    ),
]


@pytest.mark.parametrize("case", REFUSED)
def test_refused_with_exact_message_and_store_unchanged(store: GraphStore, case: Refused) -> None:
    before = snapshot(store)
    with pytest.raises(InputError) as caught:
        load([BAD / case.files[0], *case.files[1:]], store)
    err = caught.value
    assert (err.file, err.row, err.column, err.value) == (
        case.file,
        case.row,
        case.column,
        case.value,
    )
    assert err.expected.startswith(case.expected)
    assert case.hint in (err.hint or "")
    where = case.file + (f", row {case.row}" if case.row else "")
    where += f", column {case.column!r}" if case.column else ""
    message = str(err)
    assert message.startswith(f"{where}: expected {case.expected}")
    if len(case.value) <= 80:
        assert f"found {case.value!r}" in message
    assert case.hint in message
    assert snapshot(store) == before


def test_old_excel_file_is_refused_by_name(store: GraphStore) -> None:
    before = snapshot(store)
    with pytest.raises(NicipError) as caught:
        load([BAD / "old-excel.xls"], store)
    assert str(caught.value) == (
        "old-excel.xls: an Excel 97-2003 workbook (.xls); save it as .xlsx or CSV to load it"
    )
    assert snapshot(store) == before


def test_a_broken_workbook_in_a_folder_refuses_the_folder(store: GraphStore) -> None:
    before = snapshot(store)
    folder = BAD / "folder-broken-workbook"
    with pytest.raises(NicipError) as caught:
        load([folder], store)
    message = str(caught.value)
    assert message.startswith(f"{folder / 'more codes.xlsx'} could not be read (expected a ")
    assert message.endswith("nothing was loaded. Fix the file or move it out of the folder.")
    assert snapshot(store) == before


# -- accepted -------------------------------------------------------------------------------


def _description(code: str) -> Callable[[GraphStore], Any]:
    def read(store: GraphStore) -> Any:
        rows = store.read("MATCH (n:NicipCode {code: $c}) RETURN n.description", {"c": code})
        return rows.rows[0][0]

    return read


def _targets(label: str, key: str, value: Any, rel: str) -> Callable[[GraphStore], Any]:
    def read(store: GraphStore) -> Any:
        text = f"MATCH (a:{label} {{{key}: $v}})-[:{rel}]->(o) RETURN o.code ORDER BY o.code"
        return [r[0] for r in store.read(text, {"v": value}).rows]

    return read


def _concepts(code: str) -> Callable[[GraphStore], Any]:
    def read(store: GraphStore) -> Any:
        text = "MATCH (:NicipCode {code: $c})-[:MAPS_TO]->(s) RETURN s.id ORDER BY s.id"
        return [r[0] for r in store.read(text, {"c": code}).rows]

    return read


def _opcs(code: str, prop: str) -> Callable[[GraphStore], Any]:
    def read(store: GraphStore) -> Any:
        return store.read(f"MATCH (o:OpcsCode {{code: $c}}) RETURN o.{prop}", {"c": code}).rows[0][
            0
        ]

    return read


def _row_in_release(code: str, file: str) -> Callable[[GraphStore], Any]:
    def read(store: GraphStore) -> Any:
        text = (
            "MATCH (n:NicipCode {code: $c})-[e:IN_RELEASE]->(r:Release) "
            "WHERE $f IN r.files RETURN e.row"
        )
        return store.read(text, {"c": code, "f": file}).rows[0][0]

    return read


@dataclass(frozen=True)
class Accepted:
    files: tuple[str, ...]
    notes: tuple[str, ...]
    checks: tuple[tuple[Callable[[GraphStore], Any], Any], ...] = field(default=())


def accepted(
    name: str,
    notes: tuple[str, ...] = (),
    *checks: tuple[Callable[[GraphStore], Any], Any],
    also: tuple[str, ...] = (),
) -> Any:
    return pytest.param(Accepted((name, *also), notes, checks), id=name)


ACCEPTED = [
    accepted(
        "values-under-no-header.csv",
        (
            "values-under-no-header.csv: values in column 3, which has no header, not read: "
            "1 row (2)",
        ),
        (_row_in_release("XWRIB", "values-under-no-header.csv"), 2),
    ),
    accepted(
        "table-on-second-sheet.xlsx",
        (
            "table-on-second-sheet.xlsx: sheet 'Read me' was not read (it has no header row "
            "naming the code); the table was read from sheet 'Codes'",
        ),
        (_description("XWRIB"), "XR Wrist Both (sheet 2)"),
    ),
    accepted(
        "utf8-bom.csv",
        ("utf8-bom.csv: a UTF-8 byte order mark at the start, dropped",),
        (_description("XWRIB"), "XR Wrist Both"),
    ),
    accepted("utf8-no-bom.csv", (), (_description("XWRIB"), "XR Wrist \u2013 Both \u00a3")),
    accepted(
        "cp1252.csv",
        (
            "cp1252.csv: not UTF-8 (line 2 has byte 0x96); read as Windows-1252, in which "
            "that byte is '\u2013'",
        ),
        (_description("XWRIB"), "XR Wrist \u2013 Both \u00a3"),
    ),
    accepted(
        "latin1.csv",
        (
            "latin1.csv: not UTF-8 (line 2 has byte 0xA3); read as Windows-1252, in which "
            "that byte is '\u00a3'",
        ),
        (_description("XWRIB"), "XR Wrist Both \u00a3 caf\u00e9"),
    ),
    accepted(
        "utf16-unicode-text.txt",
        ("utf16-unicode-text.txt: UTF-16 text (as Excel saves 'Unicode Text'), read as such",),
        (_description("XWRIB"), "XR Wrist Both"),
    ),
    accepted(
        "snomed-decimal.csv",
        (
            "snomed-decimal.csv: SNOMED CT ids written as decimals (60027007.0), read as "
            "whole numbers: 2 rows (2, 3)",
        ),
        (_concepts("XWRIB"), [60027007]),
        (_concepts("XWRIL"), [60027007]),
    ),
    accepted(
        "title-rows.csv",
        (),
        (_row_in_release("XWRIB", "title-rows.csv"), 5),
    ),
    accepted(
        "footnote-mark.csv",
        (
            "footnote-mark.csv: footnote marks such as \u2021 taken off codes (read the "
            "table's footnotes): 2 rows (2, 3)",
        ),
        (_description("XWRIL"), "XR Wrist Lt"),
    ),
    accepted(
        "header-repeated.csv",
        (
            "header-repeated.csv: the header row again inside the table (files joined?), "
            "skipped: 1 row (3)",
        ),
        (_row_in_release("XWRIL", "header-repeated.csv"), 4),
    ),
    accepted(
        "same-row-twice.csv",
        ("same-row-twice.csv: rows repeating an earlier row word for word, dropped: 1 row (3)",),
        (_row_in_release("XWRIB", "same-row-twice.csv"), 2),
    ),
    accepted(
        "spaces-and-case.csv",
        (
            "spaces-and-case.csv: codes with spaces or lower case, repaired: 2 rows (2, 3)",
            "spaces-and-case.csv: SNOMED CT ids with spaces around them, repaired: 1 row (3)",
        ),
        (_description("XWRIB"), "XR Wrist Both"),
        (_description("XWRIL"), "XR Wrist Lt"),
    ),
    accepted(
        "opcs-dotted-and-dotless.csv",
        (
            "opcs-dotted-and-dotless.csv: OPCS-4 codes written dotless (U051), where the "
            "other rows write the other form; both read: 1 row (4)",
        ),
        (_targets("NicipCode", "code", "XWRIR", "MAPS_TO_OPCS"), ["U134", "Z942"]),
    ),
    accepted(
        "opcs-alias-and-numbered-columns.csv",
        (),
        (_targets("NicipCode", "code", "MAULB", "MAPS_TO_OPCS"), ["U117", "Z941"]),
    ),
    accepted(
        "long-description.csv",
        (
            "long-description.csv: descriptions longer than NICIP's 40 characters, kept as "
            "written: 1 row (2)",
        ),
        (lambda s: len(_description("XWRIB")(s)), 14 * 357 + 1),
    ),
    accepted(
        "formula-in-description.csv",
        (
            "formula-in-description.csv: text cells holding a spreadsheet formula (=...), "
            "kept as text: 1 row (2)",
        ),
        (_description("XWRIB"), "=1+1"),
    ),
    accepted(
        "formula-in-description.xlsx",
        (
            "formula-in-description.xlsx: text cells holding a spreadsheet formula (=...), "
            "kept as text: 1 row (2)",
        ),
        (_description("XWRIB"), '=CONCAT("XR ","Wrist")'),
    ),
    # OPCS-4 files: the reader's notes reach the load report.
    accepted(
        "opcs-table-dotted-and-dotless.csv",
        (
            "opcs-table-dotted-and-dotless.csv: codes written dotless (U051), where the "
            "other rows write the other form; both read: 1 row (4)",
        ),
        (_opcs("U051", "dotted"), "U05.1"),
    ),
    accepted(
        "opcs-table-footnote-mark.csv",
        (
            "opcs-table-footnote-mark.csv: footnote marks such as \u2021 taken off codes "
            "(read the table's footnotes): 1 row (2)",
        ),
        (_opcs("U051", "title"), "Computed tomography of head"),
    ),
    accepted(
        "OPCS4 CodesAndTitles cp1252.txt",
        (
            "OPCS4 CodesAndTitles cp1252.txt: not UTF-8 (line 2 has byte 0x96); read as "
            "Windows-1252, in which that byte is '\u2013'",
        ),
        (_opcs("U212", "title"), "Computed tomography NEC \u2013 any site"),
    ),
    # RF2.
    accepted(
        "rf2-full-latest-wins/der2_iisssciRefset_ExtendedMapFull_GB1000000_20250401.txt",
        (),
        (_targets("SnomedConcept", "id", 418062002, "MAPS_TO_OPCS"), ["U117"]),
        also=(str(OPCS),),
    ),
    accepted(
        "rf2-map-category-not-snomed/der2_iisssciRefset_ExtendedMapSnapshot_GB1000000_20250401.txt",
        (),
        (_targets("SnomedConcept", "id", 55501000, "MAPS_TO_OPCS"), ["U372"]),
        also=(str(OPCS),),
    ),
    accepted("rf2-header-only-delta/der2_Refset_SimpleDelta_GB1000000_20250401.txt", ()),
]


@pytest.mark.parametrize("case", ACCEPTED)
def test_accepted_repaired_and_noted(store: GraphStore, case: Accepted) -> None:
    report = load([BAD / case.files[0], *case.files[1:]], store)
    assert report.notes == list(case.notes)
    for read, want in case.checks:
        assert read(store) == want


@pytest.mark.parametrize(
    "name, notes",
    [
        (
            "opcs-table-dotted-and-dotless.csv",
            [
                "opcs-table-dotted-and-dotless.csv: codes written dotless (U051), where the "
                "other rows write the other form; both read: 1 row (4)"
            ],
        ),
        (
            "opcs-table-footnote-mark.csv",
            [
                "opcs-table-footnote-mark.csv: footnote marks such as \u2021 taken off codes "
                "(read the table's footnotes): 1 row (2)"
            ],
        ),
        (
            "OPCS4 CodesAndTitles cp1252.txt",
            [
                "OPCS4 CodesAndTitles cp1252.txt: not UTF-8 (line 2 has byte 0x96); read as "
                "Windows-1252, in which that byte is '\u2013'"
            ],
        ),
    ],
)
def test_opcs4_repairs_are_noted_by_the_reader(name: str, notes: list[str]) -> None:
    found: list[str] = []
    assert list(read_opcs4(BAD / name, found))
    assert found == notes


# -- the corpus and its README agree ----------------------------------------------------------


def _corpus() -> set[str]:
    skip = {"README.md", "make_corpus.py"}
    return {
        p.relative_to(BAD).as_posix()
        for p in BAD.rglob("*")
        if p.is_file() and p.name not in skip and "__pycache__" not in p.parts
    }


def test_every_corpus_file_is_listed_and_tested() -> None:
    listed = set(re.findall(r"^\| `([^`]+)` \|", (BAD / "README.md").read_text(), re.M))
    tested = {p.values[0].files[0] for p in [*REFUSED, *ACCEPTED]} | {
        "old-excel.xls",
        "folder-broken-workbook/codes.csv",
        "folder-broken-workbook/more codes.xlsx",
    }
    assert listed == _corpus()
    assert tested == _corpus()
