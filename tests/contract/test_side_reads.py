"""Large relationship and language files read in a second process give the same graph.

``SIDE_READ_BYTES = 0`` sends every such file of the sample release to the second process;
the graph must be exactly the one a load in one process builds, and a bad row there must
stop the load with the same message, naming its file, row and column.
"""

from __future__ import annotations

import shutil

import pytest

from loader import pipeline
from loader.errors import InputError
from loader.pipeline import load
from loader.stores.embedded import EmbeddedStore

from ..conftest import SAMPLE
from .test_byid import dump

LANGUAGE = "der2_cRefset_LanguageSnapshot-en_GB1000000_20250401.txt"


def test_same_graph_when_read_in_two_processes(tmp_path, monkeypatch):
    one = EmbeddedStore(tmp_path / "one" / "graph.db")
    two = EmbeddedStore(tmp_path / "two" / "graph.db")
    try:
        load([SAMPLE], one)
        monkeypatch.setattr(pipeline, "SIDE_READ_BYTES", 0)
        report = load([SAMPLE], two)
        assert dump(one) == dump(two)
        rows = {f.name: f.rows for f in report.files}
        assert rows[LANGUAGE] == len((SAMPLE / LANGUAGE).read_text().splitlines()) - 1
    finally:
        one.close()
        two.close()


def test_a_bad_row_read_in_the_second_process_stops_the_load(tmp_path, monkeypatch):
    release = tmp_path / "release"
    shutil.copytree(SAMPLE, release)
    lines = (release / LANGUAGE).read_text().splitlines(keepends=True)
    lines[2] = "not-a-uuid" + lines[2][lines[2].index("\t") :]
    (release / LANGUAGE).write_text("".join(lines))
    monkeypatch.setattr(pipeline, "SIDE_READ_BYTES", 0)
    store = EmbeddedStore(tmp_path / "graph.db")
    try:
        with pytest.raises(InputError) as caught:
            load([release], store)
        err = caught.value
        assert (err.file, err.row, err.column, err.value) == (LANGUAGE, 3, "id", "not-a-uuid")
        assert str(err).startswith(f"{LANGUAGE}, row 3, column 'id': expected a UUID")
    finally:
        store.close()
