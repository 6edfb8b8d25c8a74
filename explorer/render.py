"""Draw a networkx graph as a self-contained HTML page with pyvis (vis-network in line).

The page must work offline, so vis-network is inlined (``cdn_resources="in_line"``) and the
Bootstrap links pyvis's template always adds are removed; a test checks no external
address is left. Node colour says the kind (legend in :data:`COLOURS`), the centre node is
larger, and double-clicking a node opens its page in a new tab.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import networkx as nx

__all__ = ["COLOURS", "graph_html"]

#: Node label -> (fill colour, shape). Chosen to stay apart for colour-blind readers.
COLOURS: dict[str, tuple[str, str]] = {
    "NicipCode": ("#1f77b4", "box"),
    "SnomedConcept": ("#ff7f0e", "ellipse"),
    "OpcsCode": ("#2ca02c", "diamond"),
    "Modality": ("#9467bd", "dot"),
    "BodySite": ("#8c564b", "dot"),
    "Refset": ("#7f7f7f", "dot"),
    "Release": ("#7f7f7f", "dot"),
}
_KIND_OF_LABEL = {"NicipCode": "nicip", "SnomedConcept": "snomed", "OpcsCode": "opcs"}
_EXTERNAL = re.compile(r'<(?:link|script)[^>]+(?:href|src)="https?://[^"]*"[^>]*>(?:</script>)?')


def _label(data: dict[str, Any]) -> str:
    labels = data.get("_labels") or []
    if "NicipCode" in labels:
        side = data.get("side_name")
        return data["code"] + (f"\n{side}" if side else "")
    if "SnomedConcept" in labels:
        term = data.get("term") or data.get("fsn") or ""
        short = term if len(term) <= 28 else term[:26] + "…"
        return f"{data['id']}\n{short}" if short else str(data["id"])
    if "OpcsCode" in labels:
        return data.get("dotted") or data.get("code", "")
    return str(data.get("label") or data.get("name") or data.get("key") or data.get("_id"))


def _tooltip(data: dict[str, Any]) -> str:
    shown = {k: v for k, v in data.items() if not k.startswith("_") and v not in (None, "", [])}
    kind = (data.get("_labels") or [data.get("kind", "")])[0]
    lines = [kind] + [f"{k}: {v}" for k, v in sorted(shown.items())]
    return "\n".join(lines)


def graph_html(g: nx.Graph, centre: Any = None, height: int = 520) -> str:
    """The graph as one HTML document, ready for ``st.components.v1.html``."""
    from pyvis.network import Network

    net = Network(
        height=f"{height}px",
        width="100%",
        directed=g.is_directed(),
        cdn_resources="in_line",
        bgcolor="#ffffff",
    )
    links: dict[str, str] = {}
    for node, data in g.nodes(data=True):
        labels = data.get("_labels") or []
        label = labels[0] if labels else ""
        colour, shape = COLOURS.get(label, ("#7f7f7f", "dot"))
        is_centre = node == centre
        net.add_node(
            str(node),
            label=_label(data),
            title=_tooltip(data),
            color=colour,
            shape=shape,
            size=28 if is_centre else 16,
            borderWidth=4 if is_centre else 1,
            font={
                "color": "#ffffff" if shape == "box" else "#222222",
                "size": 16 if is_centre else 13,
            },
        )
        kind = _KIND_OF_LABEL.get(label)
        if kind:
            key = data["code"] if kind != "snomed" else str(data["id"])
            links[str(node)] = f"?kind={kind}&key={key}"
    for a, b, data in g.edges(data=True):
        net.add_edge(
            str(a),
            str(b),
            label=data.get("_type", ""),
            title=_tooltip(data),
            arrows="to" if g.is_directed() else "",
            color="#999999",
            font={"size": 10, "align": "middle"},
        )
    net.set_options(
        json.dumps(
            {
                "physics": {
                    "solver": "forceAtlas2Based",
                    "stabilization": {"iterations": 150},
                    "forceAtlas2Based": {"springLength": 110},
                },
                "interaction": {"hover": True, "navigationButtons": False},
                "edges": {"smooth": {"type": "dynamic"}},
            }
        )
    )
    page = net.generate_html(notebook=False)
    page = _EXTERNAL.sub("", page)
    page = page.replace("<center>\n<h1></h1>\n</center>", "")
    script = (
        "<script>var nicipLinks = " + json.dumps(links) + ";"
        "network.on('doubleClick', function (p) {"
        " if (p.nodes.length && nicipLinks[p.nodes[0]]) {"
        "  var base = window.parent.location.href.split('?')[0];"
        "  window.open(base + nicipLinks[p.nodes[0]], '_blank'); } });</script>"
    )
    return page.replace("</body>", script + "\n</body>")


def legend_html() -> str:
    """A one-line legend of node colours."""
    items = []
    for label, (colour, _) in COLOURS.items():
        if label in ("Refset", "Release"):
            continue
        items.append(
            f'<span style="display:inline-block;width:12px;height:12px;background:{colour};'
            f'border-radius:2px;margin:0 4px 0 12px"></span>{html.escape(label)}'
        )
    return '<div style="font-size:0.85em">' + "".join(items) + "</div>"
