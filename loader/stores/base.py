"""What every graph store offers, and the plain values results are made of.

A store runs parameterised Cypher. Reads go through :meth:`GraphStore.read`, which the
store runs in its read-only mode (FalkorDB ``GRAPH.RO_QUERY``, a Neo4j READ transaction):
a write is refused by the server, not by scanning the text. Loads go through
:meth:`GraphStore.apply`, which lands a whole :class:`WritePlan` or nothing.

Results are plain Python so that callers never see a driver's types: a node becomes
``{"_kind": "node", "_id", "_labels", **properties}``, a relationship
``{"_kind": "relationship", "_id", "_type", "_start", "_end", **properties}`` and a path a
list of those.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from loader.errors import StoreError

__all__ = [
    "DEFAULT_BATCH",
    "GraphStore",
    "LinkShape",
    "NodeShape",
    "Progress",
    "QueryResult",
    "Step",
    "UnlinkShape",
    "WritePlan",
    "batches",
]

DEFAULT_BATCH = 5000

#: ``progress(phase, done, total)``; ``total`` may be 0 when unknown.
Progress = Callable[[str, int, int], None]


def no_progress(phase: str, done: int, total: int) -> None:
    """The progress callback that shows nothing."""


@dataclass(frozen=True)
class NodeShape:
    """A step that merges ``label`` nodes on ``key`` from rows ``{key, props}``; with
    ``on_create`` the props are set only on nodes it creates."""

    label: str
    key: str
    on_create: bool = False


@dataclass(frozen=True)
class LinkShape:
    """A step that merges ``(a)-[e:rel]->(b)`` between nodes found by key from rows
    ``{a, b, ...}``; ``then`` is the statement's ``SET`` clause for ``e``, if any."""

    a_label: str
    a_key: str
    rel: str
    b_label: str
    b_key: str
    then: str = ""


@dataclass(frozen=True)
class UnlinkShape:
    """A step that deletes the ``rel`` relationships leaving each node found by key."""

    label: str
    key: str
    rel: str


@dataclass(frozen=True)
class Step:
    """One write statement and the rows it is run with, ``UNWIND $rows`` at a time.

    A step whose ``rows`` is ``None`` runs once with ``params`` alone; one with an empty
    list of rows does nothing. A ``counted`` step
    returns ``count(*)``, which must equal the rows given: a row whose nodes were not found
    would otherwise be dropped in silence, so the store aborts the load instead.
    """

    phase: str
    query: str
    rows: Sequence[dict[str, Any]] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    counted: bool = False
    #: What the statement does, for a store that can do the same another way (the
    #: embedded store writes large steps by internal node id); ``query`` is the reference.
    shape: NodeShape | LinkShape | UnlinkShape | None = None

    def check(self, matched: int, given: int) -> None:
        if self.counted and matched != given:
            raise StoreError(
                f"step {self.phase!r} matched {matched} of {given} rows; "
                "the load was stopped and nothing was changed"
            )


@dataclass
class WritePlan:
    """Everything one load writes: schema statements first, then steps in order."""

    schema: list[str]
    steps: list[Step]

    @property
    def total_rows(self) -> int:
        return sum(1 if s.rows is None else len(s.rows) for s in self.steps)


@dataclass
class QueryResult:
    """Columns and rows of plain values; ``truncated`` when the row limit cut it."""

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool = False

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]


def batches(rows: Sequence[dict[str, Any]], size: int) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


class GraphStore(Protocol):
    """The interface both backends implement."""

    #: ``"embedded"`` or ``"neo4j"``: the one name queries and messages use.
    kind: str

    def describe(self) -> str:
        """Where the graph lives, for messages (never a password)."""
        ...

    def read(
        self,
        query: str,
        params: dict[str, Any] | None = None,
        *,
        timeout_s: float | None = None,
        row_limit: int | None = None,
    ) -> QueryResult:
        """Run a query in read-only mode; a write is refused by the server."""
        ...

    def plan_operators(self, query: str, params: dict[str, Any] | None = None) -> list[str]:
        """The operators of the server's plan for a query (its EXPLAIN), not run."""
        ...

    def apply(self, plan: WritePlan, progress: Progress = no_progress) -> None:
        """Land the whole plan or, on any failure, leave the graph as it was."""
        ...

    def clear(self) -> None:
        """Remove the whole graph (for ``nicip load --replace`` and tests)."""
        ...

    def close(self) -> None: ...
