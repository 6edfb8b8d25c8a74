"""Named queries: one ``cypher/<name>.cypher`` file each, run by name on either store.

A query file starts with ``//`` comment lines. The first is its title; the others describe
it, and lines of the form ::

    // param code str: a NICIP code, e.g. XWRIB
    // param refset int = 999001111000000105: the reference set to check

declare each ``$parameter`` with its type (``str``, ``int``, ``float``, ``bool``) and an
optional default. The rest of the file is one Cypher statement, run as it is, with its
parameters passed to the driver, never formatted into the text. ``tests/test_queries.py``
fails on an undeclared or unused parameter and on a file nothing runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from loader.errors import MissingParameter, QueryError, ReadOnlyViolation, UnknownQuery
from loader.stores.base import GraphStore, QueryResult

__all__ = [
    "NamedQuery",
    "Param",
    "all_queries",
    "coerce",
    "counts",
    "cypher_dir",
    "get",
    "run",
    "schema_text",
]

_PARAM_LINE = re.compile(
    r"param\s+(?P<name>\w+)\s+(?P<type>str|int|float|bool)"
    r"(?:\s*=\s*(?P<default>[^:]+?))?\s*:\s*(?P<doc>.*)"
)
_USED = re.compile(r"\$(\w+)")
_TYPES: dict[str, type] = {"str": str, "int": int, "float": float, "bool": bool}


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any
    doc: str

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class NamedQuery:
    """A query file: its name, title, description, parameters and text."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str

    def bind(self, given: dict[str, Any]) -> dict[str, Any]:
        """Parameters for a run: given values coerced to their types, defaults filled in."""
        unknown = set(given) - {p.name for p in self.params}
        if unknown:
            raise QueryError(
                f"query {self.name!r} has no parameter {', '.join(sorted(unknown))}; "
                f"it takes: {', '.join(p.name for p in self.params) or 'none'}"
            )
        bound: dict[str, Any] = {}
        for p in self.params:
            if p.name in given:
                bound[p.name] = coerce(p, given[p.name])
            elif p.default is not None:
                bound[p.name] = p.default
            else:
                raise MissingParameter(
                    f"query {self.name!r} needs --param {p.name}=VALUE ({p.type}: {p.doc})"
                )
        return bound


def coerce(p: Param, value: Any) -> Any:
    """A parameter value as its declared type (CLI values arrive as text)."""
    if not isinstance(value, str) or p.type == "str":
        return value
    try:
        if p.type == "bool":
            if value.lower() in ("true", "1", "yes"):
                return True
            if value.lower() in ("false", "0", "no"):
                return False
            raise ValueError(value)
        return _TYPES[p.type](value)
    except ValueError:
        raise QueryError(f"parameter {p.name} must be {p.type}, got {value!r}") from None


def cypher_dir() -> Path:
    """Where the ``.cypher`` files are: ``cypher/`` beside ``loader/`` in a checkout or an
    editable install, else the ``nicip_cypher`` package data of a wheel."""
    beside = Path(__file__).resolve().parent.parent / "cypher"
    if beside.is_dir():
        return beside
    return Path(str(resources.files("nicip_cypher")))


def _parse(name: str, text: str) -> NamedQuery:
    header: list[str] = []
    body: list[str] = []
    for line in text.splitlines():
        if not body and line.strip().startswith("//"):
            header.append(line.strip()[2:].strip())
        elif line.strip() or body:
            body.append(line)
    params = []
    doc = []
    for line in header:
        m = _PARAM_LINE.fullmatch(line)
        if m:
            ptype = m.group("type")
            default = m.group("default")
            value = (
                None
                if default is None
                else _TYPES[ptype](default.strip())
                if ptype != "bool"
                else default.strip().lower() == "true"
            )
            params.append(Param(m.group("name"), ptype, value, m.group("doc").strip()))
        else:
            doc.append(line)
    title = doc[0] if doc else name
    query = "\n".join(body).strip().rstrip(";")
    return NamedQuery(name, title, "\n".join(doc[1:]).strip(), tuple(params), query)


@cache
def all_queries() -> dict[str, NamedQuery]:
    """Every named query, by file name without ``.cypher`` (the schema is not a query)."""
    out = {}
    for path in sorted(cypher_dir().glob("*.cypher")):
        if path.stem == "schema":
            continue
        out[path.stem] = _parse(path.stem, path.read_text(encoding="utf-8"))
    return out


def get(name: str) -> NamedQuery:
    queries = all_queries()
    if name not in queries:
        raise UnknownQuery(
            f"no query named {name!r}; the named queries are: {', '.join(sorted(queries))}"
        )
    return queries[name]


def run(
    store: GraphStore,
    name: str,
    params: dict[str, Any] | None = None,
    *,
    timeout_s: float | None = None,
    row_limit: int | None = None,
) -> QueryResult:
    """Run a named query read-only with its parameters bound."""
    q = get(name)
    return store.read(q.text, q.bind(params or {}), timeout_s=timeout_s, row_limit=row_limit)


#: Plan operators that read from outside the graph (files, URLs): refused in the console.
_OUTSIDE = {"loadcsv"}


def ad_hoc(
    store: GraphStore,
    text: str,
    params: dict[str, Any] | None = None,
    *,
    timeout_s: float,
    row_limit: int,
) -> QueryResult:
    """Run a user's own query (the console, ``nicip cypher``): read-only, with limits.

    The server refuses writes (the store reads read-only). Read-only mode still lets
    ``LOAD CSV`` fetch a file or a URL, so the server's plan of the query is asked for
    first and a plan that loads CSV is refused: the server parses the query, so comments,
    case and subqueries cannot hide it.
    """
    operators = {op.lower().replace(" ", "") for op in store.plan_operators(text, params)}
    if operators & _OUTSIDE:
        raise ReadOnlyViolation(
            "the query reads a file or URL with LOAD CSV; queries here read only the graph"
        )
    return store.read(text, params, timeout_s=timeout_s, row_limit=row_limit)


def schema_text() -> str:
    return (cypher_dir() / "schema.cypher").read_text(encoding="utf-8")


def used_params(text: str) -> set[str]:
    """The ``$parameters`` a query's text uses (for the consistency test)."""
    return set(_USED.findall(text))


Reader = Callable[[str, dict[str, Any]], QueryResult]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _counted(read: Reader, names_query: str, count_query: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for (name,) in read(names_query, {}).rows:
        if not _NAME.fullmatch(str(name)):
            continue  # not a name nicip-graph writes; status-nodes.cypher still counts it
        n = read(count_query.replace("NAME", str(name)), {}).rows
        if n and n[0][0]:
            out[name] = n[0][0]
    return dict(sorted(out.items()))


def node_counts(store: GraphStore, read: Reader | None = None) -> dict[str, int]:
    """Nodes by label, label by label: ``cypher/status-nodes.cypher`` in answers, but each
    ``MATCH (n:Label) RETURN count(n)`` is read from the store's counts (both Neo4j and
    FalkorDB keep them) where that file scans every node: 140 ms at full SNOMED CT size
    against a millisecond. Label names come from the store (``db.labels()``), never from a
    user, and only plain names are used. ``read`` runs each query (default: the store's)."""
    return _counted(
        read or (lambda q, p: store.read(q, p)),
        "CALL db.labels() YIELD label RETURN label",
        "MATCH (n:NAME) RETURN count(n) AS count",
    )


def relationship_counts(store: GraphStore, read: Reader | None = None) -> dict[str, int]:
    """Relationships by type, type by type (see :func:`node_counts`; the scan in
    ``cypher/status-relationships.cypher`` takes 1.3 s at full size)."""
    return _counted(
        read or (lambda q, p: store.read(q, p)),
        "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType",
        "MATCH ()-[r:NAME]->() RETURN count(r) AS count",
    )


def counts(store: GraphStore) -> dict[str, int]:
    """Nodes by label and relationships by type, in one dict (for reports)."""
    return {**node_counts(store), **relationship_counts(store)}
