"""Run :class:`loader.stores.neo4j.Neo4jStore` against FalkorDB's Bolt endpoint.

Used by ``tests/contract/test_neo4j_bolt.py``; runnable by hand too::

    unshare -rn python tests/bolt_server.py REDIS_SERVER FALKORDB_SO [SAMPLE_DIR]

FalkorDB's Bolt listener binds **every** interface, so this script only ever runs inside a
private network namespace: it refuses to start the server when it sees any network
interface other than ``lo``. It brings ``lo`` up, starts ``redis-server`` with the FalkorDB
module and ``BOLT_PORT 7687`` (Redis itself on a Unix socket only), waits for the port, runs
a scripted set of checks with ``Neo4jStore`` and prints one line
``BOLT_RESULT {json}``; the test asserts on that. The server is stopped on the way out, and
is killed by the kernel should this script die first.

The result's ``status`` is ``ok`` (checks ran), ``unsupported`` (the binary has no Bolt, or
this is not a private namespace: the test skips) or ``error`` (the server would not start).
Each check is ``{"ok": value}`` or ``{"error": class name, "message": text}``.

FalkorDB is not Neo4j: it has no real transactions (a rollback undoes nothing), accepts
only the user ``default`` with an empty password over Bolt, and drops parameters past
about 8 KB. This is a smoke test of the driver plumbing, not of Neo4j's semantics.
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BOLT_PORT = 7687
URI = f"bolt://127.0.0.1:{BOLT_PORT}"
#: The only credentials FalkorDB's Bolt endpoint accepts (it ignores Redis' requirepass).
USER, PASSWORD = "default", ""
MARKER = "BOLT_RESULT "
START_TIMEOUT_S = 10.0


def emit(result: dict[str, Any]) -> None:
    print(MARKER + json.dumps(result, default=repr), flush=True)


# --------------------------------------------------------------------------- namespace


def private_namespace_problem() -> str | None:
    """Why this process must not open a port that binds every interface, or None."""
    names = [name for _, name in socket.if_nameindex()]
    others = [n for n in names if n != "lo"]
    if others:
        return (
            "refusing to start FalkorDB's Bolt listener (it binds every interface): this is "
            f"not a private network namespace (interfaces: {', '.join(names)})"
        )
    return None


def bring_up_loopback() -> None:
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        req = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(s.fileno(), siocgifflags, req))[1]
        fcntl.ioctl(s.fileno(), siocsifflags, struct.pack("16sH22x", b"lo", flags | iff_up))


def _die_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def start_server(
    redis_server: str, module: str, workdir: Path
) -> tuple[subprocess.Popen[bytes], Path]:
    log = workdir / "redis.log"
    cmd = [
        redis_server,
        "--port", "0",
        "--unixsocket", str(workdir / "redis.sock"),
        "--dir", str(workdir),
        "--save", "",
        "--appendonly", "no",
        "--loadmodule", module, "BOLT_PORT", str(BOLT_PORT),
    ]  # fmt: skip
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
        )
    return proc, log


def wait_for_port(proc: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", BOLT_PORT), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def log_tail(log: Path, lines: int = 6) -> str:
    try:
        text = log.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return " | ".join(line.split(" * ", 1)[-1].split(" # ", 1)[-1] for line in text[-lines:])


# --------------------------------------------------------------------------- checks


def attempt(fn: Callable[[], Any]) -> dict[str, Any]:
    try:
        return {"ok": fn()}
    except Exception as err:  # noqa: BLE001 - every outcome is a finding
        return {"error": type(err).__name__, "message": str(err)[:500]}


def run_checks(checks: dict[str, Any], sample: Path | None) -> None:
    """Fill ``checks`` as it goes, so that a crash still leaves what ran before it.

    One store (one driver) serves every check: FalkorDB's Bolt listener often leaves the
    next new connection without a handshake answer after a client has closed one, so the
    checks that open a connection of their own come last.
    """
    from loader.stores.base import Step, WritePlan
    from loader.stores.neo4j import Neo4jStore

    store = Neo4jStore(URI, USER, PASSWORD, batch_size=2)
    checks["server_agent"] = attempt(lambda: store._driver.get_server_info().agent)

    def qr(query: str, params: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        r = store.read(query, params, **kw)
        return {"columns": r.columns, "rows": r.rows, "truncated": r.truncated}

    checks["return_1"] = attempt(lambda: qr("RETURN 1 AS x"))
    checks["params"] = attempt(
        lambda: qr(
            "RETURN $n AS n, $s AS s, $xs AS xs, $m.k AS k",
            {"n": 5, "s": "é", "xs": [1, 2, 3], "m": {"k": True}},
        )
    )
    checks["timeout"] = attempt(lambda: qr("RETURN 2 AS y", timeout_s=5.0))
    checks["row_limit"] = attempt(lambda: qr("UNWIND range(1, 10) AS i RETURN i", row_limit=3))
    checks["row_limit_exact"] = attempt(lambda: qr("UNWIND range(1, 3) AS i RETURN i", row_limit=3))
    checks["quote_param"] = attempt(lambda: qr("RETURN $s AS s", {"s": "it's"}))
    checks["double_quote_param"] = attempt(lambda: qr("RETURN $s AS s", {"s": 'say "hi"'}))
    checks["syntax_error"] = attempt(lambda: qr("RETURN RETURN"))
    checks["after_error"] = attempt(lambda: qr("RETURN 3 AS z"))

    nodes = [{"id": i, "name": f"n{i}"} for i in range(1, 6)]
    links = [{"a": i, "b": i + 1} for i in range(1, 5)]
    plan = WritePlan(
        schema=[],
        steps=[
            Step("nodes", "UNWIND $rows AS r MERGE (n:T {id: r.id}) SET n.name = r.name", nodes),
            Step(
                "links",
                "UNWIND $rows AS r MATCH (a:T {id: r.a}), (b:T {id: r.b}) "
                "MERGE (a)-[:L {w: r.a}]->(b) RETURN count(*)",
                links,
                counted=True,
            ),
            Step("flag", "MATCH (n:T {id: $id}) SET n.flag = true", None, {"id": 1}),
        ],
    )
    progress: list[list[Any]] = []
    checks["apply"] = attempt(
        lambda: store.apply(plan, lambda phase, d, t: progress.append([phase, d, t]))
    )
    checks["apply_progress"] = {"ok": progress}
    checks["read_back"] = attempt(
        lambda: qr("MATCH (n:T) RETURN n.id, n.name, n.flag ORDER BY n.id")
    )
    checks["read_back_rels"] = attempt(
        lambda: qr("MATCH (:T)-[r:L]->(:T) RETURN count(r) AS c, sum(r.w) AS w")
    )
    checks["node_value"] = attempt(lambda: qr("MATCH (n:T {id: 1}) RETURN n"))
    checks["path_value"] = attempt(lambda: qr("MATCH p = (:T {id: 1})-[:L]->(:T) RETURN p"))
    checks["apply_again"] = attempt(lambda: store.apply(plan))
    checks["read_back_again"] = attempt(
        lambda: qr("MATCH (n:T) WITH count(n) AS n MATCH (:T)-[r:L]->() RETURN n, count(r) AS r")
    )

    bad = WritePlan(
        schema=[],
        steps=[
            Step("partial", "UNWIND $rows AS r MERGE (n:T {id: r.id})", [{"id": 100}]),
            Step(
                "unmatched",
                "UNWIND $rows AS r MATCH (a:T {id: r.a}) RETURN count(*)",
                [{"a": 1}, {"a": 999}],
                counted=True,
            ),
        ],
    )
    checks["counted_mismatch"] = attempt(lambda: store.apply(bad))
    checks["after_rollback"] = attempt(lambda: qr("MATCH (n:T {id: 100}) RETURN count(n) AS c"))

    checks["read_create"] = attempt(lambda: qr("CREATE (:Intruder {x: 1}) RETURN 1 AS one"))
    checks["after_read_create"] = attempt(lambda: qr("MATCH (n:Intruder) RETURN count(n) AS c"))

    schema = "CREATE CONSTRAINT t_id IF NOT EXISTS FOR (n:T) REQUIRE n.id IS UNIQUE"
    checks["schema_constraint"] = attempt(lambda: store.apply(WritePlan([schema], [])))
    index = "CREATE INDEX t_name IF NOT EXISTS FOR (n:T) ON (n.name)"
    checks["schema_index"] = attempt(lambda: store.apply(WritePlan([index], [])))

    checks["clear"] = attempt(store.clear)
    # clear() failing must not stop the pipeline check: empty the graph the plain way
    checks["plain_clear"] = attempt(
        lambda: store.apply(WritePlan([], [Step("wipe", "MATCH (n) DETACH DELETE n")]))
    )
    checks["after_clear"] = attempt(lambda: qr("MATCH (n) RETURN count(n) AS c"))

    if sample is not None and sample.is_dir():
        pipeline_checks(checks, store, sample)

    # new connections, and last the one that may take the server down
    checks["wrong_password"] = attempt(lambda: Neo4jStore(URI, "nobody", "secret").describe())
    big = ["x" * 100] * 200  # about 20 KB of parameters
    checks["big_param"] = attempt(lambda: qr("RETURN size($xs) AS n", {"xs": big}))
    store.close()


def pipeline_checks(out: dict[str, Any], store: Any, sample: Path) -> None:
    from loader import queries
    from loader.pipeline import load
    from loader.stores.base import Progress, WritePlan, no_progress

    class NoSchema:
        """The same store without the schema statements (Neo4j 5 syntax FalkorDB rejects)."""

        kind = store.kind

        def __getattr__(self, name: str) -> Any:
            return getattr(store, name)

        def apply(self, plan: WritePlan, progress: Progress = no_progress) -> None:
            store.apply(WritePlan([], plan.steps), progress)

    phases: list[str] = []

    def progress(phase: str, done: int, total: int) -> None:
        if not phases or phases[-1] != phase:
            phases.append(phase)

    store.batch_size = 10  # small batches: FalkorDB's Bolt fails on large parameters
    out["pipeline"] = attempt(lambda: load([sample], store, progress=progress).counts)
    if "error" in out["pipeline"]:
        phases.clear()
        out["pipeline_no_schema"] = attempt(
            lambda: load([sample], NoSchema(), progress=progress).counts
        )
        out["pipeline_no_schema_phases"] = {"ok": list(phases)}
        # FalkorDB cannot roll back: what landed before the failing step stays
        out["pipeline_partial_counts"] = attempt(lambda: queries.counts(store))
    store.batch_size = 2


# --------------------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    redis_server, module = argv[0], argv[1]
    sample = Path(argv[2]) if len(argv) > 2 else None
    problem = private_namespace_problem()
    if problem:
        emit({"status": "unsupported", "reason": problem})
        return 0
    try:
        bring_up_loopback()
    except OSError as err:
        emit({"status": "unsupported", "reason": f"cannot bring up lo: {err}"})
        return 0
    with tempfile.TemporaryDirectory(prefix="nicip-bolt-") as tmp:
        started = time.monotonic()
        proc, log = start_server(redis_server, module, Path(tmp))
        try:
            if not wait_for_port(proc):
                exited = proc.poll() is not None
                tail = log_tail(log)
                if exited and ("BOLT" in tail.upper() or "initialization failed" in tail):
                    found = re.search(r"FalkorDB version (\S+?)\.?(?: |\||$)", tail)
                    version = f" (FalkorDB {found.group(1)})" if found else ""
                    status = "unsupported"
                    reason = f"{module}{version} has no Bolt: it refuses BOLT_PORT"
                else:
                    status = "error"
                    reason = f"FalkorDB did not open port {BOLT_PORT}: {tail}"
                emit({"status": status, "reason": reason})
                return 0
            start_s = time.monotonic() - started
            checks: dict[str, Any] = {}
            crash = None
            try:
                run_checks(checks, sample)
            except Exception as err:  # noqa: BLE001 - reported, with what ran before it
                crash = f"{type(err).__name__}: {str(err)[:300]}"
            emit(
                {
                    "status": "ok",
                    "start_s": round(start_s, 3),
                    "checks_s": round(time.monotonic() - started - start_s, 3),
                    "crash": crash,
                    "server_exit": proc.poll(),
                    "log": log_tail(log, 8),
                    "checks": checks,
                }
            )
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
