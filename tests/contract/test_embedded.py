"""What only the embedded store promises: a file that survives restarts and crashes."""

from __future__ import annotations

import pytest

from loader import queries
from loader.errors import StoreFormatMismatch
from loader.pipeline import load
from loader.stores.embedded import FORMAT_KEY, GRAPH_PREFIX, POINTER, EmbeddedStore


def write_map(tmp_path):
    p = tmp_path / "map.csv"
    p.write_text("nicip_code,snomed_concept_id\nXWRIB,60027007\nXWRIL,60027007\n")
    return p


def test_graph_persists_across_reopen(tmp_path):
    db = tmp_path / "g.db"
    s = EmbeddedStore(db)
    load([write_map(tmp_path)], s)
    s.close()
    s = EmbeddedStore(db)
    assert queries.counts(s)["NicipCode"] == 2
    s.close()


def test_other_format_version_is_refused(tmp_path):
    db = tmp_path / "g.db"
    s = EmbeddedStore(db)
    s._redis.set(FORMAT_KEY, "0")
    s._redis.save()
    s.close()
    with pytest.raises(StoreFormatMismatch, match="format 0"):
        EmbeddedStore(db)


def test_abandoned_staging_graph_is_dropped_on_open(tmp_path):
    db = tmp_path / "g.db"
    s = EmbeddedStore(db)
    load([write_map(tmp_path)], s)
    # What a load killed half way leaves: a staging graph the pointer does not name.
    s._redis.execute_command("GRAPH.QUERY", f"{GRAPH_PREFIX}deadbeef", "CREATE (:NicipCode)")
    current = s._redis.get(POINTER)
    s2 = EmbeddedStore(db)  # shares the running server, as a second process would
    names = s2._redis.execute_command("GRAPH.LIST")
    assert list(names) == [current]
    s2.close()
    s.close()


def test_server_killed_mid_load_keeps_previous_file(tmp_path):
    import os
    import signal

    db = tmp_path / "g.db"
    s = EmbeddedStore(db)
    load([write_map(tmp_path)], s)
    pid = s.server_pid()
    assert pid
    # Start a load by hand up to the staging copy, then kill the server before the switch.
    s._redis.execute_command("GRAPH.COPY", s._redis.get(POINTER), f"{GRAPH_PREFIX}halfway")
    s._redis.execute_command(
        "GRAPH.QUERY", f"{GRAPH_PREFIX}halfway", "MATCH (n:NicipCode) DETACH DELETE n"
    )
    os.kill(pid, signal.SIGKILL)
    s2 = EmbeddedStore(db)
    assert queries.counts(s2)["NicipCode"] == 2
    assert list(s2._redis.execute_command("GRAPH.LIST")) == [s2._redis.get(POINTER)]
    s2.close()
