"""What only the embedded store promises: a file that survives restarts and crashes."""

from __future__ import annotations

import time

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


def test_a_slow_read_is_sent_once_and_waited_for(tmp_path):
    """redis-py's defaults (5 s socket timeout, 10 retries) re-sent slow reads: a 6 s count
    with a 30 s limit ran 11 times and was then abandoned."""
    store = EmbeddedStore(tmp_path / "graph.db")
    try:
        store.read("RETURN 1")

        def sent() -> int:
            stats = store._redis.info("commandstats")
            return int(stats["cmdstat_graph.RO_QUERY"]["calls"])

        # A thousand rows at a time, so no long list is held in memory.
        count = "UNWIND range(1, $n) AS i UNWIND range(1, 1000) AS j RETURN count(*)"
        start = time.monotonic()
        store.read(count, {"n": 5_000})
        n = int(5_000 * 8 / (time.monotonic() - start))  # about 8 s on this machine
        before = sent()
        start = time.monotonic()
        rows = store.read(count, {"n": n}, timeout_s=60).rows
        took = time.monotonic() - start
        assert rows == [[n * 1000]]
        assert sent() == before + 1
        assert took > 5, f"the query took {took:.1f} s: too fast to show a socket timeout"
    finally:
        store.close()


def test_close_stops_the_server_though_a_read_was_abandoned(tmp_path):
    """An abandoned read still waits on its connection; that must not keep the server up."""
    import psutil

    from loader.errors import QueryLimitExceeded

    store = EmbeddedStore(tmp_path / "graph.db")
    pid = store.server_pid()
    with pytest.raises(QueryLimitExceeded):
        store.read(
            "UNWIND range(1, 1000) AS a UNWIND range(1, 1000000) AS b RETURN count(*)",
            timeout_s=0.2,
        )
    store.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"the server {pid} is still running after close()")
