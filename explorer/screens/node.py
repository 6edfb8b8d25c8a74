"""One node's page: its neighbourhood drawn, the same facts as a table, links onwards.

The page is about ``?kind=nicip|snomed|opcs&key=...`` in the URL, so it can be shared.
"""

import streamlit as st

from explorer.common import download, draw, go_to, guarded, recorder, require_data, show_cypher
from explorer.views import KINDS, facts_table, neighbourhood, node_key, node_name, node_text

KIND_NAMES = {"nicip": "NICIP code", "snomed": "SNOMED CT concept", "opcs": "OPCS-4 code"}

rec = recorder()
require_data(rec)
kind = st.query_params.get("kind", "nicip")
key = st.query_params.get("key", "").strip()
if kind not in KINDS:
    st.error(f"Unknown kind {kind!r} in the address; use one of {', '.join(KINDS)}.")
    st.stop()
if not key:
    st.title("Code page")
    st.info(
        "Open a code from **Search**, or put one in the address: `?kind=nicip&key=XWRIB`, "
        "`?kind=snomed&key=60027007`, `?kind=opcs&key=U051`."
    )
    st.stop()
if kind == "snomed" and not key.isdigit():
    st.error(f"{key!r} is not a SNOMED CT id (digits only).")
    st.stop()
if kind == "opcs":
    key = key.replace(".", "").upper()
if kind == "nicip":
    key = key.upper()

graph, centre = guarded(lambda: neighbourhood(rec, kind, key))
if centre is None:
    st.title(f"{KIND_NAMES[kind]} {key}")
    st.warning(f"{KIND_NAMES[kind]} {key} is not in the graph.")
    st.stop()

me = graph.nodes[centre]
st.title(f"{KIND_NAMES[kind]} {node_name(me)}")
if node_text(me):
    st.markdown(f"**{node_text(me)}**")
if me.get("active") is False:
    replaced = [
        graph.nodes[b]
        for _, b, d in graph.out_edges(centre, data=True)
        if d["_type"] == "REPLACED_BY"
    ]
    st.warning(
        "Inactive."
        + (
            " Replaced by " + ", ".join(f"{node_name(n)} {node_text(n)}" for n in replaced)
            if replaced
            else ""
        )
    )

left, right = st.columns([3, 2])
with left:
    draw(graph, centre)
    st.caption("Drag to move, scroll to zoom, double-click a code to open it in a new tab.")
with right:
    labels = {}
    for n in graph.nodes:
        target = node_key(graph.nodes[n])
        if n != centre and target:
            labels[f"{KIND_NAMES[target[0]].split()[0]} {node_name(graph.nodes[n])}"] = target
    if labels:
        labels = dict(sorted(labels.items()))
        choice = st.pills("Move to", list(labels), key=f"move-{kind}-{key}")
        if choice:
            go_to(*labels[choice])
    facts = facts_table(graph, centre)
    st.dataframe(facts, hide_index=True, width="stretch")
    download(facts, f"{kind}-{key}")

if kind == "nicip":
    st.subheader("Mapping path")
    path = guarded(lambda: rec.frame("mapping-path", {"code": key}))
    st.dataframe(path, hide_index=True, width="stretch")
    download(path, f"mapping-path-{key}", "Download the mapping path")
show_cypher(rec)
