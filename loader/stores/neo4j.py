"""The Neo4j store, through the official ``neo4j`` driver.

- **Loads** run the schema statements first (each ``IF NOT EXISTS``, in its own transaction,
  as Neo4j requires), then every step of the plan inside **one** explicit write
  transaction: it commits whole or rolls back whole, so a failure or a killed process
  leaves the database as it was. A transient error (leader switch, deadlock) before the
  commit is retried from the start, up to three times; the writes are ``MERGE``s, so a
  retry cannot duplicate anything.
- **Reads** run in READ access mode, so the server refuses a write; they carry the
  configured time limit as a transaction timeout, and stop fetching past the row limit.

Credentials come from :class:`~loader.settings.Settings`; the password never appears in a
message.
"""

from __future__ import annotations

import time
from typing import Any

from loader.errors import (
    QueryError,
    QueryLimitExceeded,
    ReadOnlyViolation,
    StoreError,
    StoreUnavailable,
)
from loader.stores.base import (
    DEFAULT_BATCH,
    Progress,
    QueryResult,
    WritePlan,
    batches,
    no_progress,
)

__all__ = ["Neo4jStore"]

RETRIES = 3
#: Seconds to connect, including the Bolt handshake and login: ``connection_timeout`` alone
#: bounds only the TCP connect, so a server that accepts but never answers would hang for the
#: driver's 60 s acquisition default.
CONNECT_TIMEOUT_S = 10.0
#: Bolt schemes. The driver also takes ``http(s)://`` (its preview Query API, which needs
#: extra packages and is not what this store speaks), so those are refused here.
SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


class Neo4jStore:
    """A Neo4j 5 database."""

    kind = "neo4j"

    def __init__(
        self,
        uri: str,
        user: str,
        password: str,
        database: str | None = None,
        batch_size: int = DEFAULT_BATCH,
    ) -> None:
        import neo4j

        self._neo4j = neo4j
        self.uri = uri
        self.user = user
        self.database = database
        self.batch_size = batch_size
        scheme = uri.split("://", 1)[0].lower() if "://" in uri else ""
        if scheme not in SCHEMES:
            raise StoreUnavailable(
                f"NEO4J_URI {uri!r} is not a Neo4j Bolt address: it should start with "
                "bolt:// or neo4j:// (for example bolt://localhost:7687)"
            )
        driver = None
        try:
            driver = neo4j.GraphDatabase.driver(
                uri,
                auth=(user, password),
                connection_timeout=CONNECT_TIMEOUT_S,
                connection_acquisition_timeout=CONNECT_TIMEOUT_S,
                max_transaction_retry_time=15,
            )
            driver.verify_connectivity()
        except Exception as err:
            if driver is not None:
                driver.close()
            unavailable = _unavailable(neo4j, err, uri, user)
            if unavailable is None:
                raise
            raise unavailable from None
        self._driver = driver

    def describe(self) -> str:
        return f"Neo4j {self.uri} as {self.user}" + (f" ({self.database})" if self.database else "")

    def _session(self, write: bool) -> Any:
        mode = self._neo4j.WRITE_ACCESS if write else self._neo4j.READ_ACCESS
        return self._driver.session(database=self.database, default_access_mode=mode)

    def read(
        self,
        query: str,
        params: dict[str, Any] | None = None,
        *,
        timeout_s: float | None = None,
        row_limit: int | None = None,
    ) -> QueryResult:
        ex = self._neo4j.exceptions
        try:
            with self._session(write=False) as session:
                tx = session.begin_transaction(timeout=timeout_s)
                try:
                    result = tx.run(query, params or {})
                    columns = list(result.keys())
                    rows: list[list[Any]] = []
                    truncated = False
                    for record in result:
                        if row_limit is not None and len(rows) >= row_limit:
                            truncated = True
                            break
                        rows.append([_plain(v) for v in record.values()])
                finally:
                    tx.close()  # a read transaction is never committed
        except ex.Neo4jError as err:  # a ClientError mostly; Transient and Database ones too
            code = err.code or ""
            if "AccessMode" in code or "ForbiddenDueToTransactionType" in code:
                raise ReadOnlyViolation(
                    "the query tries to change the graph; queries here are read-only"
                ) from None
            if "TransactionTimedOut" in code or "Timeout" in code:
                raise QueryLimitExceeded(
                    "the query ran past its time limit and was stopped"
                ) from None
            raise QueryError(err.message or str(err)) from None
        except (ex.ServiceUnavailable, ex.SessionExpired) as err:
            raise StoreUnavailable(
                f"Neo4j at {self.uri} stopped answering: {_short(err)}"
            ) from None
        return QueryResult(columns, rows, truncated)

    def plan_operators(self, query: str, params: dict[str, Any] | None = None) -> list[str]:
        ex = self._neo4j.exceptions
        try:
            with self._session(write=False) as session:
                summary = session.run("EXPLAIN " + query, params or {}).consume()
        except ex.Neo4jError as err:
            raise QueryError(err.message or str(err)) from None
        except (ex.ServiceUnavailable, ex.SessionExpired) as err:
            raise StoreUnavailable(
                f"Neo4j at {self.uri} stopped answering: {_short(err)}"
            ) from None
        out: list[str] = []
        todo = [summary.plan or {}]
        while todo:
            op = todo.pop()
            # "LoadCSV@neo4j": the operator, then the database it ran in.
            out.append(str(op.get("operatorType", "")).split("@")[0])
            todo.extend(op.get("children", []))
        return out

    def apply(self, plan: WritePlan, progress: Progress = no_progress) -> None:
        ex = self._neo4j.exceptions
        stmt = ""
        try:
            with self._session(write=True) as session:
                for stmt in plan.schema:
                    session.run(stmt).consume()
        except ex.Neo4jError as err:
            raise StoreError(
                f"Neo4j refused the schema statement {stmt!r}, so nothing was loaded: "
                f"{err.message or err}"
            ) from None
        except (ex.ServiceUnavailable, ex.SessionExpired) as err:
            raise StoreUnavailable(
                f"Neo4j at {self.uri} stopped answering: {_short(err)}"
            ) from None
        for attempt in range(1, RETRIES + 1):
            try:
                self._apply_once(plan, progress)
                return
            except (ex.TransientError, ex.SessionExpired, ex.ServiceUnavailable) as err:
                if attempt == RETRIES:
                    raise StoreError(
                        f"the load failed {RETRIES} times on a passing Neo4j error and "
                        f"nothing was changed: {_short(err)}"
                    ) from None
                progress(f"retrying after a passing error ({attempt}/{RETRIES})", 0, 0)
                time.sleep(attempt)
            except ex.Neo4jError as err:
                raise StoreError(
                    f"Neo4j refused the load and nothing was changed: {err.message or err}"
                ) from None

    def _apply_once(self, plan: WritePlan, progress: Progress) -> None:
        total, done = plan.total_rows, 0
        with self._session(write=True) as session, session.begin_transaction() as tx:
            for step in plan.steps:
                if step.rows is None:
                    tx.run(step.query, step.params).consume()
                    done += 1
                    progress(step.phase, done, total)
                    continue
                for chunk in batches(step.rows, self.batch_size):
                    result = tx.run(step.query, {**step.params, "rows": list(chunk)})
                    if step.counted:
                        step.check(result.single(strict=True)[0], len(chunk))
                    result.consume()
                    done += len(chunk)
                    progress(step.phase, done, total)
            progress("committing", total, total)
            tx.commit()

    def clear(self) -> None:
        ex = self._neo4j.exceptions
        try:
            with self._session(write=True) as session:
                session.run(
                    "MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
                ).consume()
        except ex.Neo4jError as err:
            raise StoreError(f"Neo4j refused to clear the graph: {err.message or err}") from None
        except (ex.ServiceUnavailable, ex.SessionExpired) as err:
            raise StoreUnavailable(
                f"Neo4j at {self.uri} stopped answering: {_short(err)}"
            ) from None

    def close(self) -> None:
        self._driver.close()


def _unavailable(neo4j: Any, err: Exception, uri: str, user: str) -> StoreUnavailable | None:
    """What a failed connect means to the user, or None where it is a bug."""
    ex = neo4j.exceptions
    if isinstance(err, ex.AuthError):
        return StoreUnavailable(
            f"Neo4j at {uri} refused the user {user!r}: wrong user name or password"
        )
    if isinstance(err, (ex.ServiceUnavailable, OSError)):
        return StoreUnavailable(f"cannot reach Neo4j at {uri}: {_short(err)}")
    if isinstance(err, (ValueError, ex.ConfigurationError)):
        return StoreUnavailable(f"NEO4J_URI {uri!r} is not a Neo4j address: {err}")
    if isinstance(err, ex.Neo4jError):
        return StoreUnavailable(
            f"Neo4j at {uri} refused the connection: {err.code}: {err.message or err}"
        )
    return None


def _short(err: BaseException) -> str:
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    if not lines:
        return type(err).__name__
    text = lines[0]
    if text.endswith(":") and len(lines) > 1:
        # "Couldn't connect to host:port (...):" with the reason on the last line
        text = f"{text} {lines[-1]}"
    return text[:300]


def _plain(value: Any) -> Any:
    from neo4j.graph import Node, Path, Relationship

    if isinstance(value, Node):
        return {
            "_kind": "node",
            "_id": value.element_id,
            "_labels": sorted(value.labels),
            **dict(value),
        }
    if isinstance(value, Relationship):
        return {
            "_kind": "relationship",
            "_id": value.element_id,
            "_type": value.type,
            "_start": value.start_node.element_id if value.start_node else None,
            "_end": value.end_node.element_id if value.end_node else None,
            **dict(value),
        }
    if isinstance(value, Path):
        out: list[Any] = []
        for i, node in enumerate(value.nodes):
            out.append(_plain(node))
            if i < len(value.relationships):
                out.append(_plain(value.relationships[i]))
        return out
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
