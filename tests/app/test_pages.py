"""Every explorer page, opened with Streamlit's AppTest on the real map and on the sample.

Values on the real map are the independent counts of tests/realdata (pandas on the CSV
files); values on the sample are those worked out by hand in its README.
"""

from __future__ import annotations

from datetime import date

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from loader.pipeline import load
from loader.stores.embedded import EmbeddedStore

from ..conftest import ROOT, SAMPLE

APP = str(ROOT / "explorer" / "app.py")


def open_page(page: str, **params: str) -> AppTest:
    st.cache_resource.clear()  # each test's store, not the one a previous test opened
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(f"screens/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture(scope="module")
def real_db(real_data, tmp_path_factory):
    db = tmp_path_factory.mktemp("app-real") / "graph.db"
    store = EmbeddedStore(db)
    load(
        [real_data / "nicip_snomed_map.csv", real_data / "opcs4_codes_ukbiobank_coding240.csv"],
        store,
    )
    store.close()
    return db


@pytest.fixture
def on_real(real_db, monkeypatch):
    monkeypatch.setenv("NICIP_DB", str(real_db))
    monkeypatch.delenv("NEO4J_URI", raising=False)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("app-sample") / "graph.db"
    store = EmbeddedStore(db)
    load([SAMPLE], store)
    store.close()
    return db


@pytest.fixture
def on_sample(sample_db, monkeypatch):
    monkeypatch.setenv("NICIP_DB", str(sample_db))
    monkeypatch.delenv("NEO4J_URI", raising=False)


@pytest.mark.realdata
def test_overview_on_real_map(on_real):
    at = open_page("overview")
    m = metrics(at)
    assert m["NICIP codes"] == "2,787"
    assert m["SNOMED CT concepts"] == "2,075"
    assert m["OPCS-4 codes"] == "11,288"
    assert m["Codes with no SNOMED CT map"] == "0"
    assert m["Codes with no OPCS-4 code"] == "2,787"
    assert m["Collisions (concepts)"] == "29"
    assert m["Laterality families"] == "335"


@pytest.mark.realdata
def test_conflicts_on_real_map(on_real):
    at = open_page("conflicts")
    m = metrics(at)
    # 29 collisions (89 codes) and 335 families (987 codes): 1,076 codes in all.
    assert (m["Real collisions"], m["Laterality families"], m["Codes involved"]) == (
        "29",
        "335",
        "1076",
    )
    table = at.dataframe[0].value
    assert len(table) == 12 and set(table["kind"]) == {"collision"}  # families folded away
    assert table.iloc[0]["code_count"] == 10  # OTORS and nine other O codes on 169283005
    at.toggle[0].set_value(True).run()
    at.number_input[0].set_value(28).run()  # the last page: (29 + 335) / 12 pages
    assert set(at.dataframe[0].value["kind"]) == {"laterality family"}


@pytest.mark.realdata
def test_orphans_on_real_map(on_real):
    at = open_page("orphans")
    assert at.radio[0].options == [
        "NICIP codes with no SNOMED CT map (0)",
        "NICIP codes with no OPCS-4 code (2,787)",
        "Refset concepts no NICIP code reaches (0)",
        "OPCS-4 imaging codes nothing reaches (140)",
    ]
    at.radio[0].set_value("OPCS-4 imaging codes nothing reaches (140)").run()
    assert len(at.dataframe[0].value) == 140
    at.radio[0].set_value("NICIP codes with no OPCS-4 code (2,787)").run()
    at.multiselect[0].set_value(["Plain X-ray"]).run()
    assert len(at.dataframe[0].value) == 337  # X codes in the map


@pytest.mark.realdata
def test_code_page_on_real_map(on_real):
    at = open_page("node", kind="nicip", key="XWRIL")
    assert at.title[0].value == "NICIP code XWRIL"
    facts = at.dataframe[0].value
    maps = facts[facts["relationship"] == "MAPS_TO"]
    assert sorted(maps["from"]) == ["XWRIB", "XWRIL", "XWRIR"]
    assert set(maps["to"]) == {"60027007"}
    path = at.dataframe[1].value
    assert path.iloc[0]["modality"] == "Plain X-ray" and path.iloc[0]["laterality"] == "Left"


@pytest.mark.realdata
def test_search_on_real_map(on_real):
    at = open_page("search")
    at.text_input[0].input("XWRI").run()
    titles = [b.label for b in at.button]
    assert titles[:3] == ["XWRIB", "XWRIL", "XWRIR"]


def test_every_page_opens_on_the_sample(on_sample):
    for page in (
        "overview",
        "search",
        "node",
        "orphans",
        "conflicts",
        "migration",
        "diff",
        "console",
    ):
        open_page(page)


def test_sample_code_page_shows_replacement(on_sample):
    at = open_page("node", kind="snomed", key="10019999999102")
    assert any("Replaced by 60027007" in w.value for w in at.warning)


def test_unknown_code_is_a_message(on_sample):
    at = open_page("node", kind="nicip", key="NOPE1")
    assert at.warning[0].value == "NICIP code NOPE1 is not in the graph."


def test_console_refuses_writes_and_runs_reads(on_sample):
    at = open_page("console")
    at.text_area[0].set_value("CREATE (n:X) RETURN n").run()
    at.button[0].click().run()
    assert "read-only" in at.error[0].value
    at.text_area[0].set_value("MATCH (n:NicipCode) RETURN n.code AS code ORDER BY code LIMIT 3")
    at.button[0].click().run()
    assert list(at.dataframe[0].value["code"]) == ["CABAO", "CFOOB", "CFOOL"]


def test_empty_store_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("NICIP_DB", str(tmp_path / "empty.db"))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    at = open_page("overview")
    assert "The graph is empty" in at.info[0].value
    st.cache_resource.clear()
    EmbeddedStore(tmp_path / "empty.db").close()


@pytest.fixture(scope="module")
def two_releases_db(tmp_path_factory):
    from ..migration.conftest import load_both, write_releases

    root = tmp_path_factory.mktemp("app-two")
    store = EmbeddedStore(root / "graph.db")
    load_both(*write_releases(root), store)
    store.close()
    return root / "graph.db"


@pytest.fixture
def on_two_releases(two_releases_db, monkeypatch):
    monkeypatch.setenv("NICIP_DB", str(two_releases_db))
    monkeypatch.delenv("NEO4J_URI", raising=False)


def test_migration_page_on_two_releases(on_two_releases):
    at = open_page("migration")
    m = metrics(at)
    # 14 codes; ready: CFOOB, MKNEB, UNEWB one-to-one + XWRIB/L/R family = 6 (see
    # tests/migration); collisions MTMJB and MJTMB.
    assert (
        m["NICIP codes"],
        m["Ready to migrate"],
        m["Blocked"],
        m["Codes in real collisions"],
    ) == ("14", "6 (43%)", "8", "2")
    at.text_input(key="valid-code").input("XOLDB").run()
    at.date_input(key="valid-date").set_value(date(2026, 3, 18)).run()
    assert "accepted only until 2026-03-17" in at.error[0].value


def test_diff_page_on_two_releases(on_two_releases):
    at = open_page("diff")
    m = metrics(at)
    assert (
        m["Codes added"],
        m["Codes removed"],
        m["Codes retired"],
        m["SNOMED CT maps changed"],
    ) == ("7", "1", "1", "1")
    table = at.dataframe[1].value
    assert set(table["code"]) >= {"UNEWB", "CABDO", "XOLDB", "CFOOB", "MKNEB"}


@pytest.mark.realdata
def test_migration_page_on_real_map(on_real):
    at = open_page("migration")
    m = metrics(at)
    # one-to-one 1,711 (codes alone on their concept: 2,787 - 1,076) + families 987.
    assert m["Ready to migrate"] == "2,698 (97%)"  # 2,698 / 2,787 = 96.8%
    assert m["Blocked"] == "89" and m["Codes in real collisions"] == "89"
