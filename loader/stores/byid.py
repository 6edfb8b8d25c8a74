"""Large load steps on FalkorDB, written by internal node id instead of by key.

FalkorDB finds a node by an indexed key in about 30 microseconds, and a load step that links
two nodes looks up both: the 609,000 is-a relationships of a full SNOMED CT snapshot spent
most of their 30 seconds in those lookups. Found by internal id (``WHERE id(n) = ...``), the
same step takes a tenth of that. So the embedded store keeps, per label, a map from each
node's key to its internal id, read once from the staging graph (one label scan) and
extended with the ids of the nodes each step creates, and runs large steps of the standard
shapes (:class:`~loader.stores.base.NodeShape`, :class:`~loader.stores.base.LinkShape`,
:class:`~loader.stores.base.UnlinkShape`) through it:

- nodes: rows whose key is new are ``CREATE``d (each returns its key and id), rows whose
  key exists get their properties set by id; the unique constraint on the key still
  refuses a duplicate, so a concurrent writer cannot make one in silence;
- links: ``MERGE`` between the two nodes found by id, so loading twice changes nothing; a
  row naming a key the graph does not hold stops the load, as a counted step does;
- unlinks: ``DELETE`` of the relationships leaving each node found by id.

Small steps keep the plan's own statement (``Step.query``) where reading a label's whole
map would cost more than the lookups (:meth:`ByIdWriter.wants`). Once a label's map is read,
every node step of that label goes through it, so the map never misses a node. Internal
ids are stable here: a load deletes relationships, never nodes.

This is the only place the embedded store writes differently from the plan's Cypher, which
is what Neo4j runs (it finds nodes by key quickly).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from loader.errors import StoreError
from loader.stores.base import LinkShape, NodeShape, Step, UnlinkShape

__all__ = ["BY_ID_FROM_ROWS", "ByIdWriter"]

#: A step with at least this many rows goes by id (its labels' maps are read if need be).
BY_ID_FROM_ROWS = 5000
#: Below that, a step goes by id when the maps it needs hold fewer nodes than this a row.
MAP_NODES_PER_ROW = 20


class ByIdWriter:
    """Runs one load's steps on one FalkorDB graph, by id where that is faster."""

    def __init__(self, graph: Any, from_rows: int | None = BY_ID_FROM_ROWS) -> None:
        """``from_rows`` None runs every step by the plan's statement (for tests)."""
        self.graph = graph
        self.from_rows = from_rows
        self.ids: dict[tuple[str, str], dict[Any, int]] = {}

    def wants(self, step: Step) -> bool:
        """Whether ``step`` is run by id (decided once per step, from all its rows).

        Reading a label's map costs about 2.5 us a node, finding a node by key about 30 us:
        a step goes by id when the maps it still needs hold fewer than 20 nodes a row (the
        real map's 2,787 links on an empty graph, not onto 396,000 concepts), or when it
        has at least ``from_rows`` rows.
        """
        shape, rows = step.shape, step.rows
        if shape is None or rows is None or self.from_rows is None:
            return False
        if isinstance(shape, NodeShape):
            needed = [(shape.label, shape.key)]
        elif isinstance(shape, LinkShape):
            needed = [(shape.a_label, shape.a_key), (shape.b_label, shape.b_key)]
        else:
            needed = [(shape.label, shape.key)]
        missing = [n for n in dict.fromkeys(needed) if n not in self.ids]
        if not missing or len(rows) >= self.from_rows:
            return True
        if isinstance(shape, UnlinkShape):
            return False  # deleting a few relationships: the plan's statement is quick
        return sum(self._size(label) for label, _ in missing) < MAP_NODES_PER_ROW * len(rows)

    def _size(self, label: str) -> int:
        return int(self.graph.query(f"MATCH (n:{label}) RETURN count(n)").result_set[0][0])

    def run(self, step: Step, chunk: Sequence[dict[str, Any]]) -> None:
        shape = step.shape
        if isinstance(shape, NodeShape):
            self._nodes(shape, chunk, step.params)
        elif isinstance(shape, LinkShape):
            self._link(step, shape, chunk)
        elif isinstance(shape, UnlinkShape):
            self._unlink(shape, chunk, step.params)
        else:  # pragma: no cover - wants() said no
            raise ValueError(f"step {step.phase!r} has no shape to run by id")

    def _map(self, label: str, key: str) -> dict[Any, int]:
        found = self.ids.get((label, key))
        if found is None:
            rows = self.graph.query(
                f"MATCH (n:{label}) WHERE n.{key} IS NOT NULL RETURN n.{key}, id(n)"
            ).result_set
            found = self.ids[(label, key)] = {k: i for k, i in rows}
        return found

    def _nodes(self, shape: NodeShape, chunk: Sequence[dict[str, Any]], params: dict) -> None:
        ids = self._map(shape.label, shape.key)
        new: dict[Any, dict[str, Any]] = {}
        known: list[dict[str, Any]] = []
        later: list[dict[str, Any]] = []  # a key twice in one chunk: set once it exists
        for r in chunk:
            k = r[shape.key]
            if k in ids:
                known.append(r)
            elif k in new:
                later.append(r)
            else:
                new[k] = r
        if new:
            rows = [{"k": k, "props": r["props"]} for k, r in new.items()]
            created = self.graph.query(
                f"UNWIND $rows AS r CREATE (n:{shape.label}) "
                f"SET n += r.props, n.{shape.key} = r.k RETURN r.k, id(n)",
                {**params, "rows": rows},
            ).result_set
            ids.update((k, i) for k, i in created)
        if shape.on_create:
            return  # nodes that existed keep what they have
        update = [{"id": ids[r[shape.key]], "props": r["props"]} for r in known + later]
        if update:
            self.graph.query(
                "UNWIND $rows AS r MATCH (n) WHERE id(n) = r.id SET n += r.props",
                {**params, "rows": update},
            )

    def _link(self, step: Step, shape: LinkShape, chunk: Sequence[dict[str, Any]]) -> None:
        a_ids = self._map(shape.a_label, shape.a_key)
        b_ids = self._map(shape.b_label, shape.b_key)
        rows: list[Any] = []
        if not shape.then:
            # Only the two ends: pairs, which are quicker to send than maps.
            match = "MATCH (a) WHERE id(a) = r[0] MATCH (b) WHERE id(b) = r[1]"
            for r in chunk:
                a, b = a_ids.get(r["a"]), b_ids.get(r["b"])
                if a is not None and b is not None:
                    rows.append([a, b])
        else:
            match = "MATCH (a) WHERE id(a) = r.a MATCH (b) WHERE id(b) = r.b"
            for r in chunk:
                a, b = a_ids.get(r["a"]), b_ids.get(r["b"])
                if a is not None and b is not None:
                    rows.append({**r, "a": a, "b": b})
        if step.counted and len(rows) != len(chunk):
            step.check(len(rows), len(chunk))
        if not rows:
            return
        result = self.graph.query(
            f"UNWIND $rows AS r {match} "
            f"MERGE (a)-[e:{shape.rel}]->(b) {shape.then} RETURN count(*)".replace("  ", " "),
            {**step.params, "rows": rows},
        )
        matched = result.result_set[0][0]
        if matched != len(rows):
            raise StoreError(
                f"step {step.phase!r} matched {matched} of {len(rows)} rows by id; "
                "the load was stopped and nothing was changed"
            )

    def _unlink(self, shape: UnlinkShape, chunk: Sequence[dict[str, Any]], params: dict) -> None:
        ids = self._map(shape.label, shape.key)
        rows = [{"a": ids[r["a"]]} for r in chunk if r["a"] in ids]
        if rows:
            self.graph.query(
                f"UNWIND $rows AS r MATCH (a)-[old:{shape.rel}]->() WHERE id(a) = r.a DELETE old",
                {**params, "rows": rows},
            )
