"""What each explorer page shows, as plain data: rows, tables and networkx graphs.

Nothing here imports Streamlit, so every view is testable on its own. Each view takes a
:class:`Recorder`, which runs named queries read-only and remembers what it ran, so a page
can show "the Cypher" it used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pandas as pd

from loader import queries
from loader.codes import CodeFormatError, parse_opcs_code
from loader.stores.base import GraphStore, QueryResult
from loader.stores.dialect import fulltext_query

__all__ = [
    "KINDS",
    "Hit",
    "Recorder",
    "conflict_clusters",
    "conflicts",
    "neighbourhood",
    "node_key",
    "orphans",
    "overview",
    "result_graph",
    "result_table",
    "search",
]

#: Node kinds a page can be about: URL name -> (label, key property, neighbourhood query).
KINDS = {
    "nicip": ("NicipCode", "code", "neighbourhood-nicip"),
    "snomed": ("SnomedConcept", "id", "neighbourhood-snomed"),
    "opcs": ("OpcsCode", "code", "neighbourhood-opcs"),
}
LABEL_KIND = {label: kind for kind, (label, _, _) in KINDS.items()}

ORPHAN_QUERIES = {
    "NICIP codes with no SNOMED CT map": "orphans-nicip-without-snomed",
    "NICIP codes with no OPCS-4 code": "orphans-nicip-without-opcs",
    "Refset concepts no NICIP code reaches": "orphans-refset-unreached",
    "OPCS-4 imaging codes nothing reaches": "orphans-opcs-unreached",
}


@dataclass
class Recorder:
    """Runs named queries with the store's limits and keeps what it ran."""

    store: GraphStore
    timeout_s: float | None = None
    ran: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def run(self, name: str, params: dict[str, Any] | None = None) -> QueryResult:
        q = queries.get(name)
        bound = q.bind(params or {})
        self.ran.append((name, q.text, bound))
        return self.store.read(q.text, bound, timeout_s=self.timeout_s)

    def read(self, text: str, params: dict[str, Any]) -> QueryResult:
        """Run a query the product builds itself (the counts by label)."""
        self.ran.append(("", text, params))
        return self.store.read(text, params, timeout_s=self.timeout_s)

    def frame(self, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        result = self.run(name, params)
        return pd.DataFrame(result.rows, columns=result.columns)


# -- search ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    kind: str
    key: str
    label: str
    exact: bool

    @property
    def title(self) -> str:
        return f"{self.key}  {self.label}" if self.label and self.label != self.key else self.key


def search(rec: Recorder, text: str, limit: int = 25) -> list[Hit]:
    """NICIP codes, SNOMED CT ids and OPCS-4 codes (dotted or not) or words; exact first."""
    text = text.strip()
    if not text:
        return []
    words = text.lower()
    try:
        opcs = parse_opcs_code(text)
    except CodeFormatError:
        opcs = re.sub(r"[^A-Z0-9]", "", text.upper())
    searches: list[tuple[str, str, dict[str, Any]]] = [
        ("nicip", "search-nicip", {"code": text.upper(), "words": words, "limit": limit})
    ]
    if text.isascii() and text.isdigit() and 6 <= len(text) <= 18:
        searches.append(("snomed", "search-snomed-id", {"id": int(text)}))
    terms = fulltext_query(words, rec.store.kind)
    if terms:
        searches.append(("snomed", "search-snomed", {"text": terms, "limit": limit}))
    searches.append(("opcs", "search-opcs", {"code": opcs, "words": words, "limit": limit}))
    hits: list[Hit] = []
    for kind, name, params in searches:
        for key, label, exact in rec.run(name, params).rows:
            hits.append(Hit(kind, str(key), label or "", bool(exact)))
    order = {"nicip": 0, "snomed": 1, "opcs": 2}
    hits.sort(key=lambda h: (not h.exact, order[h.kind]))
    return hits[:limit]


# -- a node's neighbourhood -----------------------------------------------------------------


def node_key(node: dict[str, Any]) -> tuple[str, str] | None:
    """(kind, key) of a node a page can be about, else None."""
    for label in node.get("_labels", []):
        if label in LABEL_KIND:
            kind = LABEL_KIND[label]
            return kind, str(node[KINDS[kind][1]])
    return None


def node_name(node: dict[str, Any]) -> str:
    labels = node.get("_labels", [])
    if "NicipCode" in labels:
        return node["code"]
    if "SnomedConcept" in labels:
        return str(node["id"])
    if "OpcsCode" in labels:
        return node.get("dotted") or node["code"]
    if "Modality" in labels:
        return node["name"]
    if "BodySite" in labels:
        return node.get("name") or node["key"]
    return str(node.get("id") or node.get("name") or node.get("_id"))


def node_text(node: dict[str, Any]) -> str:
    """A one-line description of a node for tooltips and tables."""
    labels = node.get("_labels", [])
    if "NicipCode" in labels:
        extra = [node.get("description") or node.get("side_name") or ""]
        if node.get("active") is False:
            extra.append("inactive")
        return " · ".join(x for x in extra if x)
    if "SnomedConcept" in labels:
        text = node.get("term") or node.get("fsn") or "(no term loaded)"
        return text + ("" if node.get("active", True) else " · inactive")
    if "OpcsCode" in labels:
        return node.get("title") or ""
    return ""


def _graph_from_rows(rows: list[list[Any]]) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for row in rows:
        a, r, b = row[:3]
        g.add_node(a["_id"], **a)
        if r is not None:
            g.add_node(b["_id"], **b)
            g.add_edge(a["_id"], b["_id"], key=r["_id"], **r)
    return g


def neighbourhood(rec: Recorder, kind: str, key: str) -> tuple[nx.MultiDiGraph, str | None]:
    """The graph around one node and the id of that node (None when it is not in the graph)."""
    label, prop, query = KINDS[kind]
    value: Any = int(key) if prop == "id" else key
    params = {"id": value} if prop == "id" else {"code": value}
    g = _graph_from_rows(rec.run(query, params).rows)
    centre = next(
        (n for n, d in g.nodes(data=True) if label in d["_labels"] and d[prop] == value), None
    )
    return g, centre


def facts_table(g: nx.MultiDiGraph, centre: str) -> pd.DataFrame:
    """The same facts as the drawing: one row per relationship, centre first."""
    rows = []
    for a, b, data in g.edges(data=True):
        na, nb = g.nodes[a], g.nodes[b]
        rows.append(
            {
                "from": node_name(na),
                "relationship": data["_type"],
                "to": node_name(nb),
                "to (kind)": (nb.get("_labels") or ["?"])[0],
                "to (text)": node_text(nb),
                "detail": ", ".join(
                    f"{k}={v}"
                    for k, v in data.items()
                    if not k.startswith("_") and v not in (None, "")
                ),
                "_near": 0 if centre in (a, b) else 1,
            }
        )
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    return df.sort_values(["_near", "relationship", "to"]).drop(columns="_near")


# -- overview, orphans, conflicts -----------------------------------------------------------


def overview(rec: Recorder) -> dict[str, Any]:
    return {
        "nodes": _counts_frame(queries.node_counts(rec.store, rec.read), "label"),
        "relationships": _counts_frame(queries.relationship_counts(rec.store, rec.read), "type"),
        "releases": rec.frame("releases"),
        "modalities": rec.frame("codes-by-modality"),
        "orphans": rec.run("orphan-counts").records(),
        "conflicts": rec.frame("many-to-one-summary"),
    }


def _counts_frame(counts: dict[str, int], what: str) -> pd.DataFrame:
    return pd.DataFrame(list(counts.items()), columns=[what, "count"])


def orphans(rec: Recorder) -> dict[str, pd.DataFrame]:
    return {title: rec.frame(name) for title, name in ORPHAN_QUERIES.items()}


def conflicts(rec: Recorder) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Many-to-one groups (collisions first) and their counts by modality."""
    groups = rec.frame("many-to-one")
    by_modality = rec.frame("many-to-one-by-modality")
    return groups, by_modality


def conflict_clusters(groups: pd.DataFrame) -> list[nx.Graph]:
    """Connected components of codes and concepts among many-to-one groups.

    A code on two concepts joins their groups into one component.
    """
    g = nx.Graph()
    for row in groups.itertuples():
        concept = f"sct:{row.snomed_id}"
        g.add_node(
            concept,
            _labels=["SnomedConcept"],
            id=row.snomed_id,
            term=row.snomed_term if isinstance(row.snomed_term, str) else None,
            group=row.kind,
        )
        for code in row.codes:
            g.add_node(f"nicip:{code}", _labels=["NicipCode"], code=code)
            g.add_edge(f"nicip:{code}", concept, _type="MAPS_TO")
    return [g.subgraph(c).copy() for c in nx.connected_components(g)]


def result_table(result: QueryResult) -> pd.DataFrame:
    """A console result as a table: nodes and relationships shown by name, lists joined."""

    def cell(value: Any) -> Any:
        if isinstance(value, dict) and value.get("_kind") == "node":
            text = node_text(value)
            return f"({value['_labels'][0] if value['_labels'] else ''} {node_name(value)})" + (
                f" {text}" if text else ""
            )
        if isinstance(value, dict) and value.get("_kind") == "relationship":
            return f"[:{value['_type']}]"
        if isinstance(value, list):
            return ", ".join(str(cell(v)) for v in value)
        if isinstance(value, dict):
            return str(value)
        return value

    return pd.DataFrame([[cell(v) for v in row] for row in result.rows], columns=result.columns)


def result_graph(result: QueryResult) -> nx.MultiDiGraph | None:
    """A graph of the nodes and relationships in a console result, if it holds any."""
    g = nx.MultiDiGraph()
    rels = []

    def visit(value: Any) -> None:
        if isinstance(value, dict) and value.get("_kind") == "node":
            g.add_node(value["_id"], **value)
        elif isinstance(value, dict) and value.get("_kind") == "relationship":
            rels.append(value)
        elif isinstance(value, list):
            for v in value:
                visit(v)

    for row in result.rows:
        for v in row:
            visit(v)
    for r in rels:
        if r["_start"] in g and r["_end"] in g:
            g.add_edge(r["_start"], r["_end"], key=r["_id"], **r)
    return g if g.number_of_nodes() else None
